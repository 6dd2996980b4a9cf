package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro/eventstream"
	"kirodesk/internal/store"
)

// 10,000 requests over 5 accounts: Kirodesk's per-account counters in
// pool.json (batched writes) equal what the fake counted per account:
// requests, credits and tokens.
func TestCountersMatchTheUpstreamAfterTenThousandRequests(t *testing.T) {
	const total, workers = 10_000, 16
	e := serve(t, serveOpts{accounts: 5, config: func(c *store.Config) { c.Strategy = "round-robin" }})
	var n atomic.Int64
	e.fake.SetDefaultScript(func(r fakekiro.RecordedRequest) fakekiro.Script {
		// Varying tokens and credits, so a lost or doubled update shows.
		i := int(n.Add(1))
		return fakekiro.Script{fakekiro.Text("ok"), fakekiro.Metering(float64(1+i%7) / 100),
			fakekiro.Usage(eventstream.TokenUsage{UncachedInput: 10 + i%13, Output: 1 + i%5, Total: 11 + i%13 + i%5})}
	})
	var wg sync.WaitGroup
	var failed atomic.Int64
	next := atomic.Int64{}
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > total {
					return
				}
				a, err := e.tryAsk(i%3 == 0, "q")
				if err != nil || a.status != 200 || a.text != "ok" {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	require.Zero(t, failed.Load(), "every request succeeds")

	require.NoError(t, e.core.Store.Pool.Flush(context.Background()))
	onDisk := readPoolFile(t, e.core.ConfigDir)
	var sumReq int64
	var sumCredits float64
	for i, id := range e.ids {
		up := e.fake.Stats(e.emails[i])
		a := onDisk.Account(id)
		require.NotNil(t, a)
		assert.EqualValues(t, up.Chats, a.Counters.Requests, "account %d requests", i)
		assert.Zero(t, a.Counters.Errors)
		assert.InDelta(t, up.Credits, a.Counters.Credits, 1e-6, "account %d credits", i)
		assert.Equal(t, up.InputTokens, a.Counters.InputTokens, "account %d input tokens", i)
		assert.Equal(t, up.OutputTokens, a.Counters.OutputTokens, "account %d output tokens", i)
		assert.InDelta(t, total/5, a.Counters.Requests, 2, "round robin spreads evenly")
		sumReq += a.Counters.Requests
		sumCredits += a.Counters.Credits
	}
	assert.EqualValues(t, total, sumReq)
	t.Logf("FIGURE counters: %d requests (1/3 streaming) over 5 accounts, %d client workers, in %s (%.0f req/s); %.2f credits counted, equal to the fake's",
		total, workers, took.Round(time.Millisecond), float64(total)/took.Seconds(), sumCredits)
}

func readPoolFile(t *testing.T, dir string) *store.Pool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "pool.json"))
	require.NoError(t, err)
	p := store.NewPool()
	require.NoError(t, p.UnmarshalJSON(b))
	return p
}

