package api

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/canon"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/pool"
	"kirodesk/internal/relay"
	"kirodesk/internal/reqlog"
	"kirodesk/internal/secrets"
	"kirodesk/internal/server"
	"kirodesk/internal/store"
	"kirodesk/internal/tokens"
)

func TestRelayErrorsBecomeTheRightStatus(t *testing.T) {
	h := New(Options{})
	cases := []struct {
		err    error
		status int
		typ    string
		retry  string
	}{
		{&payload.RuleError{Rule: "trailing_assistant", Message: "ends with an assistant turn"}, 400, "invalid_request_error", ""},
		{&kiro.UpstreamError{Status: 400, Class: kiro.ClassBadRequest, Message: "Improperly formed request."}, 400, "invalid_request_error", ""},
		{&kiro.UpstreamError{Status: 400, Class: kiro.ClassTooLong, Message: "Input is too long."}, 400, "invalid_request_error", ""},
		{&kiro.UpstreamError{Status: 429, Class: kiro.ClassThrottle, Message: "Too many requests"}, 429, "rate_limit_error", ""},
		{&kiro.UpstreamError{Status: 503, Class: kiro.ClassCapacity, Message: "high traffic"}, 529, "overloaded_error", ""},
		{&kiro.UpstreamError{Status: 502, Class: kiro.ClassServer, Message: "bad gateway"}, 502, "api_error", ""},
		{&pool.ErrNoAccount{Reason: "no Kiro account can take this request now: 2 cooling", RetryAfter: 42 * time.Second}, 429, "rate_limit_error", "42"},
		{&pool.ErrNoAccount{Reason: "no Kiro account is set up"}, 503, "overloaded_error", ""},
		{&pool.ErrNoAccount{Reason: "model busy everywhere", RetryAfter: 21 * time.Second,
			Cause: &kiro.UpstreamError{Status: 429, Class: kiro.ClassCapacity}}, 529, "overloaded_error", "21"},
		{context.DeadlineExceeded, 504, "api_error", ""},
		{&relay.Failed{Last: &kiro.UpstreamError{Status: 504, Class: kiro.ClassServer, Message: "no first byte"}, Accounts: []string{"A"}, Tries: 3},
			504, "api_error", ""},
		{&relay.Failed{Last: errors.New("eventstream: checksum mismatch"), Accounts: []string{"A"}, Tries: 2}, 502, "api_error", ""},
		{&relay.Failed{Last: &kiro.UpstreamError{Status: 429, Class: kiro.ClassThrottle}, Accounts: []string{"A"}, Tries: 3,
			RetryAfter: 7 * time.Second}, 429, "rate_limit_error", "7"},
		{&relay.Failed{Last: &kiro.UpstreamError{Status: 429, Class: kiro.ClassCapacity}, Accounts: []string{"A"}, Tries: 3,
			RetryAfter: 1500 * time.Millisecond}, 529, "overloaded_error", "2"},
		{&relay.ModelError{Model: "gpt-4o", Known: []string{"auto"}}, 400, "invalid_request_error", ""},
		{errors.New("dial tcp: connection refused"), 502, "api_error", ""},
		// After the answer started, for an answer sent whole (a web search loop's later round).
		{&canon.StreamError{Type: "api_error", Message: "Kiro's response stream broke off"}, 502, "api_error", ""},
		{&canon.StreamError{Type: "overloaded_error", Message: "Kiro stopped the response: ThrottlingException"}, 529, "overloaded_error", ""},
		{&canon.StreamError{Type: canon.ErrContextTooLong, Message: "prompt is too long: x"}, 400, "invalid_request_error", ""},
	}
	for _, tc := range cases {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/v1/messages", nil)
		h.writeRelayError(w, r, tc.err)
		assert.Equal(t, tc.status, w.Code, "%v", tc.err)
		assert.Contains(t, w.Body.String(), `"type":"`+tc.typ+`"`, "%v", tc.err)
		assert.Equal(t, tc.retry, w.Header().Get("Retry-After"), "%v", tc.err)
	}
}

