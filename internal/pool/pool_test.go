package pool

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/kiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// countingRefresher issues "at-N"/"rt-N" tokens and counts calls; it is slow
// enough that concurrent callers really overlap.
type countingRefresher struct {
	calls atomic.Int32
	err   error
}

func (r *countingRefresher) Refresh(ctx context.Context, cr kiro.Credentials) (kiro.Credentials, error) {
	n := r.calls.Add(1)
	time.Sleep(50 * time.Millisecond)
	if r.err != nil {
		return cr, r.err
	}
	cr.AccessToken = "at-" + string(rune('0'+n))
	cr.RefreshToken = "rt-" + string(rune('0'+n))
	cr.ExpiresAt = time.Now().Add(time.Hour)
	return cr, nil
}

type fixture struct {
	pool *Pool
	st   *store.Store
	acc  *accounts.Service
	ref  *countingRefresher
	clk  *testenv.Clock
	ids  []string
}

func newFixture(t *testing.T, n int, expires time.Time) *fixture {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close(context.Background()) })
	acc := accounts.New(st.Pool, secrets.NewMemory(), nil)
	f := &fixture{st: st, acc: acc, ref: &countingRefresher{}, clk: testenv.NewClock(time.Now())}
	for i := range n {
		cr := kiro.Credentials{AccessToken: "at-old", RefreshToken: "rt-old", AuthMethod: store.AuthSocial, ExpiresAt: expires}
		a, err := acc.Add(context.Background(), store.Account{Label: string(rune('A' + i)), AuthMethod: store.AuthSocial}, cr.Secret())
		require.NoError(t, err)
		f.ids = append(f.ids, a.ID)
	}
	f.pool = New(Options{File: st.Pool, Accounts: acc, Refresher: f.ref, Now: f.clk.Now})
	return f
}

func TestPickRoundRobinsAndSkipsTried(t *testing.T) {
	f := newFixture(t, 3, time.Now().Add(time.Hour))
	f.pool.strategy = func() string { return StrategyRoundRobin }
	seen := map[string]int{}
	for range 6 {
		a, err := f.pool.Pick(nil, "", "")
		require.NoError(t, err)
		seen[a.ID]++
	}
	for _, id := range f.ids {
		assert.Equal(t, 2, seen[id], "round robin spreads evenly")
	}
	tried := map[string]bool{f.ids[0]: true, f.ids[1]: true}
	f.assertPicks(t, 3, f.ids[2], tried, "", "")
	tried[f.ids[2]] = true
	_, err := f.pool.Pick(tried, "", "")
	var none *ErrNoAccount
	require.ErrorAs(t, err, &none)
	assert.Contains(t, none.Reason, "A, B and C: already failed for this request")
}

// inKeychain is what the keychain holds for account id.
func (f *fixture) inKeychain(t *testing.T, id string) kiro.Credentials {
	t.Helper()
	s, err := f.acc.Credentials(context.Background(), id)
	require.NoError(t, err)
	cr, err := kiro.ParseCredentials(s)
	require.NoError(t, err)
	return cr
}

// assertPicks picks n times with tried, key and model, and checks that
// every pick is want.
func (f *fixture) assertPicks(t *testing.T, n int, want string, tried map[string]bool, key, model string, msgAndArgs ...any) {
	t.Helper()
	for range n {
		a, err := f.pool.Pick(tried, key, model)
		require.NoError(t, err)
		assert.Equal(t, want, a.ID, msgAndArgs...)
	}
}

func TestNoAccountsSaysHowToAddOne(t *testing.T) {
	f := newFixture(t, 0, time.Time{})
	_, err := f.pool.Pick(nil, "", "")
	assert.ErrorContains(t, err, "no Kiro account is set up")
}

