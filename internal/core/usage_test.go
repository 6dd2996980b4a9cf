package core

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// Today's requests come from the usage history, so a restart keeps them
// (the request log's live counters start again at 0).
func TestRequestsTodaySurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	now := time.Now()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	st.Usage.Touch(func(u *store.Usage) {
		idx := u.UsageIndex()
		u.AddHour(idx, store.UsageKey{Start: now, Account: "a", API: "messages"}, &store.UsageCounts{Requests: 4})
		u.AddHour(idx, store.UsageKey{Start: midnight.Add(-2 * time.Hour), Account: "a", API: "messages"}, &store.UsageCounts{Requests: 9})
	})
	require.NoError(t, st.Close(ctx))

	c, err := Open(ctx, Options{ConfigDir: dir, Secrets: secrets.NewMemory()})
	require.NoError(t, err)
	defer func() { require.NoError(t, c.Close(ctx)) }()
	<-c.Reconciled()
	n, err := c.RequestsToday(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 4, n, "yesterday's 9 are not today's")
	assert.Zero(t, c.Requests.Stats().RequestsToday, "the live counter starts again")
}