// The quota is fetched from Kiro, kept on the account (pool.json), shown
// in the status, and an account at its limit leaves the rotation until its
// reset date, coming back by itself then.
func TestQuotaThroughTheProxy(t *testing.T) {
	e := serve(t, serveOpts{accounts: 2, config: func(c *store.Config) { c.Strategy = "round-robin" }})
	ctx := context.Background()
	reset := e.clock.Now().Add(10 * 24 * time.Hour).Truncate(time.Second).UTC()
	full := fakekiro.DefaultUsageLimits(e.emails[0])
	full.SubscriptionInfo.SubscriptionTitle = "KIRO PRO"
	line := &full.UsageBreakdownList[0]
	line.UsageLimitWithPrecision, line.CurrentUsageWithPrecision, line.NextDateReset = 1000, 1000, float64(reset.Unix())
	line.Bonuses = []fakekiro.Bonus{{UsageLimit: 20, CurrentUsage: 20, Status: "ACTIVE"}}
	require.True(t, e.fake.SetUsageLimits(e.emails[0], full))

	for i := range e.ids {
		_, err := e.core.Pool.RefreshQuota(ctx, e.ids[i])
		require.NoError(t, err)
	}
	st := e.account(t, 0)
	assert.Equal(t, e.emails[0], st.Email)
	require.NotNil(t, st.Quota)
	assert.Equal(t, "KIRO PRO", st.Quota.Plan)
	assert.InDelta(t, 1020, st.Quota.Limit, 0.001)
	assert.InDelta(t, 1020, st.Quota.Used, 0.001)
	assert.Equal(t, reset, st.Quota.ResetAt)
	assert.Equal(t, store.StatusExhausted, st.State)
	assert.Equal(t, reset, st.Until)
	other := e.account(t, 1)
	require.NotNil(t, other.Quota)
	assert.Equal(t, "KIRO FREE", other.Quota.Plan)
	assert.Equal(t, store.StatusReady, other.State)
	// Kept in pool.json for the next start; no token there.
	onDisk := readPoolFile(t, e.core.ConfigDir)
	require.NotNil(t, onDisk.Account(e.ids[0]).Quota)
	assert.Equal(t, e.emails[0], onDisk.Account(e.ids[0]).Email)

	for i := range 4 {
		require.Equal(t, 200, e.ask(t, false, "q"+strconv.Itoa(i)).status)
	}
	assert.Zero(t, e.fake.Stats(e.emails[0]).Chats, "the exhausted account is not used")

	e.clock.Add(10*24*time.Hour + time.Second)
	assert.Equal(t, store.StatusReady, e.account(t, 0).State, "back at the reset date")
	for i := range 4 {
		require.Equal(t, 200, e.ask(t, false, "r"+strconv.Itoa(i)).status)
	}
	assert.Equal(t, 2, e.fake.Stats(e.emails[0]).Chats)
}

// An account imported from the Kiro IDE: the IDE refreshed the shared login
// meanwhile, so Kiro refuses Kirodesk's refresh token. Kirodesk finds the
// newer token in the IDE's file, adopts it and serves, without the person
// doing anything; the adopted and rotated token is in the keychain.
func TestIDETokenIsAdoptedThroughTheProxy(t *testing.T) {
	ideFile := filepath.Join(t.TempDir(), "kiro-auth-token.json")
	e := serve(t, serveOpts{accounts: 1, ideFile: ideFile, expires: time.Now().Add(-time.Minute)})
	// The IDE refreshes: Kirodesk's tokens are dead upstream.
	ide, ok := e.fake.Rotate(e.emails[0])
	require.True(t, ok)
	writeIDE := func(access, refresh string) {
		b := fmt.Sprintf(`{"accessToken":%q,"refreshToken":%q,"expiresAt":%q,"authMethod":"social","provider":"Google","profileArn":%q}`,
			access, refresh, time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), ide.ProfileARN)
		require.NoError(t, os.WriteFile(ideFile, []byte(b), 0o600))
	}
	writeIDE(ide.AccessToken, ide.RefreshToken)

	for _, stream := range []bool{false, true} {
		a := e.ask(t, stream, "hello")
		require.Equal(t, 200, a.status, "%+v", a)
		assert.Equal(t, "Echo: hello", a.text)
	}
	assert.Equal(t, store.StatusReady, e.account(t, 0).State)
	assert.Equal(t, 1, e.fake.Stats(e.emails[0]).Refreshes, "one refresh, with the IDE's token")
	assert.Equal(t, 2, e.fake.Calls(fakekiro.PathRefresh), "ours refused, the IDE's accepted")

	// Without a newer token in the file, the account needs a login.
	e2 := serve(t, serveOpts{accounts: 1, ideFile: filepath.Join(t.TempDir(), "missing.json"), expires: time.Now().Add(-time.Minute)})
	e2.fake.Rotate(e2.emails[0])
	a := e2.ask(t, false, "hello")
	assert.Equal(t, 503, a.status)
	st := e2.account(t, 0)
	assert.Equal(t, store.StatusLoginNeeded, st.State)
	assert.Contains(t, st.Reason, "log in again")
}