func TestExpiredTokenIsRefreshedOnceForManyRequests(t *testing.T) {
	f := newFixture(t, 1, time.Now().Add(time.Minute)) // inside RefreshBefore
	id := f.ids[0]
	var wg sync.WaitGroup
	got := make([]string, 50)
	for i := range 50 {
		wg.Go(func() {
			cr, err := f.pool.Credentials(context.Background(), id)
			if err == nil {
				got[i] = cr.AccessToken
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, f.ref.calls.Load(), "single flight")
	for _, tok := range got {
		assert.Equal(t, "at-1", tok)
	}
	// The rotated refresh token is in the keychain, not only in memory.
	assert.Equal(t, "rt-1", f.inKeychain(t, id).RefreshToken)
}

func TestRejectedTokenIsRefreshedOnceAndLaterCallersGetTheNewOne(t *testing.T) {
	f := newFixture(t, 1, time.Now().Add(time.Hour))
	id := f.ids[0]
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			cr, err := f.pool.Reauthorize(context.Background(), id, "at-old")
			assert.NoError(t, err)
			assert.Equal(t, "at-1", cr.AccessToken)
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, f.ref.calls.Load())
	cr, err := f.pool.Credentials(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, "at-1", cr.AccessToken, "no refresh for a fresh token")
	assert.EqualValues(t, 1, f.ref.calls.Load())
}

func TestDeadRefreshTokenMeansLoginNeeded(t *testing.T) {
	f := newFixture(t, 2, time.Now().Add(-time.Minute))
	f.ref.err = &kiro.UpstreamError{Status: 400, Class: kiro.ClassDeadRefresh, Message: "invalid_grant"}
	_, err := f.pool.Credentials(context.Background(), f.ids[0])
	require.Error(t, err)
	a := f.st.Pool.Snapshot().Account(f.ids[0])
	assert.Equal(t, store.StatusLoginNeeded, a.State.Status)
	assert.Contains(t, a.State.Reason, "log in again")
	// The other account is still picked; this one is not.
	f.assertPicks(t, 4, f.ids[1], nil, "", "")
}

func TestThrottleCoolsDownExponentiallyAndComesBackByItself(t *testing.T) {
	f := newFixture(t, 2, time.Now().Add(time.Hour))
	id, other := f.ids[0], f.ids[1]
	ctx := context.Background()
	throttle := &kiro.UpstreamError{Status: 429, Class: kiro.ClassThrottle, Message: "Too many requests"}
	f.pool.Report(ctx, id, Outcome{Err: throttle})
	a := f.st.Pool.Snapshot().Account(id)
	require.Equal(t, store.StatusCooling, a.State.Status)
	first := a.State.Until.Sub(f.clk.Now())
	assert.InDelta(t, 1.1*float64(time.Second), float64(first), float64(150*time.Millisecond))
	assert.Equal(t, "cooling down after 1 throttle(s) (429)", a.State.Reason)

	// While another account is ready, the cooling one is passed over.
	f.assertPicks(t, 5, other, nil, "", "")
	// A first throttle is a soft rest: with the other account out of this
	// request, the cooling one is still tried rather than refusing.
	b, err := f.pool.Pick(map[string]bool{other: true}, "", "")
	require.NoError(t, err, "a single throttle must not refuse a request")
	assert.Equal(t, id, b.ID)

	// Throttles of attempts begun after the rest started double it; from
	// the fifth in a row (about 15 s of trouble) the rest holds. Throttles
	// of attempts begun before it started are the same episode.
	f.pool.Report(ctx, id, Outcome{Err: throttle, Began: f.clk.Now().Add(-time.Second)})
	assert.Equal(t, first, f.st.Pool.Snapshot().Account(id).State.Until.Sub(f.clk.Now()), "in flight before the rest: no longer")
	want := []float64{2.2, 4.4, 8.8, 17.6}
	for i, w := range want {
		f.pool.Report(ctx, id, Outcome{Err: throttle, Began: f.clk.Now()})
		d := f.st.Pool.Snapshot().Account(id).State.Until.Sub(f.clk.Now())
		assert.InDelta(t, w, d.Seconds(), w*0.11, "throttle %d", i+2)
		if i < 2 {
			_, err := f.pool.Pick(map[string]bool{other: true}, "", "")
			require.NoError(t, err, "a soft rest after %d throttles", i+2)
		}
	}
	last := f.st.Pool.Snapshot().Account(id).State.Until.Sub(f.clk.Now())
	_, err = f.pool.Pick(map[string]bool{other: true}, "", "")
	var none *ErrNoAccount
	require.ErrorAs(t, err, &none, "five throttles in a row: the account rests")
	assert.InDelta(t, last.Seconds()+1, none.RetryAfter.Seconds(), 1.5)
	assert.Contains(t, none.Reason, "cooling down after 5 throttle(s) (429)")

	f.clk.Add(30 * time.Second)
	b, err = f.pool.Pick(map[string]bool{other: true}, "", "")
	require.NoError(t, err, "back by itself at its time")
	assert.Equal(t, id, b.ID)
	f.pool.Report(ctx, id, Outcome{InputTokens: 10, OutputTokens: 5})
	a = f.st.Pool.Snapshot().Account(id)
	assert.Equal(t, store.StatusReady, a.State.Status, "a success clears the cooldown")
	assert.EqualValues(t, 7, a.Counters.Requests)
	assert.EqualValues(t, 6, a.Counters.Errors)
	assert.EqualValues(t, 10, a.Counters.InputTokens)
	require.NotNil(t, a.LastError)
	assert.Contains(t, a.LastError.Message, "Too many requests")

	// After the success a new streak starts at 1 s again.
	f.pool.Report(ctx, id, Outcome{Err: throttle})
	assert.Equal(t, "cooling down after 1 throttle(s) (429)", f.st.Pool.Snapshot().Account(id).State.Reason)
}

func TestQuotaAndSuspension(t *testing.T) {
	f := newFixture(t, 2, time.Now().Add(time.Hour))
	ctx := context.Background()
	f.pool.Report(ctx, f.ids[0], Outcome{Err: &kiro.UpstreamError{Status: 402, Class: kiro.ClassQuota}})
	f.pool.Report(ctx, f.ids[1], Outcome{Err: &kiro.UpstreamError{Status: 403, Class: kiro.ClassSuspended, Message: "suspended"}})
	snap := f.st.Pool.Snapshot()
	assert.Equal(t, store.StatusExhausted, snap.Account(f.ids[0]).State.Status)
	assert.True(t, snap.Account(f.ids[0]).State.Until.After(f.clk.Now()))
	assert.Equal(t, store.StatusSuspended, snap.Account(f.ids[1]).State.Status)
	_, err := f.pool.Pick(nil, "", "")
	var none *ErrNoAccount
	require.ErrorAs(t, err, &none)
	assert.Contains(t, none.Reason, "monthly credits used up")
	assert.Contains(t, none.Reason, "suspended")
	assert.Positive(t, none.RetryAfter)
}

func TestRequestShapeErrorsDoNotBlameTheAccount(t *testing.T) {
	f := newFixture(t, 1, time.Now().Add(time.Hour))
	f.pool.Report(context.Background(), f.ids[0], Outcome{Err: &kiro.UpstreamError{Status: 400, Class: kiro.ClassBadRequest}})
	assert.Equal(t, store.StatusReady, f.st.Pool.Snapshot().Account(f.ids[0]).State.Status)
}

func TestConnectionFailuresRestTheAccountBriefly(t *testing.T) {
	f := newFixture(t, 1, time.Now().Add(time.Hour))
	ctx := context.Background()
	// One or two failures say nothing about the account: it keeps
	// serving, and the streak is remembered in a typed field.
	for i := 1; i < failuresBeforeRest; i++ {
		f.pool.Report(ctx, f.ids[0], Outcome{Err: errors.New("connection reset")})
		a := f.st.Pool.Snapshot().Account(f.ids[0])
		require.Equal(t, store.StatusReady, a.State.Status)
		assert.Equal(t, i, a.State.Streak)
		assert.Contains(t, a.LastError.Message, "connection reset")
	}
	f.pool.Report(ctx, f.ids[0], Outcome{Err: errors.New("connection reset")})
	a := f.st.Pool.Snapshot().Account(f.ids[0])
	require.Equal(t, store.StatusCooling, a.State.Status)
	assert.InDelta(t, 1.1, a.State.Until.Sub(f.clk.Now()).Seconds(), 0.15)
	assert.Equal(t, "cooling down after 3 failure(s) (no answer)", a.State.Reason)
	assert.Equal(t, 3, a.State.Streak)
	f.pool.Report(ctx, f.ids[0], Outcome{Err: &kiro.UpstreamError{Status: 504, Class: kiro.ClassServer}})
	a = f.st.Pool.Snapshot().Account(f.ids[0])
	assert.Equal(t, "cooling down after 4 failure(s) (504)", a.State.Reason)
	assert.InDelta(t, 2.2, a.State.Until.Sub(f.clk.Now()).Seconds(), 0.25)
	// A success ends the rest and the streak.
	f.pool.Report(ctx, f.ids[0], Outcome{})
	a = f.st.Pool.Snapshot().Account(f.ids[0])
	assert.Equal(t, store.AccountState{Status: store.StatusReady}, a.State)
	for range 20 {
		f.pool.Report(ctx, f.ids[0], Outcome{Err: errors.New("connection refused")})
	}
	a = f.st.Pool.Snapshot().Account(f.ids[0])
	assert.LessOrEqual(t, a.State.Until.Sub(f.clk.Now()), 6*time.Minute, "capped")
	// A throttle does not override a suspension.
	f.pool.Report(ctx, f.ids[0], Outcome{Err: &kiro.UpstreamError{Status: 403, Class: kiro.ClassSuspended}})
	f.pool.Report(ctx, f.ids[0], Outcome{Err: &kiro.UpstreamError{Status: 429, Class: kiro.ClassThrottle}})
	assert.Equal(t, store.StatusSuspended, f.st.Pool.Snapshot().Account(f.ids[0]).State.Status)
}

func TestDisabledAccountsAreNeverPicked(t *testing.T) {
	f := newFixture(t, 2, time.Now().Add(time.Hour))
	require.NoError(t, f.st.Pool.Update(context.Background(), func(p *store.Pool) error {
		p.Account(f.ids[0]).Disabled = true
		return nil
	}))
	f.assertPicks(t, 4, f.ids[1], nil, "", "")
}

func TestBackgroundRefresherRenewsTokensBeforeTheyExpire(t *testing.T) {
	f := newFixture(t, 2, time.Now().Add(time.Hour))
	// Account 0 expires in 2 minutes (always due), account 1 in an hour (never due).
	cr := kiro.Credentials{AccessToken: "at-old", RefreshToken: "rt-old", AuthMethod: store.AuthSocial, ExpiresAt: time.Now().Add(2 * time.Minute)}
	require.NoError(t, f.acc.SetCredentials(context.Background(), f.ids[0], cr.Secret()))
	cr.ExpiresAt = time.Now().Add(time.Hour)
	require.NoError(t, f.acc.SetCredentials(context.Background(), f.ids[1], cr.Secret()))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.pool.RunRefresher(ctx, time.Hour); close(done) }()
	require.Eventually(t, func() bool { return f.ref.calls.Load() == 1 }, 5*time.Second, 10*time.Millisecond)
	cancel()
	<-done
	got, err := f.pool.Credentials(context.Background(), f.ids[0])
	require.NoError(t, err)
	assert.Equal(t, "at-1", got.AccessToken, "renewed in the background; the request needs no refresh")
	assert.EqualValues(t, 1, f.ref.calls.Load(), "the hour-long token was left alone")
}

// Regression: a refresh whose caller gave up (client gone, shutdown) must
// still save the rotated refresh token, or the account needs a new login.
func TestRotatedTokenIsSavedEvenWhenTheCallerGaveUp(t *testing.T) {
	f := newFixture(t, 1, time.Now().Add(time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(10 * time.Millisecond); cancel() }() // during the 50 ms refresh
	got, err := f.pool.Credentials(ctx, f.ids[0])
	require.NoError(t, err, "the refresh itself succeeded")
	require.ErrorIs(t, ctx.Err(), context.Canceled, "the caller gave up while the refresh ran")
	assert.Equal(t, "rt-1", got.RefreshToken)
	assert.Equal(t, "rt-1", f.inKeychain(t, f.ids[0]).RefreshToken)
}

func TestCapacityErrorsRestTheModelNotTheAccount(t *testing.T) {
	f := newFixture(t, 2, time.Now().Add(time.Hour))
	ctx := context.Background()
	capacity := &kiro.UpstreamError{Status: 429, Class: kiro.ClassCapacity, Message: "high traffic"}
	f.pool.Report(ctx, f.ids[0], Outcome{Model: "claude-opus-4.5", Err: capacity})
	assert.Equal(t, store.StatusReady, f.st.Pool.Snapshot().Account(f.ids[0]).State.Status, "the account is fine")
	f.assertPicks(t, 4, f.ids[1], nil, "", "claude-opus-4.5", "the busy model is avoided on that account")
	a, err := f.pool.Pick(map[string]bool{f.ids[1]: true}, "", "claude-sonnet-4.5")
	require.NoError(t, err)
	assert.Equal(t, f.ids[0], a.ID, "other models still go there")

	// Both rest the model after one error each: a soft rest, so the one
	// that comes back first is still tried rather than refusing.
	f.pool.Report(ctx, f.ids[1], Outcome{Model: "claude-opus-4.5", Err: capacity})
	a, err = f.pool.Pick(nil, "", "claude-opus-4.5")
	require.NoError(t, err, "one capacity error per account must not refuse a request")
	// A success on the model ends its rest there.
	f.pool.Report(ctx, a.ID, Outcome{Model: "claude-opus-4.5"})
	assert.Empty(t, f.pool.ModelRests(a.ID))
	// Capacity errors that persist (five in a row) make the rest hold.
	for range 5 {
		f.pool.Report(ctx, f.ids[0], Outcome{Model: "claude-opus-4.5", Err: capacity})
		f.pool.Report(ctx, f.ids[1], Outcome{Model: "claude-opus-4.5", Err: capacity})
	}
	_, err = f.pool.Pick(nil, "", "claude-opus-4.5")
	var none *ErrNoAccount
	require.ErrorAs(t, err, &none)
	assert.Contains(t, none.Reason, "A and B: model claude-opus-4.5 busy, back in ")
	assert.Positive(t, none.RetryAfter)
	assert.LessOrEqual(t, none.RetryAfter, 80*time.Second)

	rests := f.pool.ModelRests(f.ids[1])
	require.Len(t, rests, 1)
	assert.Equal(t, "claude-opus-4.5", rests[0].Model)

	f.clk.Add(3 * time.Minute) // past the longest rest (2 min cap, +20%)
	_, err = f.pool.Pick(nil, "", "claude-opus-4.5")
	require.NoError(t, err, "the model comes back by itself")
	assert.Empty(t, f.pool.ModelRests(f.ids[0]))
	assert.Empty(t, f.pool.ModelRests(f.ids[1]))
}

// Failing over writes nothing to disk: cooldowns, streaks, exhaustion and
// last errors go out with the batched flush.
func TestReportDoesNoDiskWriteAndTheBatchKeepsTheStreak(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{FlushInterval: time.Hour})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close(context.Background()) })
	acc := accounts.New(st.Pool, secrets.NewMemory(), nil)
	var ids []string
	for i := range 3 {
		cr := kiro.Credentials{AccessToken: "at", RefreshToken: "rt", AuthMethod: store.AuthSocial, ExpiresAt: time.Now().Add(time.Hour)}
		a, err := acc.Add(context.Background(), store.Account{Label: string(rune('A' + i)), AuthMethod: store.AuthSocial}, cr.Secret())
		require.NoError(t, err)
		ids = append(ids, a.ID)
	}
	require.NoError(t, st.Pool.Flush(context.Background()))
	p := New(Options{File: st.Pool, Accounts: acc, Refresher: &countingRefresher{}})
	before := st.Pool.Stats().Writes
	ctx := context.Background()
	for range 2 {
		p.Report(ctx, ids[0], Outcome{Err: &kiro.UpstreamError{Status: 429, Class: kiro.ClassThrottle}})
	}
	p.Report(ctx, ids[1], Outcome{Err: &kiro.UpstreamError{Status: 402, Class: kiro.ClassQuota}})
	p.Report(ctx, ids[2], Outcome{Err: &kiro.UpstreamError{Status: 403, Class: kiro.ClassSuspended, Message: "x"}})
	assert.Equal(t, before, st.Pool.Stats().Writes, "no write on the request path")

	require.NoError(t, st.Pool.Flush(context.Background()))
	assert.Equal(t, before+1, st.Pool.Stats().Writes, "one batched write")
	snap := st.Pool.Snapshot()
	assert.Equal(t, 2, snap.Account(ids[0]).State.Streak)
	assert.Equal(t, store.StatusExhausted, snap.Account(ids[1]).State.Status)
	assert.Equal(t, store.StatusSuspended, snap.Account(ids[2]).State.Status)
}

