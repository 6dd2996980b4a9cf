package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func hourCounts(req int64, credits float64) *UsageCounts {
	return &UsageCounts{Requests: req, Input: 10 * req, Output: 5 * req, Credits: credits,
		Errors: map[string]int64{"rate_limit": 1}, Latency: make([]int64, LatencyBuckets)}
}

func TestUsageSurvivesReopenAndIsVersioned(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	at := time.Date(2026, 12, 6, 10, 30, 0, 0, time.UTC)
	s.Usage.Touch(func(u *Usage) {
		idx := u.UsageIndex()
		k := UsageKey{Start: at, Account: "acc1", Model: "claude-sonnet-4.5", Client: "curl", API: "messages"}
		u.AddHour(idx, k, hourCounts(2, 0.5))
		u.AddHour(idx, k, hourCounts(3, 0.25))
	})
	require.NoError(t, s.Close(context.Background()))
	b, err := os.ReadFile(filepath.Join(dir, UsageName))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"version": 1`)

	s = openT(t, dir)
	u := s.Usage.Snapshot()
	require.Len(t, u.Hours, 1)
	r := u.Hours[0]
	assert.Equal(t, at.Truncate(time.Hour), r.Start.UTC())
	assert.EqualValues(t, 5, r.Requests)
	assert.EqualValues(t, 50, r.Input)
	assert.EqualValues(t, 2, r.Errors["rate_limit"])
	assert.InDelta(t, 0.75, r.Credits, 1e-9)
	assert.Empty(t, s.Notices())
}

func TestUsageFoldsOldHoursIntoDaysAndDropsOldDays(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	u := NewUsage()
	idx := u.UsageIndex()
	k := UsageKey{Account: "acc1", Model: "m", Client: "curl", API: "chat"}
	for _, at := range []time.Time{
		now.Add(-time.Hour),                   // recent: stays an hour
		now.Add(-15 * 24 * time.Hour),         // folded
		now.Add(-15*24*time.Hour + time.Hour), // folded into the same day
	} {
		k.Start = at
		u.AddHour(idx, k, hourCounts(1, 1))
	}
	u.Days = append(u.Days, UsageRow{UsageKey: UsageKey{Start: now.Add(-401 * 24 * time.Hour).Truncate(24 * time.Hour)},
		UsageCounts: UsageCounts{Requests: 9}})
	require.True(t, u.FoldDue(now))
	require.Len(t, u.Hours, 3, "FoldDue changes nothing")
	require.True(t, u.Fold(now))
	require.Len(t, u.Hours, 1)
	require.Len(t, u.Days, 1, "the 401-day-old day is dropped, the two old hours are one day")
	d := u.Days[0]
	assert.Equal(t, time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), d.Start.UTC())
	assert.EqualValues(t, 2, d.Requests)
	assert.EqualValues(t, 2, d.Errors["rate_limit"])
	assert.Len(t, d.Latency, LatencyBuckets)
	require.NoError(t, CheckUsage(u))
	assert.False(t, u.FoldDue(now))
	assert.False(t, u.Fold(now), "nothing more to fold")
}

func TestDamagedUsageIsQuarantinedAndReported(t *testing.T) {
	for _, tc := range []struct{ name, content, reason string }{
		{"garbage", "\x00{not json", "not valid JSON"},
		{"invalid values", `{"version":1,"hours":[{"requests":1}],"days":[]}`, "invalid content"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, path := openDamaged(t, UsageName, tc.content)
			assert.Empty(t, s.Usage.Snapshot().Hours)
			requireQuarantined(t, s, path, tc.reason, []byte(tc.content))
		})
	}
}

func TestUsageFromANewerKirodeskIsRefused(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, UsageName), []byte(`{"version":99,"hours":[],"days":[]}`), 0o600))
	_, err := Open(dir, Options{})
	require.ErrorIs(t, err, ErrTooNew)
}
