package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/pool"
	"kirodesk/internal/relay"
	"kirodesk/internal/reqlog"
	"kirodesk/internal/secrets"
	"kirodesk/internal/server"
	"kirodesk/internal/store"
	"kirodesk/internal/usage"
)

// classEnv is the whole request path (handlers, relay, pool, store) on the
// fake upstream, with n accounts labelled A, B, ... whose fake emails are
// a@fake, b@fake, ...
type classEnv struct {
	fake   *fakekiro.Server
	st     *store.Store
	url    string
	emails []string
	log    *reqlog.Log
	ledger *usage.Ledger
}

func newClassEnv(t *testing.T, n int) *classEnv {
	t.Helper()
	return newClassEnvWith(t, n, Options{})
}

// newClassEnvWith is newClassEnv with handler options (the relay and the
// model list are filled in), a request log, a usage ledger and, when
// given, the accounts' model catalogue.
func newClassEnvWith(t *testing.T, n int, opts Options, models ...fakekiro.Model) *classEnv {
	t.Helper()
	fo := fakekiro.Options{CheckHeaders: true}
	if len(models) > 0 {
		fo.Models = models // the accounts' own catalogue (ListAvailableModels)
	}
	fake := fakekiro.New(fo)
	t.Cleanup(fake.Close)
	st, err := store.Open(t.TempDir(), store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close(context.Background()) })
	acc := accounts.New(st.Pool, secrets.NewMemory(), nil)
	e := &classEnv{fake: fake, st: st}
	for i := range n {
		label := string(rune('A' + i))
		fa := fake.AddAccount(fakekiro.FakeAccount{Email: strings.ToLower(label) + "@fake"})
		cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthBuilderID,
			ExpiresAt: time.Now().Add(time.Hour)}
		_, err := acc.Add(context.Background(), store.Account{Label: label, AuthMethod: store.AuthBuilderID}, cr.Secret())
		require.NoError(t, err)
		e.emails = append(e.emails, fa.Email)
	}
	up := store.Upstream{APIBase: fake.URL, AuthBase: fake.URL, OIDCBase: fake.URL}
	client := kiro.New(kiro.Options{Upstream: func() store.Upstream { return up }})
	rl := relay.New(relay.Options{Pool: pool.New(pool.Options{File: st.Pool, Accounts: acc, Refresher: client}), Client: client,
		Backoff:  time.Millisecond,
		Timeouts: func() (time.Duration, time.Duration) { return 250 * time.Millisecond, 5 * time.Second }})
	e.log = reqlog.New(20, nil)
	e.ledger = usage.New(st.Usage, usage.Options{})
	t.Cleanup(e.ledger.Close)
	srv := server.New(server.Options{APIKey: secrets.New("kd-k"), Requests: e.log, Usage: e.ledger})
	opts.Relay, opts.Models, opts.Settings = rl, rl.Models, st.Config.Snapshot
	New(opts).Register(srv)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

type clientAPI struct {
	name, path string
	body       func(model string, stream bool) string
	openAI     bool
}

var clientAPIs = []clientAPI{
	{"anthropic", "/v1/messages", func(m string, s bool) string {
		return fmt.Sprintf(`{"model":%q,"max_tokens":50,"stream":%t,"messages":[{"role":"user","content":"hi"}]}`, m, s)
	}, false},
	{"openai-chat", "/v1/chat/completions", func(m string, s bool) string {
		return fmt.Sprintf(`{"model":%q,"stream":%t,"messages":[{"role":"user","content":"hi"}]}`, m, s)
	}, true},
	{"openai-responses", "/v1/responses", func(m string, s bool) string {
		return fmt.Sprintf(`{"model":%q,"stream":%t,"input":"hi"}`, m, s)
	}, true},
}

type answer struct {
	status     int
	retryAfter string
	errType    string // error.type in either shape
	code       string // OpenAI's error.code
	msg        string
	body       string
}

func (e *classEnv) post(t *testing.T, api clientAPI, model string, stream bool) answer {
	t.Helper()
	req, _ := http.NewRequest("POST", e.url+api.path, strings.NewReader(api.body(model, stream)))
	req.Header.Set("x-api-key", "kd-k")
	req.Header.Set("Authorization", "Bearer kd-k")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), body: string(b)}
	if resp.StatusCode != http.StatusOK {
		var shape struct {
			Error struct {
				Type    string  `json:"type"`
				Message string  `json:"message"`
				Code    *string `json:"code"`
			} `json:"error"`
		}
		require.NoError(t, json.Unmarshal(b, &shape), string(b))
		a.errType, a.msg = shape.Error.Type, shape.Error.Message
		if shape.Error.Code != nil {
			a.code = *shape.Error.Code
		}
	}
	return a
}

// chats is how many chat calls each account got, in label order.
func (e *classEnv) chats() []int {
	out := make([]int, len(e.emails))
	for i, m := range e.emails {
		out[i] = e.fake.Stats(m).Chats
	}
	return out
}

