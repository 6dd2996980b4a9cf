package core

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/store"
)

// Two accounts, the first failing one way: every request succeeds on the
// second, the first is taken out (after one account-specific failure, or
// the third failure without an answer in a row), and it comes back
// when its time has come (or, when suspended, when a person acts). Through
// the whole stack: HTTP, API, relay, pool, keychain and the fake upstream.
func TestFailoverAndComeBackThroughTheProxy(t *testing.T) {
	reset := func(e *served) time.Time { return e.clock.Now().Add(72 * time.Hour).Truncate(time.Second) }
	cases := []struct {
		name   string
		script fakekiro.Script
		state  string
		reason string
		// setup runs before the failure (e.g. the quota's reset date);
		// wait moves the clock to just before the account may return,
		// back to just after. Both nil: a person must act (Reset).
		setup      func(t *testing.T, e *served)
		wait, back func(e *served)
		// tries is how many failures take the account out (0: one).
		tries int
	}{
		{name: "429", script: fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)},
			state: store.StatusCooling, reason: "cooling down after 1 throttle(s) (429)",
			wait: func(e *served) { e.clock.Add(900 * time.Millisecond) }, back: func(e *served) { e.clock.Add(time.Second) }},
		{name: "402", script: fakekiro.Script{fakekiro.Status(402, fakekiro.BodyMonthlyLimit)},
			state: store.StatusExhausted, reason: "monthly credits used up (402)",
			setup: func(t *testing.T, e *served) {
				l := fakekiro.DefaultUsageLimits(e.emails[0])
				l.UsageBreakdownList[0].NextDateReset = float64(reset(e).Unix())
				require.True(t, e.fake.SetUsageLimits(e.emails[0], l))
				_, err := e.core.Pool.RefreshQuota(context.Background(), e.ids[0])
				require.NoError(t, err)
			},
			wait: func(e *served) { e.clock.Add(71 * time.Hour) }, back: func(e *served) { e.clock.Add(time.Hour + time.Second) }},
		{name: "403 suspended", script: fakekiro.Script{fakekiro.Status(403, fakekiro.BodySuspended)},
			state: store.StatusSuspended, reason: "Kiro suspended the account"},
		{name: "connection reset", script: fakekiro.Script{fakekiro.Drop()},
			state: store.StatusCooling, reason: "cooling down after 3 failure(s) (no answer)", tries: 3,
			wait: func(e *served) { e.clock.Add(900 * time.Millisecond) }, back: func(e *served) { e.clock.Add(time.Second) }},
		{name: "first-byte timeout", script: fakekiro.Script{fakekiro.Wait(3 * time.Second), fakekiro.Text("too late")},
			state: store.StatusCooling, reason: "cooling down after 3 failure(s) (504)", tries: 3,
			wait: func(e *served) { e.clock.Add(900 * time.Millisecond) }, back: func(e *served) { e.clock.Add(time.Second) }},
	}
	for _, tc := range cases {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s stream=%v", tc.name, stream), func(t *testing.T) {
				e := serve(t, serveOpts{accounts: 2, config: func(c *store.Config) {
					c.Strategy = "round-robin" // every other request goes to the failing account first
					c.FirstByteTimeout = 1
				}})
				if tc.setup != nil {
					tc.setup(t, e)
				}
				bad, good := e.emails[0], e.emails[1]
				tries := max(tc.tries, 1)
				script := tc.script
				e.fake.SetAccountScript(bad, func(fakekiro.RecordedRequest) fakekiro.Script { return script })
				for i := range 6 {
					a := e.ask(t, stream, "question "+strconv.Itoa(i))
					require.Equal(t, 200, a.status, "request %d: %+v", i, a)
					assert.Equal(t, "Echo: question "+strconv.Itoa(i), a.text)
					assert.Empty(t, a.err)
				}
				assert.Equal(t, tries, e.fake.Stats(bad).Chats, "the failing account is tried until its failures say enough, then left out")
				assert.Equal(t, 6, e.fake.Stats(good).Chats)
				st := e.account(t, 0)
				assert.Equal(t, tc.state, st.State)
				assert.Contains(t, st.Reason, tc.reason)

				// The account is healthy again, but it stays out until its time.
				e.fake.SetAccountScript(bad, nil)
				if tc.wait != nil {
					tc.wait(e)
				} else {
					e.clock.Add(365 * 24 * time.Hour) // no time brings a suspended account back
				}
				for range 4 {
					require.Equal(t, 200, e.ask(t, stream, "still out").status)
				}
				assert.Equal(t, tries, e.fake.Stats(bad).Chats, "not used before its time")
				assert.Equal(t, tc.state, e.account(t, 0).State)

				if tc.back != nil {
					tc.back(e)
				} else {
					require.NoError(t, e.core.Pool.Reset(context.Background(), e.ids[0]), "a person acts")
				}
				assert.Equal(t, store.StatusReady, e.account(t, 0).State)
				for range 4 {
					require.Equal(t, 200, e.ask(t, stream, "back").status)
				}
				assert.Equal(t, tries+2, e.fake.Stats(bad).Chats, "back in the rotation: every other request")
			})
		}
	}
}

