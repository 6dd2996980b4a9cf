package reqlog

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNoteCollectsWhatHandlersLearn(t *testing.T) {
	ctx, n := WithNote(context.Background())
	SetModel(ctx, "claude-sonnet-4.5")
	SetAccount(ctx, "acc1")
	SetUsage(ctx, 12, 5, 0.25)
	SetModel(context.Background(), "ignored") // no note: no effect, no panic
	e := n.Entry(time.Now().Add(-20*time.Millisecond), "POST", "/v1/messages", 200)
	assert.Equal(t, Entry{Time: e.Time, Method: "POST", Path: "/v1/messages", Model: "claude-sonnet-4.5", Account: "acc1",
		Status: 200, LatencyMs: e.LatencyMs, InputTokens: 12, OutputTokens: 5, Credits: 0.25}, e)
	assert.GreaterOrEqual(t, e.LatencyMs, int64(20))
}

func TestNoteCollectsWarnings(t *testing.T) {
	ctx, n := WithNote(context.Background())
	AddWarnings(ctx, []string{"tools[0]: dropped"})
	AddWarnings(ctx, []string{"web search is not available yet"})
	AddWarnings(context.Background(), []string{"ignored"})
	e := n.Entry(time.Now(), "POST", "/v1/responses", 200)
	assert.Equal(t, []string{"tools[0]: dropped", "web search is not available yet"}, e.Warnings)
}

func TestLogKeepsTheLastEntriesAndTodaysTotals(t *testing.T) {
	now := time.Date(2026, 11, 25, 23, 59, 0, 0, time.Local)
	l := New(3, func() time.Time { return now })
	for i := range 5 {
		status := 200
		if i == 4 {
			status = 503
		}
		l.Add(Entry{Status: status, InputTokens: 10, OutputTokens: 1, Credits: 0.5})
	}
	got := l.Since(0)
	require.Len(t, got, 3)
	assert.Equal(t, []int64{3, 4, 5}, []int64{got[0].Seq, got[1].Seq, got[2].Seq})
	assert.Len(t, l.Since(4), 1)
	assert.Equal(t, Stats{PerMinute: 5, RequestsToday: 5, ErrorsToday: 1, InputToday: 50, OutputToday: 5, CreditsToday: 2.5}, l.Stats())

	now = now.Add(2 * time.Minute) // past midnight: a new day, and the minute window emptied
	assert.Equal(t, Stats{}, l.Stats())
	var seen []int64
	l.Watch(func(e Entry) { seen = append(seen, e.Seq) })
	l.Add(Entry{Status: 200})
	assert.Equal(t, []int64{6}, seen)
	assert.Equal(t, int64(1), l.Stats().RequestsToday)
}
