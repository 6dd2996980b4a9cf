package relay

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/canon"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/eventstream"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/pool"
	"kirodesk/internal/reqlog"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/tokens"
)

type recorder struct {
	mu      sync.Mutex
	started *Started
	events  []canon.Event
	// flushedAt[i] is how many events had been written at the i-th Flush.
	flushedAt []int
}

func (r *recorder) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushedAt = append(r.flushedAt, len(r.events))
	return nil
}

func (r *recorder) Start(s Started) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started = &s
	return nil
}

func (r *recorder) Event(ev canon.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return nil
}

func (r *recorder) text() string {
	var resp canon.Response
	for _, ev := range r.events {
		_ = resp.Append(ev)
	}
	return canon.TextOf(resp.Content)
}

type env struct {
	fake  *fakekiro.Server
	st    *store.Store
	relay *Relay
	ids   []string
	fakes []fakekiro.FakeAccount
}

func newEnv(t *testing.T, n int) *env {
	t.Helper()
	fake := fakekiro.New(fakekiro.Options{CheckHeaders: true})
	t.Cleanup(fake.Close)
	st, err := store.Open(t.TempDir(), store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close(context.Background()) })
	acc := accounts.New(st.Pool, secrets.NewMemory(), nil)
	up := store.Upstream{APIBase: fake.URL, AuthBase: fake.URL, OIDCBase: fake.URL}
	client := kiro.New(kiro.Options{Upstream: func() store.Upstream { return up }})
	e := &env{fake: fake, st: st}
	for i := range n {
		fa := fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/P"})
		cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthSocial,
			ProfileARN: fa.ProfileARN, ExpiresAt: time.Now().Add(time.Hour)}
		a, err := acc.Add(context.Background(), store.Account{Label: string(rune('A' + i)), AuthMethod: store.AuthSocial}, cr.Secret())
		require.NoError(t, err)
		e.ids = append(e.ids, a.ID)
		e.fakes = append(e.fakes, fa)
	}
	p := pool.New(pool.Options{File: st.Pool, Accounts: acc, Refresher: client})
	e.relay = New(Options{Pool: p, Client: client, Backoff: time.Millisecond})
	return e
}

// do sends req through the relay and returns what it answered.
func (e *env) do(t *testing.T, req *canon.Request) *recorder {
	t.Helper()
	rec := &recorder{}
	require.NoError(t, e.relay.Do(context.Background(), req, rec))
	return rec
}

func hello() *canon.Request {
	return &canon.Request{Model: "claude-sonnet-4-5", MaxTokens: 100,
		Messages: []canon.Message{{Role: canon.RoleUser, Content: []canon.Block{{Type: canon.BlockText, Text: "hello"}}}}}
}

func TestRelayStreamsTextAndCounts(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("Hello "), fakekiro.Text("back"), fakekiro.Metering(0.5)})
	rec := e.do(t, hello())
	require.NotNil(t, rec.started)
	assert.Equal(t, e.ids[0], rec.started.Account)
	assert.Equal(t, "claude-sonnet-4.5", rec.started.Model)
	assert.Equal(t, "Hello back", rec.text())
	last := rec.events[len(rec.events)-1]
	assert.Equal(t, canon.EventStop, last.Kind)
	assert.Equal(t, canon.StopEndTurn, last.Stop)
	// The social account's profile ARN went with the request.
	chat := e.fake.ChatRequests()
	require.Len(t, chat, 1)
	assert.Contains(t, string(chat[0].Raw), `"profileArn":"arn:aws:codewhisperer:us-east-1:123456789012:profile/P"`)
	require.NoError(t, e.st.Pool.Flush(context.Background()))
	assert.EqualValues(t, 1, e.st.Pool.Snapshot().Accounts[0].Counters.Requests)
}

