package fakekiro

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/kiro/eventstream"
)

func newServer(t *testing.T, opts Options) *Server {
	t.Helper()
	s := New(opts)
	t.Cleanup(s.Close)
	require.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:"), s.URL)
	return s
}

func chatBody(content string) string {
	b, _ := json.Marshal(map[string]any{
		"conversationState": map[string]any{
			"conversationId": "c1", "chatTriggerType": "MANUAL", "agentTaskType": "vibe",
			"currentMessage": map[string]any{"userInputMessage": map[string]any{"content": content, "modelId": "claude-sonnet-4.5", "origin": "AI_EDITOR"}},
		},
		"profileArn": "arn:aws:codewhisperer:us-east-1:123456789012:profile/X",
	})
	return string(b)
}

func post(t *testing.T, s *Server, ctx context.Context, path, token, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func get(t *testing.T, s *Server, path, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func decodeJSON(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	return m
}

// events decodes a whole chat answer with the real reader.
func events(t *testing.T, resp *http.Response) ([]eventstream.Event, error) {
	t.Helper()
	rd := eventstream.NewReader(resp.Body)
	var evs []eventstream.Event
	for {
		ev, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return evs, nil
		}
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev)
	}
}

func TestChatAuth(t *testing.T) {
	s := newServer(t, Options{})
	a := s.AddAccount(FakeAccount{AccessToken: "good"})
	for _, tc := range []struct {
		name, token string
		code        int
	}{
		{"missing", "", 401}, {"unknown", "bad", 401}, {"known", a.AccessToken, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(t, s, context.Background(), PathChat, tc.token, chatBody("hi"))
			assert.Equal(t, tc.code, resp.StatusCode)
			if tc.code == 401 {
				b, _ := io.ReadAll(resp.Body)
				assert.JSONEq(t, InvalidTokenBody, string(b))
			}
		})
	}
	s.ExpireAccessToken("good")
	resp := post(t, s, context.Background(), PathChat, "good", chatBody("hi"))
	assert.Equal(t, 401, resp.StatusCode, "expired token")

	s2 := newServer(t, Options{InvalidTokenStatus: 403})
	assert.Equal(t, 403, post(t, s2, context.Background(), PathChat, "x", chatBody("hi")).StatusCode)
}

func TestChatDefaultEchoAndRecording(t *testing.T) {
	s := newServer(t, Options{})
	a := s.AddAccount(FakeAccount{})
	resp := post(t, s, context.Background(), PathChat, a.AccessToken, chatBody("what is 2+2?"))
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "application/vnd.amazon.eventstream", resp.Header.Get("Content-Type"))
	evs, err := events(t, resp)
	require.NoError(t, err)
	var text strings.Builder
	kinds := map[eventstream.Kind]int{}
	for _, ev := range evs {
		kinds[ev.Kind]++
		text.WriteString(ev.Text)
	}
	assert.Equal(t, "Echo: what is 2+2?", text.String())
	assert.Equal(t, 1, kinds[eventstream.KindMetering])
	assert.Equal(t, 1, kinds[eventstream.KindContextUsage])

	reqs := s.ChatRequests()
	require.Len(t, reqs, 1)
	require.NotNil(t, reqs[0].Chat)
	assert.Equal(t, "what is 2+2?", reqs[0].Chat.LastUserContent())
	assert.Equal(t, "claude-sonnet-4.5", reqs[0].Chat.ConversationState.CurrentMessage.UserInputMessage.ModelID)
	assert.Equal(t, "Bearer "+a.AccessToken, reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "MANUAL", reqs[0].JSON["conversationState"].(map[string]any)["chatTriggerType"])
	assert.Equal(t, 1, s.Calls(PathChat))
}