// upstream failure kinds by what the pool and relay make of them
const (
	transient  = iota // tried again: another account, then the same one
	perAccount        // this account cannot serve: each account once
	requests          // the request's fault: one call, nothing marked
	refused           // refused before any call
)

// Every upstream failure class, with one account and with several, on the
// three client APIs, streaming and not: the status, the error type in the
// client's shape, Retry-After, which accounts were tried, the accounts'
// state afterwards, and whether the next valid request is served at once.
func TestEveryUpstreamFailureClassReachesTheClientAsItself(t *testing.T) {
	corrupt := []byte{0, 0, 0, 40, 0, 0, 0, 0, 1, 2, 3, 4, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x',
		'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'}
	classes := []struct {
		name   string
		script fakekiro.Script
		model  string
		kind   int
		status int
		// Anthropic's and OpenAI's error types, OpenAI's code.
		anthropic, openai, code string
		retryAfter              bool
		msg                     string // in the message
		// state each account that was tried is left in; "" means untouched
		// (ready, no last error).
		state string
		// recovers: once Kiro is well, the next request is served at once.
		recovers bool
		// streamStarts: the fault comes after Kiro's 200, so a streaming
		// client already has its 200 and gets an error event.
		streamStarts bool
	}{
		{name: "5xx", script: fakekiro.Script{fakekiro.Status(500, `{"message":"boom"}`)}, kind: transient,
			status: 502, anthropic: "api_error", openai: "server_error", msg: "Kiro answered 500: boom", state: "failed", recovers: true},
		{name: "first-byte timeout", script: fakekiro.Script{fakekiro.Wait(5 * time.Second)}, kind: transient,
			status: 504, anthropic: "api_error", openai: "server_error", msg: "did not start answering within 250ms", state: "failed", recovers: true},
		{name: "reset before the first byte", script: fakekiro.Script{fakekiro.Drop()}, kind: transient,
			status: 502, anthropic: "api_error", openai: "server_error", msg: "no answer from Kiro: Post ", state: "failed", recovers: true},
		{name: "corrupt frame", script: fakekiro.Script{fakekiro.Raw(corrupt)}, kind: transient,
			status: 502, anthropic: "api_error", openai: "server_error", msg: "broke off", state: "failed", recovers: true, streamStarts: true},
		{name: "throttling", script: fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)}, kind: transient,
			status: 429, anthropic: "rate_limit_error", openai: "rate_limit_error", retryAfter: true, msg: "cooling down after",
			state: store.StatusCooling, recovers: true},
		{name: "capacity", script: fakekiro.Script{fakekiro.Status(429, fakekiro.BodyCapacity)}, kind: transient,
			status: 529, anthropic: "overloaded_error", openai: "server_error", retryAfter: true, msg: "high traffic",
			state: store.StatusReady, recovers: true},
		{name: "quota", script: fakekiro.Script{fakekiro.Status(402, fakekiro.BodyMonthlyLimit)}, kind: perAccount,
			status: 429, anthropic: "rate_limit_error", openai: "rate_limit_error", retryAfter: true, msg: "monthly credits used up",
			state: store.StatusExhausted},
		{name: "suspended", script: fakekiro.Script{fakekiro.Status(403, fakekiro.BodySuspended)}, kind: perAccount,
			status: 503, anthropic: "overloaded_error", openai: "server_error", msg: "Kiro suspended the account",
			state: store.StatusSuspended},
		{name: "model not available", script: fakekiro.Script{fakekiro.Status(400, fakekiro.BodyInvalidModel)}, kind: perAccount,
			status: 400, anthropic: "invalid_request_error", openai: "invalid_request_error", code: "model_not_found",
			msg: "is not available to Kiro account(s) A", state: store.StatusReady},
		{name: "malformed", script: fakekiro.Script{fakekiro.Status(400, fakekiro.BodyImproperlyFormed)}, kind: requests,
			status: 400, anthropic: "invalid_request_error", openai: "invalid_request_error", msg: "Improperly formed request", recovers: true},
		{name: "too long", script: fakekiro.Script{fakekiro.Status(400, fakekiro.BodyInputTooLong)}, kind: requests,
			status: 400, anthropic: "invalid_request_error", openai: "invalid_request_error", code: "context_length_exceeded",
			msg: "prompt is too long: ", recovers: true},
		{name: "unknown model", model: "gpt-4o", kind: refused,
			status: 400, anthropic: "invalid_request_error", openai: "invalid_request_error", code: "model_not_found",
			msg: `unknown model "gpt-4o"; models that work: auto, claude-sonnet-4.5,`, recovers: true},
	}
	for _, tc := range classes {
		for _, n := range []int{1, 2} {
			for _, api := range clientAPIs {
				for _, stream := range []bool{false, true} {
					t.Run(fmt.Sprintf("%s/%d-accounts/%s/stream=%t", tc.name, n, api.name, stream), func(t *testing.T) {
						e := newClassEnv(t, n)
						if tc.script != nil {
							e.fake.SetDefaultScript(func(fakekiro.RecordedRequest) fakekiro.Script { return tc.script })
						}
						model := tc.model
						if model == "" {
							model = "claude-sonnet-4-5"
						}
						got := e.post(t, api, model, stream)
						t.Logf("%d %s Retry-After %q: %s", got.status, got.code, got.retryAfter, got.msg)
						if stream && tc.streamStarts {
							assert.Equal(t, 200, got.status)
							assert.Contains(t, got.body, "error", "the stream ends with an error event")
						} else {
							assert.Equal(t, tc.status, got.status, got.body)
							want := tc.anthropic
							if api.openAI {
								want = tc.openai
								assert.Equal(t, tc.code, got.code, got.body)
							}
							assert.Equal(t, want, got.errType, got.body)
							if tc.retryAfter {
								secs, err := strconv.Atoi(got.retryAfter)
								require.NoError(t, err, "Retry-After %q", got.retryAfter)
								assert.Positive(t, secs)
							} else {
								assert.Empty(t, got.retryAfter)
							}
							assert.Contains(t, got.msg, tc.msg)
							if tc.kind == transient || tc.kind == perAccount {
								assert.Contains(t, got.msg, "A", "the message names the account")
							}
						}

						// Which accounts Kiro saw.
						calls := e.chats()
						total := 0
						for _, c := range calls {
							total += c
						}
						switch {
						case stream && tc.streamStarts:
							assert.Equal(t, 1, total, "after the client's 200 nothing is retried")
						case tc.kind == transient:
							want := 3 // maxAttempts
							if tc.name == "first-byte timeout" && n == 1 {
								want = 2 // each slow start costs the whole timeout: two per account
							}
							assert.Equal(t, want, total, "tries: %v", calls)
							for i, c := range calls {
								assert.Positive(t, c, "account %d was tried", i)
							}
						case tc.kind == perAccount:
							for i, c := range calls {
								assert.Equal(t, 1, c, "account %d once, never again", i)
							}
						case tc.kind == requests:
							assert.Equal(t, 1, total, "not failed over")
						case tc.kind == refused:
							assert.Zero(t, total, "refused before any call")
						}

						// The accounts' state and last error.
						for i, a := range e.st.Pool.Snapshot().Accounts {
							if calls[i] == 0 || tc.state == "" {
								assert.Equal(t, store.AccountState{Status: store.StatusReady}, a.State, "account %d", i)
								assert.Nil(t, a.LastError, "account %d", i)
								continue
							}
							require.NotNil(t, a.LastError, "account %d", i)
							switch tc.state {
							case "failed":
								// Failures without an answer rest an account only
								// from the third in a row, and softly: it stays in service.
								if calls[i] >= 3 {
									assert.Equal(t, store.StatusCooling, a.State.Status)
								} else {
									assert.Equal(t, store.StatusReady, a.State.Status)
								}
							default:
								assert.Equal(t, tc.state, a.State.Status, "account %d", i)
							}
						}

						if tc.recovers {
							e.fake.SetDefaultScript(nil)
							start := time.Now()
							ok := e.post(t, api, "claude-sonnet-4-5", stream)
							assert.Equal(t, 200, ok.status, ok.body)
							assert.Less(t, time.Since(start), 2*time.Second, "served at once")
						}
					})
				}
			}
		}
	}
}