// Frames that arrive together leave together: the relay flushes when the
// next frame is not there yet, so a burst costs one write to the client, and
// frames that arrive apart are each flushed as they come (no buffering).
func TestRelayFlushesWhenTheNextFrameIsNotHereYet(t *testing.T) {
	e := newEnv(t, 1)
	// Ten frames in one write, as they arrive when Kiro is ahead of us.
	var frames bytes.Buffer
	w := eventstream.NewWriter(&frames)
	for range 10 {
		require.NoError(t, w.Event("assistantResponseEvent", map[string]string{"content": "x"}))
	}
	e.fake.Enqueue(fakekiro.Script{fakekiro.Raw(frames.Bytes())})
	rec := e.do(t, hello())
	assert.Equal(t, strings.Repeat("x", 10), rec.text())
	require.NotEmpty(t, rec.flushedAt)
	assert.Less(t, len(rec.flushedAt), 3, "a burst of 10 frames must not cost a flush each: %v", rec.flushedAt)
	assert.Equal(t, len(rec.events), rec.flushedAt[len(rec.flushedAt)-1], "the last events must be flushed")

	paced := fakekiro.Script{fakekiro.Text("a"), fakekiro.Delay(30 * time.Millisecond), fakekiro.Text("b"),
		fakekiro.Delay(30 * time.Millisecond), fakekiro.Text("c")}
	e.fake.Enqueue(paced)
	rec = e.do(t, hello())
	assert.Equal(t, "abc", rec.text())
	// Every text delta was flushed before the next frame arrived.
	deltas := 0
	for i, ev := range rec.events {
		if ev.Kind == canon.EventText {
			deltas++
			if deltas < 3 {
				assert.True(t, slices.ContainsFunc(rec.flushedAt, func(n int) bool { return n > i && n < len(rec.events) }),
					"delta %d not flushed before the next frame: flushes at %v of %d events", deltas, rec.flushedAt, len(rec.events))
			}
		}
	}
	assert.Equal(t, 3, deltas)
}

func TestRelayFailsOverBeforeTheClientSeesAByte(t *testing.T) {
	e := newEnv(t, 2)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)}, fakekiro.Script{fakekiro.Text("from the second")})
	rec := e.do(t, hello())
	assert.Equal(t, "from the second", rec.text())
	snap := e.st.Pool.Snapshot()
	cooled := 0
	for _, a := range snap.Accounts {
		if a.State.Status == store.StatusCooling {
			cooled++
		}
	}
	assert.Equal(t, 1, cooled, "the throttled account cools down")
}

func TestRelayRefreshesARejectedTokenOnce(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.ExpireAccessToken(e.fakes[0].AccessToken)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("after refresh")})
	rec := e.do(t, hello())
	assert.Equal(t, "after refresh", rec.text())
	assert.Equal(t, 1, e.fake.Calls(fakekiro.PathRefresh))
}

func TestRelayDoesNotRetryARequestShapeError(t *testing.T) {
	e := newEnv(t, 2)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(400, fakekiro.BodyImproperlyFormed)})
	rec := &recorder{}
	err := e.relay.Do(context.Background(), hello(), rec)
	var ue *kiro.UpstreamError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, kiro.ClassBadRequest, ue.Class)
	assert.Nil(t, rec.started)
	assert.Len(t, e.fake.ChatRequests(), 1, "one upstream call, no failover")
}

func TestRelayRefusesAnInvalidRequestWithoutCallingKiro(t *testing.T) {
	e := newEnv(t, 1)
	req := hello()
	req.Messages = append(req.Messages, canon.Message{Role: canon.RoleAssistant, Content: []canon.Block{{Type: canon.BlockText, Text: "prefill"}}})
	err := e.relay.Do(context.Background(), req, &recorder{})
	var re *payload.RuleError
	require.ErrorAs(t, err, &re)
	assert.Empty(t, e.fake.ChatRequests())
}

