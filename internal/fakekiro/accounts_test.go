package fakekiro

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/kiro/eventstream"
)

func eventstreamUsage(in, out int) eventstream.TokenUsage {
	return eventstream.TokenUsage{UncachedInput: in, Output: out, Total: in + out}
}

func refreshBody(rt string) string { return `{"refreshToken":"` + rt + `"}` }

func refreshOK(t *testing.T, s *Server, rt string) string {
	t.Helper()
	resp := post(t, s, context.Background(), PathRefresh, "", refreshBody(rt))
	require.Equal(t, 200, resp.StatusCode)
	return decodeJSON(t, resp)["refreshToken"].(string)
}

func refreshStatus(t *testing.T, s *Server, rt string) int {
	t.Helper()
	resp := post(t, s, context.Background(), PathRefresh, "", refreshBody(rt))
	defer resp.Body.Close()
	return resp.StatusCode
}

func TestRotationGraceKeepsThePreviousTokenUntilTheNewOneIsUsed(t *testing.T) {
	s := newServer(t, Options{RotationGrace: true})
	s.AddAccount(FakeAccount{RefreshToken: "r0"})
	r1 := refreshOK(t, s, "r0")
	// The client lost r1 (killed before storing it): r0 still works, and
	// the answer replaces r1.
	r2 := refreshOK(t, s, "r0")
	assert.Equal(t, 401, refreshStatus(t, s, r1), "the lost token died when its predecessor was used again")
	// Using r2 ends r0's grace.
	r3 := refreshOK(t, s, r2)
	assert.Equal(t, 401, refreshStatus(t, s, "r0"))
	assert.NotEmpty(t, r3)
	assert.Equal(t, 3, s.Stats(r3).Refreshes)

	// Without the option a rotated token dies at once.
	strict := newServer(t, Options{})
	strict.AddAccount(FakeAccount{RefreshToken: "q0"})
	refreshOK(t, strict, "q0")
	assert.Equal(t, 401, refreshStatus(t, strict, "q0"))
}

func TestRotateKillsEveryEarlierRefreshToken(t *testing.T) {
	s := newServer(t, Options{RotationGrace: true})
	s.AddAccount(FakeAccount{RefreshToken: "r0", Email: "ide@example.com"})
	r1 := refreshOK(t, s, "r0")
	got, ok := s.Rotate("ide@example.com")
	require.True(t, ok)
	assert.Equal(t, 401, refreshStatus(t, s, "r0"))
	assert.Equal(t, 401, refreshStatus(t, s, r1))
	assert.Equal(t, 200, refreshStatus(t, s, got.RefreshToken))
	assert.Equal(t, 2, s.Stats("ide@example.com").Refreshes, "the IDE's own rotation is not counted")
}

func TestAccountScriptsAndStats(t *testing.T) {
	s := newServer(t, Options{})
	a := s.AddAccount(FakeAccount{Email: "a@example.com"})
	b := s.AddAccount(FakeAccount{Email: "b@example.com"})
	require.True(t, s.SetAccountScript("a@example.com", func(RecordedRequest) Script {
		return Script{Status(429, BodyThrottled)}
	}))
	assert.False(t, s.SetAccountScript("nobody", nil))
	for range 2 {
		resp := post(t, s, context.Background(), PathChat, a.AccessToken, chatBody("x"))
		assert.Equal(t, 429, resp.StatusCode)
		resp.Body.Close()
	}
	s.Enqueue(Script{Text("hi"), Metering(0.25), Usage(eventstreamUsage(7, 3))})
	resp := post(t, s, context.Background(), PathChat, b.AccessToken, chatBody("x"))
	require.Equal(t, 200, resp.StatusCode)
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, AccountStats{Chats: 2, Errors: 2}, s.Stats(a.AccessToken))
	assert.Equal(t, AccountStats{Chats: 1, Credits: 0.25, InputTokens: 7, OutputTokens: 3}, s.Stats("b@example.com"))

	// Drop closes the connection before any answer.
	s.SetAccountScript("a@example.com", func(RecordedRequest) Script { return Script{Drop()} })
	req, _ := http.NewRequest(http.MethodPost, s.URL+PathChat, strings.NewReader(chatBody("x")))
	req.Header.Set("Authorization", "Bearer "+a.AccessToken)
	_, err := s.Client().Do(req)
	assert.Error(t, err)
	s.SetAccountScript("a@example.com", nil)
	resp = post(t, s, context.Background(), PathChat, a.AccessToken, chatBody("x"))
	assert.Equal(t, 200, resp.StatusCode)
	resp.Body.Close()
}

func TestSetUsageLimitsPerAccount(t *testing.T) {
	s := newServer(t, Options{})
	a := s.AddAccount(FakeAccount{Email: "a@example.com"})
	l := DefaultUsageLimits("a@example.com")
	l.SubscriptionInfo.SubscriptionTitle = "KIRO PRO"
	l.UsageBreakdownList[0].UsageLimitWithPrecision = 1000
	l.UsageBreakdownList[0].CurrentUsageWithPrecision = 999.5
	require.True(t, s.SetUsageLimits("a@example.com", l))
	resp := get(t, s, PathUsage+"?origin=AI_EDITOR", a.AccessToken)
	m := decodeJSON(t, resp)
	line := m["usageBreakdownList"].([]any)[0].(map[string]any)
	assert.EqualValues(t, 999.5, line["currentUsageWithPrecision"])
	assert.Equal(t, "KIRO PRO", m["subscriptionInfo"].(map[string]any)["subscriptionTitle"])
}

func TestRefreshHookHoldsTheAnswer(t *testing.T) {
	s := newServer(t, Options{})
	s.AddAccount(FakeAccount{RefreshToken: "r0"})
	release := make(chan struct{})
	seen := make(chan FakeAccount, 1)
	s.SetRefreshHook(func(a FakeAccount) { seen <- a; <-release })
	done := make(chan string, 1)
	go func() { done <- refreshOK(t, s, "r0") }()
	issued := <-seen
	select {
	case <-done:
		t.Fatal("the answer was sent while the hook held it")
	case <-time.After(50 * time.Millisecond):
	}
	assert.Equal(t, issued.RefreshToken, s.Accounts()[0].RefreshToken, "rotated before the answer")
	close(release)
	assert.Equal(t, issued.RefreshToken, <-done)
}