// One throttle per account is a soft rest (the next request still tries
// them); throttling that persists takes every account out, and then the
// client gets 429 with a Retry-After that counts down to the first
// account's return, and a message naming why, without any call to Kiro.
func TestEveryAccountCoolingDownGives429WithRetryAfter(t *testing.T) {
	e := serve(t, serveOpts{accounts: 2})
	for _, m := range e.emails {
		e.fake.SetAccountScript(m, func(fakekiro.RecordedRequest) fakekiro.Script {
			return fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)}
		})
	}
	first := e.ask(t, false, "x")
	require.Equal(t, 429, first.status)
	assert.Regexp(t, `acct0@example.com: cooling down after \d throttle\(s\) \(429\), back in \d+s`, first.err)
	assert.Regexp(t, `acct1@example.com: cooling down after \d throttle\(s\) \(429\), back in \d+s`, first.err)
	assert.Contains(t, first.err, "Too many requests")

	// Each request still tries the soft-resting accounts until the streak
	// makes the rest hold; then a request is refused without calling Kiro.
	var refused answer
	for i := range 15 {
		calls := e.fake.Calls(fakekiro.PathChat)
		a := e.ask(t, false, "again "+strconv.Itoa(i))
		require.Equal(t, 429, a.status)
		if e.fake.Calls(fakekiro.PathChat) == calls {
			refused = a
			break
		}
	}
	require.NotEmpty(t, refused.retryAfter, "persistent throttles on every account must end in a refusal")

	// The earliest return, from the pool's own record.
	var earliest time.Time
	for _, a := range e.status(t).Accounts {
		if earliest.IsZero() || a.Until.Before(earliest) {
			earliest = a.Until
		}
	}
	want := earliest.Sub(e.clock.Now()).Round(time.Second) + time.Second
	got, err := strconv.Atoi(refused.retryAfter)
	require.NoError(t, err, "Retry-After %q", refused.retryAfter)
	assert.Equal(t, int(want.Seconds()), got)
	assert.GreaterOrEqual(t, got, 17, "five throttles in a row rest 16 s and more")
	assert.Contains(t, refused.err, "cooling down after 5 throttle(s) (429)")

	calls := e.fake.Calls(fakekiro.PathChat)
	e.clock.Add(2 * time.Second)
	for _, stream := range []bool{false, true} {
		a := e.ask(t, stream, "y")
		require.Equal(t, 429, a.status)
		n, _ := strconv.Atoi(a.retryAfter)
		assert.Equal(t, got-2, n, "Retry-After counts down")
	}
	assert.Equal(t, calls, e.fake.Calls(fakekiro.PathChat), "nobody calls Kiro while every account rests")

	for _, m := range e.emails {
		e.fake.SetAccountScript(m, nil)
	}
	e.clock.Add(time.Duration(got-2) * time.Second)
	assert.Equal(t, 200, e.ask(t, false, "z").status, "back at the announced time")
}

// 100 concurrent requests find the account's access token expired: one
// refresh upstream, and all 100 succeed. Twice: once when the stored expiry
// says so (refresh before use), once when Kiro refuses a token that looked
// valid (401, refresh once, retry).
func TestHundredConcurrentRequestsRefreshOnce(t *testing.T) {
	for _, how := range []string{"stored expiry passed", "refused by Kiro"} {
		t.Run(how, func(t *testing.T) {
			o := serveOpts{accounts: 1}
			if how == "stored expiry passed" {
				o.expires = time.Now().Add(-time.Minute)
			}
			e := serve(t, o)
			e.fake.ExpireAccessToken(e.fake.Accounts()[0].AccessToken) // it really is dead upstream
			var wg sync.WaitGroup
			answers := make([]answer, 100)
			errs := make([]error, 100)
			start := time.Now()
			for i := range 100 {
				wg.Go(func() { answers[i], errs[i] = e.tryAsk(i%2 == 0, "q"+strconv.Itoa(i)) })
			}
			wg.Wait()
			took := time.Since(start)
			for i := range 100 {
				require.NoError(t, errs[i])
				require.Equal(t, 200, answers[i].status, "request %d: %+v", i, answers[i])
				require.Equal(t, "Echo: q"+strconv.Itoa(i), answers[i].text)
			}
			assert.Equal(t, 1, e.fake.Calls(fakekiro.PathRefresh), "single flight")
			assert.Equal(t, 100, e.fake.Stats(e.emails[0]).Chats, "every request was answered by Kiro with the new token")
			t.Logf("FIGURE refresh (%s): 100 concurrent requests, %d refresh call(s), %d chat calls incl. 401s, %s",
				how, e.fake.Calls(fakekiro.PathRefresh), e.fake.Calls(fakekiro.PathChat), took.Round(time.Millisecond))
		})
	}
}