func TestRelayWithEveryAccountThrottledSaysWhenToComeBack(t *testing.T) {
	e := newEnv(t, 2)
	for range 3 {
		e.fake.Enqueue(fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)})
	}
	// The request that took the last account out is told when to come
	// back, which accounts rest, and why.
	err := e.relay.Do(context.Background(), hello(), &recorder{})
	var none *pool.ErrNoAccount
	require.ErrorAs(t, err, &none)
	assert.Positive(t, none.RetryAfter)
	assert.Regexp(t, `A: cooling down after \d throttle\(s\) \(429\), back in \d+s \(\d\d:\d\d:\d\d UTC\)`, none.Reason)
	assert.Regexp(t, `B: cooling down after \d throttle\(s\) \(429\), back in \d+s`, none.Reason)
	assert.Contains(t, none.Reason, "Too many requests")
	var ue *kiro.UpstreamError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, kiro.ClassThrottle, ue.Class)

	// One throttle each is a soft rest: the next request is still tried
	// (and here succeeds) instead of being refused.
	rec := e.do(t, hello())
	assert.Equal(t, "Echo: hello", rec.text(), "the answer of the account tried again")
	assert.Len(t, e.fake.ChatRequests(), 4)

	// Throttles that persist: after five in a row an account rests for
	// real, and once both do, requests are refused without calling Kiro.
	for range 30 {
		e.fake.Enqueue(fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)})
	}
	refused := false
	for range 15 {
		before := len(e.fake.ChatRequests())
		err = e.relay.Do(context.Background(), hello(), &recorder{})
		require.Error(t, err)
		if len(e.fake.ChatRequests()) == before {
			require.ErrorAs(t, err, &none)
			assert.Positive(t, none.RetryAfter)
			assert.Contains(t, none.Reason, "throttle(s) (429)")
			refused = true
			break
		}
	}
	assert.True(t, refused, "persistent throttling on every account must end in a refusal that says when to come back")
}

// Server errors everywhere are said as such (502 material, not "come back
// later"), naming the accounts tried, and one request's failures do not
// take the accounts out.
func TestRelayServerErrorsEverywhereAreSaidAsSuch(t *testing.T) {
	e := newEnv(t, 2)
	for range 3 {
		e.fake.Enqueue(fakekiro.Script{fakekiro.Status(500, `{"message":"boom"}`)})
	}
	err := e.relay.Do(context.Background(), hello(), &recorder{})
	var f *Failed
	require.ErrorAs(t, err, &f)
	assert.Equal(t, 3, f.Tries)
	assert.ElementsMatch(t, []string{"A", "B"}, f.Accounts)
	assert.Contains(t, err.Error(), "boom")
	var none *pool.ErrNoAccount
	assert.False(t, errors.As(err, &none))
	var ue *kiro.UpstreamError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, 500, ue.Status)
	for _, a := range e.st.Pool.Snapshot().Accounts {
		assert.Equal(t, store.StatusReady, a.State.Status, "two failures do not rest an account")
	}
}

// A model the catalogue lists that Kiro refuses on every account is the
// client's to fix: 400 with the models that work, not "come back in an
// hour".
func TestRelayModelUnavailableEverywhereIsPassedOn(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(400, fakekiro.BodyInvalidModel)})
	err := e.relay.Do(context.Background(), hello(), &recorder{})
	var me *ModelError
	require.ErrorAs(t, err, &me)
	assert.True(t, me.Unavailable)
	assert.Equal(t, []string{"A"}, me.Accounts)
	assert.Contains(t, me.Known, "claude-sonnet-4.5")
	var none *pool.ErrNoAccount
	assert.False(t, errors.As(err, &none))
	// The next request for it is answered the same, without calling Kiro.
	before := len(e.fake.ChatRequests())
	err = e.relay.Do(context.Background(), hello(), &recorder{})
	require.ErrorAs(t, err, &me)
	assert.Len(t, e.fake.ChatRequests(), before)
}