// stackWith is the API behind the server, over a real listener, with a
// request log, in front of a fake Kiro with one account; key is "kd-k".
func stackWith(t *testing.T, opts Options) (*fakekiro.Server, *httptest.Server, *reqlog.Log) {
	t.Helper()
	fake := fakekiro.New(fakekiro.Options{CheckHeaders: true})
	t.Cleanup(fake.Close)
	st, err := store.Open(t.TempDir(), store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close(context.Background()) })
	acc := accounts.New(st.Pool, secrets.NewMemory(), nil)
	fa := fake.AddAccount(fakekiro.FakeAccount{})
	cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthBuilderID, ExpiresAt: time.Now().Add(time.Hour)}
	_, err = acc.Add(context.Background(), store.Account{Label: "a", AuthMethod: store.AuthBuilderID}, cr.Secret())
	require.NoError(t, err)
	up := store.Upstream{APIBase: fake.URL, AuthBase: fake.URL, OIDCBase: fake.URL}
	client := kiro.New(kiro.Options{Upstream: func() store.Upstream { return up }})
	// The token counter's vocabulary loads on first use, which under -race
	// takes longer than the silences these tests time; the relay counts
	// while the upstream is already answering, so a cold load would eat
	// into them. Loaded here, before the clock starts.
	tok := &tokens.Counter{}
	tok.Text("warm")
	rl := relay.New(relay.Options{Pool: pool.New(pool.Options{File: st.Pool, Accounts: acc, Refresher: client}), Client: client, Tokens: tok})
	log := reqlog.New(10, nil)
	srv := server.New(server.Options{APIKey: secrets.New("kd-k"), Requests: log})
	opts.Relay = rl
	New(opts).Register(srv)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return fake, ts, log
}

// testStack is stackWith for a given ping interval.
func testStack(t *testing.T, ping time.Duration) (*fakekiro.Server, *httptest.Server, *reqlog.Log) {
	return stackWith(t, Options{Ping: ping})
}

// newStack is stackWith, for tests that need only the fake and the URL.
func newStack(t *testing.T, opts Options) (*fakekiro.Server, string) {
	fake, ts, _ := stackWith(t, opts)
	return fake, ts.URL
}

// streamHi posts a streaming "hi" to url's /v1/messages with the key and
// returns the answer, its body closed when the test ends.
func streamHi(t *testing.T, url string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/v1/messages", strings.NewReader(
		`{"model":"claude-sonnet-4-5","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("x-api-key", "kd-k")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// A long silence upstream gets pings, so clients and proxies keep the line.
func TestSilentStreamsArePinged(t *testing.T) {
	fake, url := newStack(t, Options{Ping: 100 * time.Millisecond})
	fake.Enqueue(fakekiro.Script{fakekiro.Text("a"), fakekiro.Delay(450 * time.Millisecond), fakekiro.Text("b")})
	resp := streamHi(t, url)
	pings := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if sc.Text() == "event: ping" {
			pings++
		}
	}
	assert.GreaterOrEqual(t, pings, 2, "a 450 ms silence with a 100 ms ping interval")
}

// What the translator dropped instead of refusing (a server tool Kiro
// cannot run) is in the request log's entry.
func TestRequestWarningsReachTheRequestLog(t *testing.T) {
	fake, ts, log := testStack(t, time.Second)
	fake.Enqueue(fakekiro.Script{fakekiro.Text("ok")})
	req, _ := http.NewRequest("POST", ts.URL+"/v1/messages", strings.NewReader(
		`{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}],
		"tools":[{"type":"web_search_20250305","name":"web_search"},{"type":"computer_20250124","name":"computer"},
		{"name":"a","input_schema":{"type":"object"}}]}`))
	req.Header.Set("x-api-key", "kd-k")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	entries := log.Since(0)
	require.Len(t, entries, 1)
	require.Len(t, entries[0].Warnings, 1, "web search is noted for the relay, not warned about")
	assert.Contains(t, entries[0].Warnings[0], `"computer_20250124" tool dropped`)
}