func TestChatScriptPlayback(t *testing.T) {
	s := newServer(t, Options{})
	a := s.AddAccount(FakeAccount{})
	input := `{"path":"/tmp/日本語.txt","content":"` + strings.Repeat("x", 100) + `"}`
	s.Enqueue(Script{
		Reasoning("let me think"),
		Text("Hello "), Text("wörld"),
		ToolUse("t1", "write", input, 5, true),
		ToolUse("t2", "big", `{"content":"cut off here`, 3, false),
		Event("brandNewEvent", map[string]int{"x": 1}),
		Metering(0.25), ContextUsage(0.4),
		Usage(eventstream.TokenUsage{UncachedInput: 1, CacheRead: 2, CacheWrite: 3, Output: 4, Total: 10}),
		Exception("ThrottlingException", "slow down"),
	})
	resp := post(t, s, context.Background(), PathChat, a.AccessToken, chatBody("go"))
	evs, err := events(t, resp)
	require.NoError(t, err)

	var text strings.Builder
	var tc eventstream.ToolCalls
	var got []eventstream.Kind
	for _, ev := range evs {
		if len(got) == 0 || got[len(got)-1] != ev.Kind {
			got = append(got, ev.Kind)
		}
		switch ev.Kind {
		case eventstream.KindText:
			text.WriteString(ev.Text)
		case eventstream.KindToolUse:
			tc.Add(*ev.ToolUse)
		case eventstream.KindMetering:
			assert.Equal(t, 0.25, ev.Credits)
		case eventstream.KindContextUsage:
			assert.Equal(t, 40.0, ev.ContextPercent)
		case eventstream.KindUsage:
			assert.Equal(t, eventstream.TokenUsage{UncachedInput: 1, CacheRead: 2, CacheWrite: 3, Output: 4, Total: 10}, *ev.Usage)
		case eventstream.KindException:
			assert.Equal(t, &eventstream.Exception{Type: "ThrottlingException", Message: "slow down"}, ev.Exception)
		case eventstream.KindReasoning:
			assert.Equal(t, "let me think", ev.Reasoning.Text)
		}
	}
	assert.Equal(t, []eventstream.Kind{
		eventstream.KindReasoning, eventstream.KindText, eventstream.KindToolUse, eventstream.KindIgnored,
		eventstream.KindMetering, eventstream.KindContextUsage, eventstream.KindUsage, eventstream.KindException,
	}, got)
	assert.Equal(t, "Hello wörld", text.String())
	calls := tc.Finish()
	require.Len(t, calls, 2)
	assert.Equal(t, eventstream.ToolCall{ID: "t1", Name: "write", Input: input, Status: eventstream.ToolCallComplete}, calls[0])
	assert.Equal(t, eventstream.ToolCallTruncated, calls[1].Status)

	// Metered credits show up in the account's quota.
	lim := decodeJSON(t, get(t, s, PathUsage+"?origin=AI_EDITOR&resourceType=AGENTIC_REQUEST", a.AccessToken))
	b := lim["usageBreakdownList"].([]any)[0].(map[string]any)
	assert.Equal(t, 0.25, b["currentUsageWithPrecision"])
	assert.Equal(t, 0, s.Queued())
}

func TestChatStatusAndValidation(t *testing.T) {
	s := newServer(t, Options{})
	a := s.AddAccount(FakeAccount{})
	s.Enqueue(Script{Status(402, BodyMonthlyLimit)})
	resp := post(t, s, context.Background(), PathChat, a.AccessToken, chatBody("hi"))
	assert.Equal(t, 402, resp.StatusCode)
	assert.JSONEq(t, BodyMonthlyLimit, mustRead(t, resp))

	for name, body := range map[string]string{
		"not json":      "{",
		"empty content": chatBody("  "),
		"auto trigger":  strings.Replace(chatBody("x"), "MANUAL", "AUTO", 1),
		"inference cfg": strings.Replace(chatBody("x"), `"profileArn"`, `"inferenceConfig":{"maxTokens":5},"profileArn"`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			resp := post(t, s, context.Background(), PathChat, a.AccessToken, body)
			assert.Equal(t, 400, resp.StatusCode)
			assert.JSONEq(t, BodyImproperlyFormed, mustRead(t, resp))
		})
	}
	big := chatBody(strings.Repeat("a", 700<<10))
	resp = post(t, s, context.Background(), PathChat, a.AccessToken, big)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, mustRead(t, resp), "CONTENT_LENGTH_EXCEEDS_THRESHOLD")
}