// A model no catalogue knows is refused before any call and marks nothing.
func TestRelayUnknownModelIsRefusedWithoutCallingKiro(t *testing.T) {
	e := newEnv(t, 2)
	req := hello()
	req.Model = "gpt-4o"
	for range 3 {
		err := e.relay.Do(context.Background(), req, &recorder{})
		var me *ModelError
		require.ErrorAs(t, err, &me)
		assert.False(t, me.Unavailable)
		assert.Contains(t, err.Error(), `unknown model "gpt-4o"`)
		assert.Contains(t, me.Known, fakekiro.DefaultModels()[0].ModelID)
	}
	assert.Empty(t, e.fake.ChatRequests())
	for _, a := range e.st.Pool.Snapshot().Accounts {
		assert.Equal(t, store.AccountState{Status: store.StatusReady}, a.State)
		assert.Nil(t, a.LastError)
	}
	rec := e.do(t, hello())
	assert.NotEmpty(t, rec.text())
}

// A Claude-shaped name no catalogue lists goes to Kiro (a model newer than
// the table); when Kiro does not know it either, the answer is the
// client's 400, with no failover and no account marked.
func TestRelayUnlistedClaudeModelRefusedByKiroMarksNoAccount(t *testing.T) {
	e := newEnv(t, 2)
	req := hello()
	req.Model = "claude-nonesuch-9"
	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(400, fakekiro.BodyInvalidModel)})
	err := e.relay.Do(context.Background(), req, &recorder{})
	var me *ModelError
	require.ErrorAs(t, err, &me)
	assert.Len(t, e.fake.ChatRequests(), 1, "not failed over")
	for _, a := range e.st.Pool.Snapshot().Accounts {
		assert.Equal(t, store.AccountState{Status: store.StatusReady}, a.State)
		assert.Nil(t, a.LastError)
	}
	e.do(t, hello())
}

func TestRelayCountsCredits(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("a"), fakekiro.Metering(0.5), fakekiro.Metering(0.75)},
		fakekiro.Script{fakekiro.Text("b"), fakekiro.Metering(0.25)})
	for range 2 {
		require.NoError(t, e.relay.Do(context.Background(), hello(), &recorder{}))
	}
	require.NoError(t, e.st.Pool.Flush(context.Background()))
	assert.InDelta(t, 1.0, e.st.Pool.Snapshot().Accounts[0].Counters.Credits, 1e-9, "the last meteringEvent of each turn counts")
}

func TestRelayMidStreamResetEndsWithOneErrorEvent(t *testing.T) {
	e := newEnv(t, 2)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("partial"), fakekiro.Reset()})
	rec := e.do(t, hello())
	require.NotEmpty(t, rec.events)
	last := rec.events[len(rec.events)-1]
	assert.Equal(t, canon.EventError, last.Kind)
	assert.Len(t, e.fake.ChatRequests(), 1, "after the first byte there is no failover")
}

// rewinder is a sink that has sent nothing yet (a non-streaming answer).
type rewinder struct{ recorder }

func (r *rewinder) Rewind() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events, r.started = nil, nil
	return true
}

// A non-streaming answer that breaks off has reached no client yet: the
// relay asks another account and the client gets a whole answer.
func TestRelayBrokenNonStreamingAnswerFailsOver(t *testing.T) {
	e := newEnv(t, 2)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("partial"), fakekiro.Reset()}, fakekiro.Script{fakekiro.Text("whole answer")})
	rec := &rewinder{}
	require.NoError(t, e.relay.Do(context.Background(), hello(), rec))
	assert.Equal(t, "whole answer", rec.text(), "nothing of the broken answer is kept")
	last := rec.events[len(rec.events)-1]
	assert.Equal(t, canon.EventStop, last.Kind)
	chat := e.fake.ChatRequests()
	require.Len(t, chat, 2)
	assert.NotEqual(t, chat[0].Header.Get("Authorization"), chat[1].Header.Get("Authorization"), "the second try went to the other account")
}

func TestRelayClientGoneIsNotTheAccountsFault(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("a"), fakekiro.Stall()})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	err := e.relay.Do(ctx, hello(), &recorder{})
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
	require.NoError(t, e.st.Pool.Flush(context.Background()))
	a := e.st.Pool.Snapshot().Accounts[0]
	assert.Equal(t, store.StatusReady, a.State.Status)
	assert.Zero(t, a.Counters.Errors)
}

