package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/api"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/store"
)

// runEvents returns what a run emitted so far: its deltas in the order
// they were emitted, and its summary once there is one.
func (r *recorder) runEvents(id string) ([]PlaygroundDelta, *PlaygroundSummary) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var deltas []PlaygroundDelta
	for _, e := range r.named[EventPlaygroundDelta] {
		if d := e.(PlaygroundDelta); d.RunID == id {
			deltas = append(deltas, d)
		}
	}
	for _, e := range r.named[EventPlaygroundDone] {
		if s := e.(PlaygroundSummary); s.RunID == id {
			return deltas, &s
		}
	}
	return deltas, nil
}

// awaitRun waits for a run's summary.
func awaitRun(t *testing.T, rt *recorder, id string) ([]PlaygroundDelta, PlaygroundSummary) {
	t.Helper()
	var (
		deltas []PlaygroundDelta
		sum    *PlaygroundSummary
	)
	require.Eventually(t, func() bool { deltas, sum = rt.runEvents(id); return sum != nil }, 20*time.Second, 10*time.Millisecond)
	return deltas, *sum
}

// noKeyInEvents fails when any event the window received holds the key.
func noKeyInEvents(t *testing.T, rt *recorder, key string) {
	t.Helper()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	require.NotEmpty(t, key)
	all, err := json.Marshal(map[string]any{"named": rt.named, "status": rt.events})
	require.NoError(t, err)
	assert.NotContains(t, string(all), key, "an event carries the API key")
}

func TestPlaygroundStreamsAnAnswerThroughTheLocalAPI(t *testing.T) {
	a, rt, c, fake, _ := startOnFake(t)
	acc, _ := addFakeAccount(t, c, fake, "Work")
	fake.Enqueue(fakekiro.Script{fakekiro.Text("one "), fakekiro.Delay(30 * time.Millisecond), fakekiro.Text("two "),
		fakekiro.Delay(30 * time.Millisecond), fakekiro.Text("three"), fakekiro.Metering(0.25)})

	id, err := a.StartPlayground(PlaygroundRequest{Model: "claude-sonnet-4.5", Prompt: "Count to three", System: "Be brief."})
	require.NoError(t, err)
	deltas, sum := awaitRun(t, rt, id)

	var text strings.Builder
	for i, d := range deltas {
		assert.Equal(t, i+1, d.Seq, "deltas arrive in order")
		text.WriteString(d.Text)
	}
	assert.Equal(t, "one two three", text.String())
	assert.GreaterOrEqual(t, len(deltas), 3, "streamed, not sent whole")
	assert.True(t, sum.OK, sum.Error)
	assert.False(t, sum.Cancelled)
	assert.Equal(t, 200, sum.Status)
	assert.Equal(t, "claude-sonnet-4.5", sum.Model)
	assert.Equal(t, "end_turn", sum.StopReason)
	assert.Positive(t, sum.FirstByteMs)
	assert.GreaterOrEqual(t, sum.TotalMs, sum.FirstByteMs)
	assert.Positive(t, sum.InputTokens)
	assert.Positive(t, sum.OutputTokens)
	require.NotNil(t, sum.Credits)
	assert.InDelta(t, 0.25, *sum.Credits, 1e-9)
	assert.Equal(t, acc.ID, sum.Account)
	assert.Equal(t, "Work", sum.AccountLabel)
	assert.False(t, sum.Pinned)

	// Kiro got the prompt and the system prompt, as a client's request.
	chats := fake.ChatRequests()
	require.Len(t, chats, 1)
	assert.Contains(t, string(chats[0].Raw), "Count to three")
	assert.Contains(t, string(chats[0].Raw), "Be brief.")

	// It is in the request log like any client's request, with the figures
	// the summary shows.
	lines, err := a.Requests(0)
	require.NoError(t, err)
	require.Len(t, lines, 1)
	assert.Equal(t, "/v1/messages", lines[0].Path)
	assert.Equal(t, playgroundAgent+id, lines[0].UserAgent)
	assert.Equal(t, sum.InputTokens, lines[0].InputTokens)
	assert.Equal(t, sum.OutputTokens, lines[0].OutputTokens)
	assert.Empty(t, lines[0].Pinned)
	// And in the usage history.
	s, err := a.Usage("24h", "account")
	require.NoError(t, err)
	require.Len(t, s.Groups, 1)
	assert.Equal(t, "Work", s.Groups[0].Label)

	noKeyInEvents(t, rt, mustKey(t, a))
}