func mustRead(t *testing.T, resp *http.Response) string {
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func TestChatResetMidStream(t *testing.T) {
	s := newServer(t, Options{})
	a := s.AddAccount(FakeAccount{})
	s.Enqueue(Script{Text("partial"), Reset(), Text("never")})
	resp := post(t, s, context.Background(), PathChat, a.AccessToken, chatBody("hi"))
	require.Equal(t, 200, resp.StatusCode)
	evs, err := events(t, resp)
	require.Error(t, err, "the body must break, not end cleanly")
	require.Len(t, evs, 1)
	assert.Equal(t, "partial", evs[0].Text)
}

func TestChatTruncatedFrame(t *testing.T) {
	s := newServer(t, Options{})
	a := s.AddAccount(FakeAccount{})
	var frame bytes.Buffer
	require.NoError(t, eventstream.NewWriter(&frame).Event("assistantResponseEvent", map[string]string{"content": "half"}))
	s.Enqueue(Script{Text("ok"), Raw(frame.Bytes()[:frame.Len()/2])})
	resp := post(t, s, context.Background(), PathChat, a.AccessToken, chatBody("hi"))
	evs, err := events(t, resp)
	require.ErrorIs(t, err, eventstream.ErrTruncated)
	assert.Len(t, evs, 1)
}

func TestChatStallEndsWhenClientGivesUp(t *testing.T) {
	s := newServer(t, Options{})
	a := s.AddAccount(FakeAccount{})
	s.Enqueue(Script{Text("first"), Stall()})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	resp := post(t, s, ctx, PathChat, a.AccessToken, chatBody("hi"))
	evs, err := events(t, resp)
	require.Error(t, err)
	assert.Len(t, evs, 1)
	assert.Less(t, time.Since(start), 5*time.Second)
	require.Eventually(t, func() bool { return s.ClientsGone() == 1 }, 5*time.Second, 10*time.Millisecond,
		"the fake saw the client leave")

	// A whole answer read to its end is not a client gone.
	resp = post(t, s, context.Background(), PathChat, a.AccessToken, chatBody("hi"))
	_, err = events(t, resp)
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, 1, s.ClientsGone())
}

func TestChatDelayAndCloseDuringStall(t *testing.T) {
	s := New(Options{})
	a := s.AddAccount(FakeAccount{})
	s.Enqueue(Script{Delay(50 * time.Millisecond), Text("late"), Stall()})
	start := time.Now()
	resp := post(t, s, context.Background(), PathChat, a.AccessToken, chatBody("hi"))
	rd := eventstream.NewReader(resp.Body)
	ev, err := rd.Next()
	require.NoError(t, err)
	assert.Equal(t, "late", ev.Text)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung on a stalled stream")
	}
}

func TestFaultInjection(t *testing.T) {
	run := func(seed uint64) (map[int]int, map[string]int) {
		s := newServer(t, Options{Seed: seed, Faults: Faults{Rate429: 0.2, Rate5xx: 0.2, RateReset: 0.2}})
		a := s.AddAccount(FakeAccount{})
		codes := map[int]int{}
		for range 200 {
			resp := post(t, s, context.Background(), PathChat, a.AccessToken, chatBody("hi"))
			code := resp.StatusCode
			if code == 200 {
				if _, err := events(t, resp); err != nil {
					code = -1 // reset mid-stream
				}
			}
			codes[code]++
		}
		return codes, s.FaultCounts()
	}
	codes, faults := run(7)
	assert.Equal(t, faults["429"], codes[429])
	assert.Equal(t, faults["5xx"], codes[500]+codes[503])
	assert.Equal(t, faults["reset"], codes[-1])
	for _, k := range []string{"429", "5xx", "reset"} {
		assert.InDelta(t, 40, faults[k], 20, k)
	}
	assert.InDelta(t, 80, codes[200], 25)
	codes2, _ := run(7)
	assert.Equal(t, codes, codes2, "same seed, same faults")
}