func TestRelayFirstByteTimeoutFailsOver(t *testing.T) {
	e := newEnv(t, 2)
	// 600 ms, not less: the second account must answer within the same
	// timeout on a loaded 2-core machine running other packages' tests.
	e.relay.opts.Timeouts = func() (time.Duration, time.Duration) { return 600 * time.Millisecond, 2 * time.Second }
	e.fake.Enqueue(fakekiro.Script{fakekiro.Wait(8 * time.Second), fakekiro.Text("too late")},
		fakekiro.Script{fakekiro.Text("second account")})
	rec := &recorder{}
	start := time.Now()
	require.NoError(t, e.relay.Do(context.Background(), hello(), rec))
	assert.Less(t, time.Since(start), 4*time.Second, "the slow account is abandoned at the first-byte timeout")
	assert.Equal(t, "second account", rec.text())
	snap := e.st.Pool.Snapshot()
	var lastErr string
	for _, a := range snap.Accounts {
		if a.LastError != nil {
			lastErr = a.LastError.Message
		}
	}
	assert.Contains(t, lastErr, "did not start answering within 600ms")
}

func TestRelayIdleStreamIsCutWithAClearError(t *testing.T) {
	e := newEnv(t, 1)
	e.relay.opts.Timeouts = func() (time.Duration, time.Duration) { return time.Second, 200 * time.Millisecond }
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("start"), fakekiro.Stall()})
	rec := &recorder{}
	start := time.Now()
	require.NoError(t, e.relay.Do(context.Background(), hello(), rec))
	assert.Less(t, time.Since(start), 3*time.Second)
	last := rec.events[len(rec.events)-1]
	require.Equal(t, canon.EventError, last.Kind)
	assert.Contains(t, last.Err.Message, "Kiro sent nothing for 200ms")
}

func TestModelsComeFromTheAccountAndFallBackToTheBuiltInList(t *testing.T) {
	e := newEnv(t, 1)
	got := e.relay.Models(context.Background())
	require.Len(t, got, len(fakekiro.DefaultModels()))
	assert.Equal(t, fakekiro.DefaultModels()[0].ModelID, got[0].ID)
	e.relay.Models(context.Background())
	assert.Equal(t, 1, e.fake.Calls(fakekiro.PathModels), "cached for an hour")

	none := newEnv(t, 0)
	assert.Equal(t, payload.BuiltinModels(), none.relay.Models(context.Background()), "no account: the built-in list")
}

func TestConversationKey(t *testing.T) {
	a := hello()
	b := hello()
	b.Messages = append(b.Messages, canon.Message{Role: canon.RoleAssistant, Content: []canon.Block{{Type: canon.BlockText, Text: "x"}}},
		canon.Message{Role: canon.RoleUser, Content: []canon.Block{{Type: canon.BlockText, Text: "next turn"}}})
	assert.Equal(t, conversationKey(a), conversationKey(b), "later turns of one conversation share the key")
	c := hello()
	c.Messages[0].Content[0].Text = "another conversation"
	assert.NotEqual(t, conversationKey(a), conversationKey(c))
	d := hello()
	d.ConversationKey = "user_abc_session_1"
	assert.Equal(t, "user_abc_session_1", conversationKey(d), "the client's own key wins")
	assert.Empty(t, conversationKey(&canon.Request{}))
}

func TestRelayCapacityErrorRestsTheModelOnThatAccount(t *testing.T) {
	e := newEnv(t, 2)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(429, fakekiro.BodyCapacity)}, fakekiro.Script{fakekiro.Text("from the other")})
	rec := e.do(t, hello())
	assert.Equal(t, "from the other", rec.text())
	served := rec.started.Account
	for _, a := range e.st.Pool.Snapshot().Accounts {
		assert.Equal(t, store.StatusReady, a.State.Status, "a capacity error does not cool the account")
	}
	// The same model now goes straight to the other account: one upstream call.
	before := len(e.fake.ChatRequests())
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("again")})
	rec = e.do(t, hello())
	assert.Equal(t, "again", rec.text())
	assert.Len(t, e.fake.ChatRequests(), before+1)
	assert.Equal(t, served, rec.started.Account, "served by the account that had no capacity error")
}