func TestPlaygroundRefusesWhatCannotBeSent(t *testing.T) {
	a, rt, c, fake, _ := startOnFake(t)
	_, err := a.StartPlayground(PlaygroundRequest{Model: "claude-sonnet-4.5", Prompt: "  "})
	require.ErrorContains(t, err, "type a prompt")
	_, err = a.StartPlayground(PlaygroundRequest{Prompt: "hi"})
	require.ErrorContains(t, err, "choose a model")

	// No account: the API's own refusal arrives as the summary.
	id, err := a.StartPlayground(PlaygroundRequest{Model: "claude-sonnet-4.5", Prompt: "hi"})
	require.NoError(t, err)
	deltas, sum := awaitRun(t, rt, id)
	assert.Empty(t, deltas)
	assert.False(t, sum.OK)
	assert.Equal(t, 503, sum.Status)
	assert.Contains(t, sum.Error, "no Kiro account is set up")
	assert.EqualValues(t, -1, sum.FirstByteMs)

	addFakeAccount(t, c, fake, "Work")
	models, err := a.PlaygroundModels()
	require.NoError(t, err)
	assert.Contains(t, models, "claude-sonnet-4.5")

	_, err = a.SetProxyEnabled(false)
	require.NoError(t, err)
	_, err = a.StartPlayground(PlaygroundRequest{Model: "claude-sonnet-4.5", Prompt: "hi"})
	require.ErrorContains(t, err, "the proxy is off")
	_, err = a.PlaygroundModels()
	require.ErrorContains(t, err, "the proxy is off")
}

// Cancel closes the request to the local API, and the proxy closes its
// call to Kiro: the fake sees its client leave.
func TestPlaygroundCancelStopsTheRequestUpstream(t *testing.T) {
	a, rt, c, fake, _ := startOnFake(t)
	addFakeAccount(t, c, fake, "Work")
	fake.Enqueue(fakekiro.Script{fakekiro.Text("first "), fakekiro.Stall()})

	id, err := a.StartPlayground(PlaygroundRequest{Model: "claude-sonnet-4.5", Prompt: "Talk forever"})
	require.NoError(t, err)
	require.Eventually(t, func() bool { d, _ := rt.runEvents(id); return len(d) == 1 }, 10*time.Second, 10*time.Millisecond)
	assert.Zero(t, fake.ClientsGone())
	require.NoError(t, a.CancelPlayground(id))
	deltas, sum := awaitRun(t, rt, id)
	assert.Len(t, deltas, 1)
	assert.True(t, sum.Cancelled)
	assert.False(t, sum.OK)
	assert.Empty(t, sum.Error)
	assert.Positive(t, sum.FirstByteMs)
	require.Eventually(t, func() bool { return fake.ClientsGone() == 1 }, 10*time.Second, 10*time.Millisecond,
		"the upstream call ended with the run")
	require.NoError(t, a.CancelPlayground(id), "a run already over: nothing to do")
	require.NoError(t, a.CancelPlayground("unknown"))
}