func TestFaultStallAndHang(t *testing.T) {
	// Stall only: every call sends one frame, then nothing until the client leaves.
	var mu sync.Mutex
	var seen []string
	s := newServer(t, Options{Faults: Faults{RateStall: 1}, DiscardRequests: true,
		OnChat: func(rec RecordedRequest, fault string) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, rec.Chat.LastUserContent()+":"+fault)
		}})
	a := s.AddAccount(FakeAccount{})
	post(t, s, context.Background(), PathChat, "wrong-token", chatBody("bad"))
	s.Enqueue(Script{Text("kept")})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	resp := post(t, s, ctx, PathChat, a.AccessToken, chatBody("hi"))
	require.Equal(t, 200, resp.StatusCode)
	rd := eventstream.NewReader(resp.Body)
	ev, err := rd.Next()
	require.NoError(t, err)
	assert.Equal(t, "kept", ev.Text, "the stall plays the queued script's first frame")
	_, err = rd.Next()
	require.Error(t, err, "nothing more comes until the client gives up")
	assert.ErrorIs(t, ctx.Err(), context.DeadlineExceeded)
	assert.Equal(t, 1, s.FaultCounts()["stall"])
	assert.Empty(t, s.Requests(), "DiscardRequests keeps no request")
	assert.Equal(t, 2, s.Calls(PathChat), "but counts the calls")
	mu.Lock()
	assert.Equal(t, []string{"bad:auth", "hi:stall"}, seen, "OnChat sees each call and its fault")
	mu.Unlock()

	// Hang only: not even the headers, and queued scripts stay queued.
	h := newServer(t, Options{Faults: Faults{RateHang: 1}})
	b := h.AddAccount(FakeAccount{})
	h.Enqueue(Script{Text("waiting")})
	ctx2, cancel2 := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel2()
	req, err := http.NewRequestWithContext(ctx2, http.MethodPost, h.URL+PathChat, strings.NewReader(chatBody("hi")))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+b.AccessToken)
	start := time.Now()
	_, err = h.Client().Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded, "no headers before the client gives up")
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
	assert.Equal(t, 1, h.FaultCounts()["hang"])
	assert.Equal(t, 1, h.Queued())
	assert.Len(t, h.Requests(), 1, "recorded by default")
}