func TestRelayAttemptsSettingBoundsTheFailover(t *testing.T) {
	e := newEnv(t, 2)
	limit := 1
	e.relay.opts.AttemptsSetting = func() int { return limit }
	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)}, fakekiro.Script{fakekiro.Text("from the second")})
	err := e.relay.Do(context.Background(), hello(), &recorder{})
	require.Error(t, err, "one attempt allowed: no failover")
	assert.Len(t, e.fake.ChatRequests(), 1)

	limit = 0 // the default (3) again: the second account answers
	rec := e.do(t, hello())
	assert.Equal(t, "from the second", rec.text())
}

func TestRelayNotesModelAccountAndUsageForTheRequestLog(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("hi"), fakekiro.Metering(0.25)})
	ctx, note := reqlog.WithNote(context.Background())
	require.NoError(t, e.relay.Do(ctx, hello(), &recorder{}))
	got := note.Entry(time.Now(), "POST", "/v1/messages", 200)
	assert.Equal(t, "claude-sonnet-4.5", got.Model)
	assert.Equal(t, e.ids[0], got.Account)
	assert.Positive(t, got.InputTokens)
	assert.Positive(t, got.OutputTokens)
	assert.InDelta(t, 0.25, got.Credits, 1e-9)
}

// With one account, each transient failure before the first byte is tried
// again on that account, and the client gets a normal answer.
func TestRelayRetriesTheOnlyAccountAfterATransientFailure(t *testing.T) {
	corrupt := []byte{0, 0, 0, 40, 0, 0, 0, 0, 1, 2, 3, 4, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'}
	cases := []struct {
		name   string
		script fakekiro.Script
	}{
		{"5xx", fakekiro.Script{fakekiro.Status(500, `{"message":"boom"}`)}},
		{"throttle", fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)}},
		{"capacity", fakekiro.Script{fakekiro.Status(429, fakekiro.BodyCapacity)}},
		{"reset before the first byte", fakekiro.Script{fakekiro.Drop()}},
		{"no first byte", fakekiro.Script{fakekiro.Wait(5 * time.Second), fakekiro.Text("too late")}},
		{"corrupt frame", fakekiro.Script{fakekiro.Raw(corrupt)}},
		{"cut off", fakekiro.Script{fakekiro.Text("partial"), fakekiro.Reset()}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1)
			e.relay.opts.Timeouts = func() (time.Duration, time.Duration) { return 300 * time.Millisecond, time.Second }
			e.fake.Enqueue(tc.script, fakekiro.Script{fakekiro.Text("whole answer")})
			rec := &rewinder{}
			require.NoError(t, e.relay.Do(context.Background(), hello(), rec))
			assert.Equal(t, "whole answer", rec.text())
			assert.Len(t, e.fake.ChatRequests(), 2)
			a := e.st.Pool.Snapshot().Accounts[0]
			assert.Equal(t, store.AccountState{Status: store.StatusReady}, a.State, "the success ended any rest")
			require.NotNil(t, a.LastError, "the failure is on record")
		})
	}
}