// The request's own faults (a malformed or too-long request, a model no
// catalogue knows) leave the account's state and last error alone.
func TestClientFaultsLeaveTheAccountAlone(t *testing.T) {
	f := newFixture(t, 1, time.Now().Add(time.Hour))
	ctx := context.Background()
	for _, o := range []Outcome{
		{Err: &kiro.UpstreamError{Status: 400, Class: kiro.ClassBadRequest}},
		{Err: &kiro.UpstreamError{Status: 400, Class: kiro.ClassTooLong}},
		{Model: "gpt-4o", Err: &kiro.UpstreamError{Status: 400, Class: kiro.ClassModel}, ClientFault: true},
	} {
		f.pool.Report(ctx, f.ids[0], o)
	}
	a := f.st.Pool.Snapshot().Account(f.ids[0])
	assert.Equal(t, store.AccountState{Status: store.StatusReady}, a.State)
	assert.Nil(t, a.LastError)
	assert.Zero(t, a.Counters.Errors)
	assert.EqualValues(t, 3, a.Counters.Requests)
	assert.Empty(t, f.pool.ModelRests(f.ids[0]))
}

// A model that an account cannot use at all is said so, for the relay to
// answer 400 rather than "come back in an hour".
func TestEveryAccountWithoutTheModelIsReportedAsSuch(t *testing.T) {
	f := newFixture(t, 2, time.Now().Add(time.Hour))
	ctx := context.Background()
	for _, id := range f.ids {
		f.pool.Report(ctx, id, Outcome{Model: "claude-opus-4.8", Err: &kiro.UpstreamError{Status: 400, Class: kiro.ClassModel}})
	}
	_, err := f.pool.Pick(nil, "", "claude-opus-4.8")
	var none *ErrNoAccount
	require.ErrorAs(t, err, &none)
	assert.True(t, none.ModelUnavailable)
	assert.Contains(t, none.Reason, "A and B: cannot use model claude-opus-4.8")
	_, err = f.pool.Pick(nil, "", "claude-sonnet-4.5")
	require.NoError(t, err, "other models are served")
}

// Picking does not copy the pool: with 500 accounts one pick allocates
// a few pointers per account, not a copy of each (about 600 bytes apiece).
func TestPickDoesNotCopyEveryAccount(t *testing.T) {
	f := newFixture(t, 0, time.Time{})
	const n = 500
	require.NoError(t, f.st.Pool.Update(context.Background(), func(p *store.Pool) error {
		for i := range n {
			p.Accounts = append(p.Accounts, store.Account{ID: fmt.Sprintf("a%d", i), Label: "x", AuthMethod: store.AuthSocial,
				State: store.AccountState{Status: store.StatusReady}})
		}
		return nil
	}))
	_, _ = f.pool.Pick(nil, "k", "claude-sonnet-4.5")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const runs = 20
	for range runs {
		_, _ = f.pool.Pick(nil, "k", "claude-sonnet-4.5")
	}
	runtime.ReadMemStats(&after)
	perPick := (after.TotalAlloc - before.TotalAlloc) / runs
	assert.Less(t, perPick, uint64(n*32), "bytes allocated per pick with %d accounts", n)
}
