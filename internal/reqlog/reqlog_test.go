package reqlog

import (
	"context"
	"strings"
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
		Status: 200, LatencyMs: e.LatencyMs, InputTokens: 12, OutputTokens: 5, Credits: 0.25, FirstByteMs: -1}, e)
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

func TestNoteCollectsTheDetailsOfAFailure(t *testing.T) {
	ctx, n := WithNote(context.Background())
	AddTry(ctx, Try{Account: "a1", Label: "work", Outcome: OutcomeRetry, Status: 503, Error: "Kiro is busy"})
	AddTry(ctx, Try{Account: "a2", Label: "home", Outcome: OutcomeFailed, Status: 500, Error: "boom", WaitMs: 250})
	SetError(ctx, "Kiro failed on 2 accounts")
	SetError(ctx, "an echo of the same failure") // the first error stays
	AddTry(context.Background(), Try{Account: "ignored"})
	n.SetClient("claude-cli/2.0.14 (external, cli)")
	n.SetTransfer(1234, 567, true, 42*time.Millisecond)
	e := n.Entry(time.Now(), "POST", "/v1/messages", 500)
	assert.Equal(t, "Kiro failed on 2 accounts", e.Error)
	assert.Equal(t, []Try{
		{Account: "a1", Label: "work", Outcome: OutcomeRetry, Status: 503, Error: "Kiro is busy"},
		{Account: "a2", Label: "home", Outcome: OutcomeFailed, Status: 500, Error: "boom", WaitMs: 250},
	}, e.Tries)
	assert.Equal(t, ClientClaudeCode, e.Client)
	assert.Equal(t, "claude-cli/2.0.14 (external, cli)", e.UserAgent)
	assert.Equal(t, int64(42), e.FirstByteMs)
	assert.Equal(t, int64(1234), e.BytesIn)
	assert.Equal(t, int64(567), e.BytesOut)

	// The entry is a copy: a later note change does not reach it.
	AddTry(ctx, Try{Account: "a3"})
	assert.Len(t, e.Tries, 2)
}

func TestNoteCutsALongUserAgent(t *testing.T) {
	_, n := WithNote(context.Background())
	n.SetClient("curl/8.0 " + strings.Repeat("x", 500))
	e := n.Entry(time.Now(), "GET", "/v1/models", 200)
	assert.Len(t, e.UserAgent, maxUserAgent)
	assert.Equal(t, ClientCurl, e.Client)
	assert.Equal(t, int64(-1), e.FirstByteMs, "nothing written: no first byte")
}

func TestClientName(t *testing.T) {
	for _, c := range []struct{ ua, want string }{
		{"claude-cli/2.0.14 (external, cli)", ClientClaudeCode},
		{"claude-code/1.0", ClientClaudeCode},
		{"codex_cli_rs/0.46.0 (Mac OS 15.1.0; arm64) iTerm.app/3.5", ClientCodex},
		{"opencode/0.15.2 ai-sdk/provider-utils/3.0.9", ClientOpencode},
		{"Cline/3.32.0", ClientCline},
		{"Anthropic/Python 0.69.0", ClientAnthropicSDK},
		{"Anthropic/JS 0.65.0", ClientAnthropicSDK},
		{"OpenAI/Python 2.3.0", ClientOpenAISDK},
		{"OpenAI/JS 5.23.2", ClientOpenAISDK},
		{"curl/8.5.0", ClientCurl},
		{"Mozilla/5.0 (X11; Linux x86_64)", ClientOther},
		{"python-requests/2.32.3", ClientOther},
		{"", ClientOther},
	} {
		assert.Equal(t, c.want, ClientName(c.ua), c.ua)
	}
}

// The request log's share of a request's cost: a note, a client name, two
// tries, the sizes and the finished entry.
func BenchmarkNoteOfAFailedOverRequest(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ctx, n := WithNote(context.Background())
		n.SetClient("claude-cli/2.0.14 (external, cli)")
		SetModel(ctx, "claude-sonnet-4.5")
		AddTry(ctx, Try{Account: "a1", Label: "work", Outcome: OutcomeRetry, Status: 503})
		AddTry(ctx, Try{Account: "a2", Label: "home", Outcome: OutcomeAnswered})
		SetAccount(ctx, "a2")
		n.SetTransfer(2048, 512, true, 40*time.Millisecond)
		_ = n.Entry(time.Now(), "POST", "/v1/messages", 200)
	}
}

func TestNoteKeepsBothModelNamesWhenAnAliasApplied(t *testing.T) {
	ctx, n := WithNote(context.Background())
	SetRequestedModel(ctx, "gpt-4o")
	SetModel(ctx, "claude-sonnet-4.6")
	SetRequestedModel(context.Background(), "ignored")
	e := n.Entry(time.Now(), "POST", "/v1/chat/completions", 200)
	assert.Equal(t, "claude-sonnet-4.6", e.Model)
	assert.Equal(t, "gpt-4o", e.RequestedModel)
	u := n.Usage()
	assert.Equal(t, "claude-sonnet-4.6", u.Model)
	assert.Equal(t, "gpt-4o", u.RequestedModel)

	_, plain := WithNote(context.Background())
	assert.Empty(t, plain.Entry(time.Now(), "POST", "/v1/messages", 200).RequestedModel)
}