func TestRelaySameAccountBackoffGrowsAndIsBounded(t *testing.T) {
	e := newEnv(t, 1)
	e.relay.opts.Backoff = 50 * time.Millisecond
	for range 4 {
		e.fake.Enqueue(fakekiro.Script{fakekiro.Status(500, `{"message":"boom"}`)})
	}
	start := time.Now()
	err := e.relay.Do(context.Background(), hello(), &recorder{})
	took := time.Since(start)
	var f *Failed
	require.ErrorAs(t, err, &f)
	assert.Equal(t, 3, f.Tries, "maxAttempts bounds the tries")
	assert.Equal(t, []string{"A"}, f.Accounts)
	assert.Len(t, e.fake.ChatRequests(), 3)
	assert.Equal(t, 1, e.fake.Queued())
	assert.GreaterOrEqual(t, took, 150*time.Millisecond, "50 ms, then 100 ms")
	assert.Less(t, took, 2*time.Second)
	a := e.st.Pool.Snapshot().Accounts[0]
	assert.Equal(t, store.StatusCooling, a.State.Status, "three failures in a row rest the account")
	assert.Equal(t, 3, a.State.Streak)
	// The rest is soft: with no other account, the next request is still
	// tried, and after one more failure served.
	rec := e.do(t, hello())
	assert.NotEmpty(t, rec.text())
	assert.Len(t, e.fake.ChatRequests(), 5)
}

func TestRelayHonoursRetryAfterWithinItsCap(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.Enqueue(fakekiro.Script{fakekiro.StatusRetryAfter(429, fakekiro.BodyThrottled, time.Second)},
		fakekiro.Script{fakekiro.Text("after the wait")})
	start := time.Now()
	rec := e.do(t, hello())
	assert.GreaterOrEqual(t, time.Since(start), time.Second)
	assert.Equal(t, "after the wait", rec.text())

	// Longer than the cap: no wait, the client is told when to come back.
	e.fake.Enqueue(fakekiro.Script{fakekiro.StatusRetryAfter(429, fakekiro.BodyThrottled, 60*time.Second)})
	start = time.Now()
	err := e.relay.Do(context.Background(), hello(), &recorder{})
	assert.Less(t, time.Since(start), time.Second)
	var none *pool.ErrNoAccount
	require.ErrorAs(t, err, &none)
	assert.GreaterOrEqual(t, none.RetryAfter, 59*time.Second)
	assert.Len(t, e.fake.ChatRequests(), 3)
}

func TestRelayBackoffStopsWhenTheClientLeaves(t *testing.T) {
	e := newEnv(t, 1)
	e.relay.opts.Backoff = 10 * time.Second
	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(500, `{"message":"boom"}`)})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := e.relay.Do(ctx, hello(), &recorder{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 2*time.Second)
}

// Auth that a refresh did not fix cannot change on that account: no retry.
func TestRelayDoesNotRetryAnAccountWhoseLoginIsDead(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.ExpireAccessToken(e.fakes[0].AccessToken)
	e.fake.RevokeRefreshToken(e.fakes[0].RefreshToken)
	err := e.relay.Do(context.Background(), hello(), &recorder{})
	var none *pool.ErrNoAccount
	require.ErrorAs(t, err, &none)
	assert.Zero(t, none.RetryAfter)
	assert.Contains(t, none.Reason, "A: Kiro no longer accepts its refresh token")
	assert.Len(t, e.fake.ChatRequests(), 1)
}

// Each first-byte timeout costs the client the whole timeout: the only
// account gets a second try, not a third (a 90 s default would make that
// four and a half minutes of silence before the 504).
func TestRelaySlowStartIsTriedTwiceOnTheSameAccount(t *testing.T) {
	e := newEnv(t, 1)
	e.relay.opts.Attempts = 4
	e.relay.opts.Timeouts = func() (time.Duration, time.Duration) { return 200 * time.Millisecond, time.Second }
	for range 4 {
		e.fake.Enqueue(fakekiro.Script{fakekiro.Wait(3 * time.Second), fakekiro.Text("too late")})
	}
	err := e.relay.Do(context.Background(), hello(), &recorder{})
	var f *Failed
	require.ErrorAs(t, err, &f)
	assert.Equal(t, 2, f.Tries)
	assert.Contains(t, f.Error(), "did not start answering")
	assert.Len(t, e.fake.ChatRequests(), 2, "a third slow start on the same account is not waited for")
}