func TestSocialRefreshRotates(t *testing.T) {
	s := newServer(t, Options{AccessTokenTTL: 30 * time.Minute})
	a := s.AddAccount(FakeAccount{RefreshToken: "r0", ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/P"})
	resp := post(t, s, context.Background(), PathRefresh, "", `{"refreshToken":"r0"}`)
	require.Equal(t, 200, resp.StatusCode)
	m := decodeJSON(t, resp)
	assert.Equal(t, "arn:aws:codewhisperer:us-east-1:123456789012:profile/P", m["profileArn"])
	assert.EqualValues(t, 1800, m["expiresIn"])
	newRefresh, newAccess := m["refreshToken"].(string), m["accessToken"].(string)
	assert.NotEqual(t, "r0", newRefresh)
	assert.NotEqual(t, a.AccessToken, newAccess)
	assert.Equal(t, newRefresh, s.Accounts()[0].RefreshToken)

	old := post(t, s, context.Background(), PathRefresh, "", `{"refreshToken":"r0"}`)
	assert.Equal(t, 401, old.StatusCode, "a rotated refresh token is dead")
	assert.JSONEq(t, `{"message":"Bad credentials"}`, mustRead(t, old))

	assert.Equal(t, 200, post(t, s, context.Background(), PathChat, newAccess, chatBody("x")).StatusCode)
	assert.Equal(t, 2, s.Calls(PathRefresh))

	s.RevokeRefreshToken(newRefresh)
	assert.Equal(t, 401, post(t, s, context.Background(), PathRefresh, "", `{"refreshToken":"`+newRefresh+`"}`).StatusCode)
}

func registerClient(t *testing.T, s *Server) (string, string) {
	resp := post(t, s, context.Background(), PathRegister, "", `{"clientName":"Kiro IDE","clientType":"public","scopes":["codewhisperer:completions"]}`)
	require.Equal(t, 200, resp.StatusCode)
	m := decodeJSON(t, resp)
	assert.NotZero(t, m["clientSecretExpiresAt"])
	return m["clientId"].(string), m["clientSecret"].(string)
}

func TestOIDCRefresh(t *testing.T) {
	s := newServer(t, Options{})
	id, secret := registerClient(t, s)
	s.AddAccount(FakeAccount{RefreshToken: "idc0", ClientID: id})
	body := func(rt, sec string) string {
		b, _ := json.Marshal(map[string]string{"clientId": id, "clientSecret": sec, "refreshToken": rt, "grantType": "refresh_token"})
		return string(b)
	}
	resp := post(t, s, context.Background(), PathToken, "", body("idc0", secret))
	require.Equal(t, 200, resp.StatusCode)
	m := decodeJSON(t, resp)
	assert.Equal(t, "Bearer", m["tokenType"])
	assert.NotEqual(t, "idc0", m["refreshToken"])

	again := post(t, s, context.Background(), PathToken, "", body("idc0", secret))
	assert.Equal(t, 400, again.StatusCode)
	assert.Equal(t, "invalid_grant", decodeJSON(t, again)["error"])

	assert.Equal(t, 401, post(t, s, context.Background(), PathToken, "", body(m["refreshToken"].(string), "wrong")).StatusCode)
	assert.Equal(t, 401, post(t, s, context.Background(), PathRefresh, "", `{"refreshToken":"`+m["refreshToken"].(string)+`"}`).StatusCode,
		"an IdC token does not refresh on the social endpoint")
}

func TestDeviceFlow(t *testing.T) {
	tests := []struct {
		name    string
		flow    *DeviceFlow
		want    []string // poll answers, "ok" for tokens
		between time.Duration
	}{
		{"default approves", nil, []string{"ok", "invalid_grant"}, 0},
		{"pending then approve", &DeviceFlow{Polls: []string{PollPending, PollPending}}, []string{PollPending, PollPending, "ok"}, 0},
		{"denied", &DeviceFlow{Polls: []string{PollPending, PollDenied}}, []string{PollPending, PollDenied, "invalid_grant"}, 0},
		{"expired", &DeviceFlow{Polls: []string{PollExpired}}, []string{PollExpired, "invalid_grant"}, 0},
		{"scripted slow_down", &DeviceFlow{Polls: []string{PollSlowDown}}, []string{PollSlowDown, "ok"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Waiting out the 1 s interval between polls would make this
			// slow; TestDeviceFlowPollingRules covers the interval, so
			// each poll here forgets the previous one.
			s := newServer(t, Options{})
			id, secret := registerClient(t, s)
			if tt.flow != nil {
				s.EnqueueDeviceFlow(*tt.flow)
			}
			resp := post(t, s, context.Background(), PathDeviceAuth, "", `{"clientId":"`+id+`","clientSecret":"`+secret+`","startUrl":"https://view.awsapps.com/start"}`)
			require.Equal(t, 200, resp.StatusCode)
			da := decodeJSON(t, resp)
			assert.EqualValues(t, 1, da["interval"])
			assert.EqualValues(t, 600, da["expiresIn"])
			assert.Contains(t, da["verificationUriComplete"], da["userCode"])
			code := da["deviceCode"].(string)
			for i, want := range tt.want {
				s.forgetLastPoll(code)
				resp := post(t, s, context.Background(), PathToken, "", `{"clientId":"`+id+`","clientSecret":"`+secret+`","deviceCode":"`+code+`","grantType":"urn:ietf:params:oauth:grant-type:device_code"}`)
				m := decodeJSON(t, resp)
				if want == "ok" {
					require.Equal(t, 200, resp.StatusCode, "poll %d: %v", i, m)
					assert.NotEmpty(t, m["accessToken"])
					// The new account works for chat.
					assert.Equal(t, 200, post(t, s, context.Background(), PathChat, m["accessToken"].(string), chatBody("x")).StatusCode)
					continue
				}
				assert.Equal(t, 400, resp.StatusCode, "poll %d", i)
				assert.Equal(t, want, m["error"], "poll %d", i)
			}
		})
	}
}

// forgetLastPoll lets a test poll again at once without earning slow_down.
func (s *Server) forgetLastPoll(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.devices[code]; d != nil {
		d.lastPoll = time.Time{}
	}
}

func TestDeviceFlowPollingRules(t *testing.T) {
	s := newServer(t, Options{DeviceExpiresIn: 300 * time.Millisecond})
	id, secret := registerClient(t, s)
	s.EnqueueDeviceFlow(DeviceFlow{Polls: []string{PollPending, PollPending, PollPending}})
	da := decodeJSON(t, post(t, s, context.Background(), PathDeviceAuth, "", `{"clientId":"`+id+`","clientSecret":"`+secret+`","startUrl":"https://view.awsapps.com/start"}`))
	assert.EqualValues(t, 1, da["expiresIn"], "rounded up to whole seconds")
	poll := func() string {
		resp := post(t, s, context.Background(), PathToken, "", `{"clientId":"`+id+`","clientSecret":"`+secret+`","deviceCode":"`+da["deviceCode"].(string)+`","grantType":"urn:ietf:params:oauth:grant-type:device_code"}`)
		m := decodeJSON(t, resp)
		e, _ := m["error"].(string)
		return e
	}
	assert.Equal(t, PollPending, poll())
	assert.Equal(t, PollSlowDown, poll(), "polling faster than the interval")
	s.mu.Lock()
	d := s.devices[da["deviceCode"].(string)]
	assert.Equal(t, 6*time.Second, d.interval, "slow_down adds 5 s")
	s.mu.Unlock()
	time.Sleep(350 * time.Millisecond)
	assert.Equal(t, PollExpired, poll())
	assert.Equal(t, "invalid_grant", poll(), "an expired code is finished")

	// Unknown client is refused before anything else.
	resp := post(t, s, context.Background(), PathDeviceAuth, "", `{"clientId":"nope","clientSecret":"x","startUrl":"https://view.awsapps.com/start"}`)
	assert.Equal(t, 401, resp.StatusCode)
}

func pkce(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestSocialLoginPKCE(t *testing.T) {
	s := newServer(t, Options{})
	s.EnqueueLogin(FakeAccount{Email: "me@example.com", ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/ME"})
	verifier := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	redirect := "http://localhost:49153/oauth/callback"
	noRedirect := s.Client()
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	loginURL := func(challenge, method string) string {
		q := url.Values{"idp": {"Google"}, "redirect_uri": {redirect}, "code_challenge": {challenge}, "code_challenge_method": {method}, "state": {"st8"}}
		return s.URL + PathLogin + "?" + q.Encode()
	}
	resp, err := noRedirect.Get(loginURL(pkce(verifier), "plain"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode, "only S256")

	codeFor := func() string {
		resp, err := noRedirect.Get(loginURL(pkce(verifier), "S256"))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 302, resp.StatusCode)
		loc, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		assert.Equal(t, "/oauth/callback", loc.Path)
		assert.Equal(t, "st8", loc.Query().Get("state"))
		return loc.Query().Get("code")
	}
	exchange := func(code, verifier, redirect string) *http.Response {
		b, _ := json.Marshal(map[string]string{"code": code, "code_verifier": verifier, "redirect_uri": redirect})
		return post(t, s, context.Background(), PathOAuthToken, "", string(b))
	}

	code := codeFor()
	wrong := exchange(code, strings.Repeat("A", 43), redirect)
	assert.Equal(t, 400, wrong.StatusCode, "wrong verifier")
	assert.Contains(t, mustRead(t, wrong), "code_verifier")
	assert.Equal(t, 400, exchange(code, verifier, redirect).StatusCode, "a code is single use, even after a failed exchange")

	assert.Equal(t, 400, exchange(codeFor(), verifier, "http://localhost:1/other").StatusCode, "redirect_uri must match")

	ok := exchange(codeFor(), verifier, redirect)
	require.Equal(t, 200, ok.StatusCode)
	m := decodeJSON(t, ok)
	assert.Equal(t, "arn:aws:codewhisperer:us-east-1:123456789012:profile/ME", m["profileArn"])
	lim := decodeJSON(t, get(t, s, PathUsage+"?origin=AI_EDITOR", m["accessToken"].(string)))
	assert.Equal(t, "me@example.com", lim["userInfo"].(map[string]any)["email"])

	// Form-encoded exchange (one fork's variant).
	form := url.Values{"code": {codeFor()}, "code_verifier": {verifier}, "redirect_uri": {redirect}}
	fr, err := s.Client().PostForm(s.URL+PathOAuthToken, form)
	require.NoError(t, err)
	fr.Body.Close()
	assert.Equal(t, 200, fr.StatusCode)
}

func TestModelsAndUsageLimits(t *testing.T) {
	s := newServer(t, Options{ModelsPageSize: 2})
	a := s.AddAccount(FakeAccount{Email: "u@example.com"})
	var ids []string
	next := ""
	for range 10 {
		m := decodeJSON(t, get(t, s, PathModels+"?origin=AI_EDITOR&nextToken="+next, a.AccessToken))
		for _, x := range m["models"].([]any) {
			ids = append(ids, x.(map[string]any)["modelId"].(string))
		}
		n, ok := m["nextToken"].(string)
		if !ok {
			break
		}
		next = n
	}
	assert.Equal(t, []string{"auto", "claude-sonnet-4.5", "claude-sonnet-4.6", "claude-haiku-4.5", "claude-opus-4.5"}, ids)
	assert.Equal(t, 401, get(t, s, PathModels+"?origin=AI_EDITOR", "bad").StatusCode)

	lim := decodeJSON(t, get(t, s, PathUsage+"?origin=AI_EDITOR&resourceType=AGENTIC_REQUEST&isEmailRequired=true", a.AccessToken))
	assert.Equal(t, "KIRO FREE", lim["subscriptionInfo"].(map[string]any)["subscriptionTitle"])
	assert.Equal(t, "u@example.com", lim["userInfo"].(map[string]any)["email"])
	b := lim["usageBreakdownList"].([]any)[0].(map[string]any)
	assert.Equal(t, "CREDIT", b["resourceType"])
	assert.EqualValues(t, 50, b["usageLimitWithPrecision"])
	assert.Greater(t, lim["nextDateReset"], float64(time.Now().Unix()))
	assert.Equal(t, 1, s.Calls(PathUsage))
	assert.Equal(t, 4, s.Calls(PathModels), "three pages and one refused call")
}

func TestStampSaysHowLongTheFakeHeldTheRequest(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	a := s.AddAccount(FakeAccount{})
	s.Enqueue(Script{Wait(30 * time.Millisecond), Stamp(), Delay(40 * time.Millisecond), Stamp()})
	start := time.Now()
	resp := post(t, s, context.Background(), PathChat, a.AccessToken, chatBody("hi"))
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	took := time.Since(start)
	got := StampsIn(body)
	require.Len(t, got, 2, "two stamps in %q", body)
	assert.GreaterOrEqual(t, got[0], 30*time.Millisecond)
	assert.GreaterOrEqual(t, got[1]-got[0], 40*time.Millisecond)
	assert.LessOrEqual(t, got[1], took, "the fake cannot have held it longer than the client waited")

	// Through any encoding that leaves the text as it is, and nothing else.
	assert.Equal(t, []time.Duration{1500 * time.Microsecond, 7 * time.Microsecond},
		StampsIn([]byte(`data: {"text":"[fake-us:1500]"} x [fake-us:nope] [fake-us:7]`)))
	assert.Empty(t, StampsIn([]byte(`[fake-us:12`)))
}