// Issue 22's report, as a client met it: three requests for a model Kiro
// does not have (gpt-4o, many OpenAI clients' default) on a pool of four.
// Each is a 400 that names the models that work; no account is called,
// cooled or given a last error; the next valid request is a 200 at once,
// not a 429.
func TestThreeUnknownModelRequestsTouchNoAccount(t *testing.T) {
	for _, api := range clientAPIs {
		t.Run(api.name, func(t *testing.T) {
			e := newClassEnv(t, 4)
			before := e.st.Pool.Snapshot().Accounts
			for i := range 3 {
				got := e.post(t, api, "gpt-4o", false)
				assert.Equal(t, http.StatusBadRequest, got.status, "request %d: %s", i, got.body)
				assert.Equal(t, "invalid_request_error", got.errType)
				assert.Contains(t, got.msg, `unknown model "gpt-4o"; models that work: auto, claude-sonnet-4.5`)
				assert.Empty(t, got.retryAfter)
			}
			assert.Equal(t, []int{0, 0, 0, 0}, e.chats(), "no account was called")
			after := e.st.Pool.Snapshot().Accounts
			require.Len(t, after, 4)
			for i, a := range after {
				assert.Equal(t, before[i].State, a.State, "account %s", a.Label)
				assert.Equal(t, store.AccountState{Status: store.StatusReady}, a.State, "account %s", a.Label)
				assert.Nil(t, a.LastError, "account %s", a.Label)
			}
			start := time.Now()
			ok := e.post(t, api, "claude-sonnet-4-5", false)
			assert.Equal(t, http.StatusOK, ok.status, ok.body)
			assert.Less(t, time.Since(start), 2*time.Second, "served at once")
		})
	}
}