// The request log shows each account tried, in order, with what it did.
func TestRelayNotesEachTryForTheRequestLog(t *testing.T) {
	e := newEnv(t, 2)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)}, fakekiro.Script{fakekiro.Text("from the second")})
	ctx, note := reqlog.WithNote(context.Background())
	require.NoError(t, e.relay.Do(ctx, hello(), &recorder{}))
	got := note.Entry(time.Now(), "POST", "/v1/messages", 200)
	require.Len(t, got.Tries, 2)
	first, second := got.Tries[0], got.Tries[1]
	assert.ElementsMatch(t, e.ids, []string{first.Account, second.Account}, "two different accounts")
	assert.NotEqual(t, reqlog.OutcomeAnswered, first.Outcome)
	assert.Equal(t, 429, first.Status)
	assert.NotEmpty(t, first.Error)
	assert.NotEmpty(t, first.Label)
	assert.Equal(t, reqlog.OutcomeAnswered, second.Outcome)
	assert.Empty(t, second.Error)
	assert.Equal(t, second.Account, got.Account)
	assert.Empty(t, got.Error)
}

// A pause before a second try on the same account is in the log.
func TestRelayNotesTheWaitBeforeARetry(t *testing.T) {
	e := newEnv(t, 1)
	e.relay.opts.Backoff = 30 * time.Millisecond
	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(500, `{"message":"boom"}`)}, fakekiro.Script{fakekiro.Text("ok")})
	ctx, note := reqlog.WithNote(context.Background())
	require.NoError(t, e.relay.Do(ctx, hello(), &recorder{}))
	got := note.Entry(time.Now(), "POST", "/v1/messages", 200)
	require.Len(t, got.Tries, 2)
	assert.Equal(t, reqlog.OutcomeRetry, got.Tries[0].Outcome)
	assert.Equal(t, 500, got.Tries[0].Status)
	assert.Zero(t, got.Tries[0].WaitMs)
	assert.Equal(t, reqlog.OutcomeAnswered, got.Tries[1].Outcome)
	assert.Positive(t, got.Tries[1].WaitMs)
}

// When every try failed, the last one is the answer, not "tried again".
func TestRelayNotesTheLastTryOfAFailureAsFailed(t *testing.T) {
	e := newEnv(t, 1)
	e.relay.opts.Attempts = 2
	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(500, `{"message":"boom"}`)}, fakekiro.Script{fakekiro.Status(500, `{"message":"boom again"}`)})
	ctx, note := reqlog.WithNote(context.Background())
	require.Error(t, e.relay.Do(ctx, hello(), &recorder{}))
	got := note.Entry(time.Now(), "POST", "/v1/messages", 500)
	require.Len(t, got.Tries, 2)
	assert.Equal(t, reqlog.OutcomeRetry, got.Tries[0].Outcome)
	assert.Equal(t, reqlog.OutcomeFailed, got.Tries[1].Outcome)
	assert.Contains(t, got.Tries[1].Error, "boom again")
}

// The input estimate counted while Kiro answers is the whole request's
// count, the same after a failover to another account (counted once),
// and reaches Start (message_start) and the answer's usage.
func TestRelayInputEstimateIsTheRequestsCount(t *testing.T) {
	e := newEnv(t, 2)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)}, fakekiro.Script{fakekiro.Text("ok")})
	req := hello()
	req.System = strings.Repeat("You are a careful assistant who writes Go. ", 200)
	req.Messages[0].Content = append(req.Messages[0].Content, canon.Block{Type: canon.BlockText, Text: strings.Repeat("lots of context ", 500)})
	want := (&tokens.Counter{}).Request(req)
	require.Greater(t, want, 1000)
	rec := e.do(t, req)
	require.NotNil(t, rec.started)
	assert.Equal(t, want, rec.started.InputEstimate)
	var usage *canon.Usage
	for _, ev := range rec.events {
		if ev.Kind == canon.EventUsage {
			usage = ev.Usage
		}
	}
	require.NotNil(t, usage, "the answer ends with its usage")
	assert.Equal(t, want, usage.InputTokens, "Kiro sent no token usage: the estimate stands in")
}