// A pinned run is served by the named account only, never another, and is
// refused when the account does not exist or is turned off.
func TestPlaygroundPinsOneAccount(t *testing.T) {
	a, rt, c, fake, _ := startOnFake(t)
	accA, faA := addFakeAccount(t, c, fake, "A")
	accB, faB := addFakeAccount(t, c, fake, "B")
	require.True(t, fake.SetAccountScript(faB.AccessToken, func(fakekiro.RecordedRequest) fakekiro.Script {
		return fakekiro.Script{fakekiro.Text("from B"), fakekiro.Metering(0.1)}
	}))
	run := func(account string) PlaygroundSummary {
		t.Helper()
		id, err := a.StartPlayground(PlaygroundRequest{Model: "claude-sonnet-4.5", Prompt: "who are you", Account: account})
		require.NoError(t, err)
		_, sum := awaitRun(t, rt, id)
		return sum
	}
	for _, strategy := range []string{"round-robin", "fill-first"} {
		_, err := a.UpdateSettings(SettingsPatch{Strategy: &strategy})
		require.NoError(t, err)
		for range 2 {
			sum := run(accB.ID)
			require.True(t, sum.OK, sum.Error)
			assert.Equal(t, accB.ID, sum.Account, strategy)
			assert.Equal(t, "B", sum.AccountLabel)
			assert.True(t, sum.Pinned)
		}
	}
	assert.Zero(t, fake.Stats(faA.AccessToken).Chats, "A never served a request pinned to B")
	lines, err := a.Requests(0)
	require.NoError(t, err)
	for _, l := range lines {
		assert.Equal(t, accB.ID, l.Pinned, "the request log says it was pinned")
	}

	// B out of credits: the pinned request fails; A is not asked.
	require.True(t, fake.SetAccountScript(faB.AccessToken, func(fakekiro.RecordedRequest) fakekiro.Script {
		return fakekiro.Script{fakekiro.Status(402, fakekiro.BodyMonthlyLimit)}
	}))
	sum := run(accB.ID)
	assert.False(t, sum.OK)
	assert.Equal(t, 429, sum.Status, sum.Error)
	assert.Contains(t, sum.Error, "B")
	assert.NotContains(t, sum.Error, "A:", "only the pinned account is reported")
	assert.Zero(t, fake.Stats(faA.AccessToken).Chats, "no failover to A")
	lines, _ = a.Requests(0)
	last := lines[len(lines)-1]
	require.NotEmpty(t, last.Tries)
	for _, try := range last.Tries {
		assert.Equal(t, accB.ID, try.Account)
	}

	// Only a caller holding the key gets as far as the pin.
	st, _ := a.Status()
	hr, err := http.NewRequest(http.MethodPost, st.Endpoint+"/v1/messages",
		strings.NewReader(`{"model":"claude-sonnet-4.5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	hr.Header.Set("x-api-key", "not-the-key")
	hr.Header.Set(api.PinHeader, accB.ID)
	resp, err := http.DefaultClient.Do(hr)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// Unknown and turned-off accounts are refused before anything is sent.
	chats := len(fake.ChatRequests())
	sum = run("no-such-account")
	assert.Equal(t, 400, sum.Status)
	assert.Contains(t, sum.Error, `pinned to account "no-such-account", which is not set up`)
	require.NoError(t, a.SetAccountEnabled(accA.ID, false))
	sum = run(accA.ID)
	assert.Equal(t, 400, sum.Status)
	assert.Contains(t, sum.Error, "is turned off")
	assert.Len(t, fake.ChatRequests(), chats, "nothing reached Kiro")
	lines, _ = a.Requests(0)
	assert.Equal(t, accA.ID, lines[len(lines)-1].Pinned)
	assert.Equal(t, 400, lines[len(lines)-1].Status)

	// The pool as clients get it: A is off, so B serves (its own script).
	require.True(t, fake.SetAccountScript(faB.AccessToken, nil))
	require.NoError(t, a.RetryAccount(accB.ID))
	sum = run("")
	require.True(t, sum.OK, sum.Error)
	assert.Equal(t, accB.ID, sum.Account)
	assert.False(t, sum.Pinned)
	assert.Equal(t, store.StatusReady, accountState(t, a, accB.ID))

	noKeyInEvents(t, rt, mustKey(t, a))
}

func accountState(t *testing.T, a *App, id string) string {
	t.Helper()
	list, err := a.Accounts()
	require.NoError(t, err)
	for _, acc := range list {
		if acc.ID == id {
			return acc.State
		}
	}
	t.Fatalf("no account %s", id)
	return ""
}
