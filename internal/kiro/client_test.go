package kiro_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/eventstream"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

func setup(t *testing.T) (*fakekiro.Server, *kiro.Client) {
	t.Helper()
	fake := fakekiro.New(fakekiro.Options{CheckHeaders: true})
	t.Cleanup(fake.Close)
	up := store.Upstream{APIBase: fake.URL, AuthBase: fake.URL, OIDCBase: fake.URL}
	return fake, kiro.New(kiro.Options{Upstream: func() store.Upstream { return up }})
}

func body(t *testing.T, profileARN string) []byte {
	t.Helper()
	b, err := payload.Build(&canon.Request{Model: "claude-sonnet-4-5", MaxTokens: 100,
		Messages: []canon.Message{{Role: canon.RoleUser, Content: []canon.Block{{Type: canon.BlockText, Text: "hello"}}}}},
		payload.Options{ConversationID: "00000000-0000-4000-8000-000000000000", ProfileARN: profileARN})
	require.NoError(t, err)
	return b.Body
}

func TestChatStreamsTheScriptAndSendsKiroHeaders(t *testing.T) {
	fake, c := setup(t)
	acct := fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/X"})
	fake.Enqueue(fakekiro.Script{fakekiro.Text("Hi "), fakekiro.Text("there")})
	cr := kiro.Credentials{AccessToken: acct.AccessToken, RefreshToken: acct.RefreshToken, AuthMethod: store.AuthSocial, ProfileARN: acct.ProfileARN}

	resp, err := c.Chat(context.Background(), cr, kiro.MachineID("acc-1"), body(t, acct.ProfileARN))
	require.NoError(t, err)
	defer resp.Body.Close()
	r := eventstream.NewReader(resp.Body)
	var text string
	for {
		ev, err := r.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		text += ev.Text
	}
	assert.Equal(t, "Hi there", text)

	rec := fake.ChatRequests()
	require.Len(t, rec, 1)
	h := rec[0].Header
	assert.Equal(t, "vibe", h.Get("x-amzn-kiro-agent-mode"))
	assert.Equal(t, "true", h.Get("x-amzn-codewhisperer-optout"))
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, h.Get("amz-sdk-invocation-id"))
	assert.Contains(t, h.Get("x-amz-user-agent"), "KiroIDE-"+kiro.DefaultIDEVersion+"-"+kiro.MachineID("acc-1"))
	assert.Len(t, kiro.MachineID("acc-1"), 64)
}

func TestChatErrorsAreClassified(t *testing.T) {
	fake, c := setup(t)
	acct := fake.AddAccount(fakekiro.FakeAccount{})
	cr := kiro.Credentials{AccessToken: acct.AccessToken, AuthMethod: store.AuthBuilderID}
	cases := []struct {
		status int
		body   string
		class  kiro.Class
		retry  bool
	}{
		{400, fakekiro.BodyImproperlyFormed, kiro.ClassBadRequest, false},
		{400, fakekiro.BodyInputTooLong, kiro.ClassTooLong, false},
		{402, fakekiro.BodyMonthlyLimit, kiro.ClassQuota, true},
		{429, fakekiro.BodyThrottled, kiro.ClassThrottle, true},
		{429, fakekiro.BodyCapacity, kiro.ClassCapacity, true},
		{500, fakekiro.BodyHighLoad, kiro.ClassCapacity, true},
		{503, fakekiro.BodyUnavailable, kiro.ClassCapacity, true},
		{403, fakekiro.BodySuspended, kiro.ClassSuspended, true},
		{400, fakekiro.BodyInvalidModel, kiro.ClassModel, true},
		{502, `<html>bad gateway</html>`, kiro.ClassServer, true},
	}
	for _, tc := range cases {
		fake.Enqueue(fakekiro.Script{fakekiro.Status(tc.status, tc.body)})
		_, err := c.Chat(context.Background(), cr, kiro.MachineID("a"), body(t, ""))
		var ue *kiro.UpstreamError
		require.ErrorAs(t, err, &ue, tc.body)
		assert.Equal(t, tc.class, ue.Class, "%d %s", tc.status, tc.body)
		assert.Equal(t, tc.retry, ue.Retryable(), tc.body)
		assert.Equal(t, tc.status, ue.Status)
		assert.NotEmpty(t, ue.Message)
	}

	// Kiro's Retry-After comes with the error, for the relay to honour.
	fake.Enqueue(fakekiro.Script{fakekiro.StatusRetryAfter(429, fakekiro.BodyThrottled, 7*time.Second)})
	_, err := c.Chat(context.Background(), cr, kiro.MachineID("a"), body(t, ""))
	var thr *kiro.UpstreamError
	require.ErrorAs(t, err, &thr)
	assert.Equal(t, 7*time.Second, thr.RetryAfter)

	fake.ExpireAccessToken(acct.AccessToken)
	_, err = c.Chat(context.Background(), cr, kiro.MachineID("a"), body(t, ""))
	var ue *kiro.UpstreamError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, kiro.ClassAuth, ue.Class)
	assert.Contains(t, ue.Message, "bearer token")
}

func TestSocialRefreshRotatesAndDeadTokenNeedsLogin(t *testing.T) {
	fake, c := setup(t)
	acct := fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:eu-central-1:123456789012:profile/X"})
	cr := kiro.Credentials{RefreshToken: acct.RefreshToken, AuthMethod: store.AuthSocial}
	next, err := c.Refresh(context.Background(), cr)
	require.NoError(t, err)
	assert.NotEmpty(t, next.AccessToken)
	assert.NotEqual(t, acct.RefreshToken, next.RefreshToken, "the fake rotates: the new token must be kept")
	assert.Equal(t, acct.ProfileARN, next.ProfileARN)
	r, err := next.APIRegion()
	require.NoError(t, err)
	assert.Equal(t, "eu-central-1", r.String())
	assert.WithinDuration(t, time.Now().Add(time.Hour), next.ExpiresAt, time.Minute)

	// The old refresh token is dead now.
	_, err = c.Refresh(context.Background(), cr)
	var ue *kiro.UpstreamError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, kiro.ClassDeadRefresh, ue.Class)
	assert.NotContains(t, err.Error(), cr.RefreshToken, "no token in error text")

	// The new one works, and the chat accepts the new access token.
	fake.Enqueue(fakekiro.Script{fakekiro.Text("ok")})
	resp, err := c.Chat(context.Background(), next, kiro.MachineID("a"), body(t, next.ProfileARN))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestOIDCRefresh(t *testing.T) {
	fake, c := setup(t)
	// Register a client the way the device flow does, then give the fake an account bound to it.
	resp, err := http.Post(fake.URL+fakekiro.PathRegister, "application/json",
		stringsReader(`{"clientName":"Kiro IDE","clientType":"public","scopes":["codewhisperer:completions"]}`))
	require.NoError(t, err)
	var reg struct{ ClientID, ClientSecret string }
	require.NoError(t, decodeJSON(resp, &reg))
	acct := fake.AddAccount(fakekiro.FakeAccount{ClientID: reg.ClientID})
	cr := kiro.Credentials{RefreshToken: acct.RefreshToken, AuthMethod: store.AuthIdC, ClientID: reg.ClientID, ClientSecret: reg.ClientSecret}
	next, err := c.Refresh(context.Background(), cr)
	require.NoError(t, err)
	assert.NotEmpty(t, next.AccessToken)
	assert.Equal(t, 1, fake.Calls(fakekiro.PathToken))
	assert.Equal(t, 0, fake.Calls(fakekiro.PathRefresh), "IdC accounts refresh at OIDC, not Kiro's social endpoint")
	assert.NotEqual(t, acct.AccessToken, next.AccessToken, "a new access token, not the old one back")
	assert.Equal(t, reg.ClientID, next.ClientID, "the client registration is kept for the next refresh")
	fake.Enqueue(fakekiro.Script{fakekiro.Text("ok")})
	chat, err := c.Chat(context.Background(), next, kiro.MachineID("a"), body(t, next.ProfileARN))
	require.NoError(t, err)
	chat.Body.Close()
	assert.Equal(t, http.StatusOK, chat.StatusCode, "Kiro accepts the refreshed access token")

	cr.ClientSecret = "wrong"
	_, err = c.Refresh(context.Background(), cr)
	var ue *kiro.UpstreamError
	require.ErrorAs(t, err, &ue, "a refused client is Kiro's answer, not a transport failure")
	assert.Equal(t, kiro.ClassDeadRefresh, ue.Class, "a refused client means a new login, like a dead refresh token")
	assert.Equal(t, http.StatusUnauthorized, ue.Status)
	assert.NotContains(t, err.Error(), cr.RefreshToken, "no token in error text")
}

func TestCredentialsKeychainFormAndRedaction(t *testing.T) {
	cr := kiro.Credentials{AccessToken: "at-secret", RefreshToken: "rt-secret", AuthMethod: store.AuthSocial,
		ExpiresAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	back, err := kiro.ParseCredentials(cr.Secret())
	require.NoError(t, err)
	assert.Equal(t, cr, back)
	for _, s := range []string{cr.String(), cr.GoString()} {
		assert.NotContains(t, s, "secret")
	}
	_, err = kiro.ParseCredentials(secrets.New(`{"accessToken":"at-x"`))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "at-x")
	_, err = kiro.ParseCredentials(secrets.New(`{}`))
	assert.ErrorContains(t, err, "no token")

	assert.True(t, cr.ExpiresWithin(time.Date(2025, 12, 31, 23, 55, 0, 0, time.UTC), 10*time.Minute))
	assert.False(t, cr.ExpiresWithin(time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC), 10*time.Minute))
	r, err := cr.APIRegion()
	require.NoError(t, err)
	assert.Equal(t, "us-east-1", r.String())
}

func TestListModelsFollowsPages(t *testing.T) {
	fake := fakekiro.New(fakekiro.Options{ModelsPageSize: 2})
	t.Cleanup(fake.Close)
	up := store.Upstream{APIBase: fake.URL, AuthBase: fake.URL, OIDCBase: fake.URL}
	c := kiro.New(kiro.Options{Upstream: func() store.Upstream { return up }})
	acct := fake.AddAccount(fakekiro.FakeAccount{})
	cat, err := c.ListModels(context.Background(), kiro.Credentials{AccessToken: acct.AccessToken, AuthMethod: store.AuthBuilderID}, kiro.MachineID("a"))
	require.NoError(t, err)
	require.Len(t, cat, len(fakekiro.DefaultModels()))
	assert.Equal(t, fakekiro.DefaultModels()[0].ModelID, cat[0].ID)
	assert.Positive(t, cat[0].MaxInputTokens)
	assert.Greater(t, fake.Calls(fakekiro.PathModels), 1, "more than one page")

	_, err = c.ListModels(context.Background(), kiro.Credentials{AccessToken: "bad", AuthMethod: store.AuthBuilderID}, kiro.MachineID("a"))
	var ue *kiro.UpstreamError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, kiro.ClassAuth, ue.Class)
}

// The fake really checks Kiro's headers: a bare request is refused, so the
// tests above prove the client sends them.
func TestFakeRefusesRequestsWithoutKiroHeaders(t *testing.T) {
	fake, _ := setup(t)
	acct := fake.AddAccount(fakekiro.FakeAccount{})
	req, err := http.NewRequest("POST", fake.URL+fakekiro.PathChat, stringsReader(string(body(t, ""))))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+acct.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, string(b), "x-amzn-kiro-agent-mode")
}

// A refresh answer's profile ARN can pick the API host: one that does not
// parse is not kept, but the rotated tokens are (the old refresh token may
// be dead now).
func TestRefreshKeepsTheTokensButNotAHostileProfileARN(t *testing.T) {
	fake, c := setup(t)
	acct := fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:x.attacker.example#:123456789012:profile/X"})
	cr := kiro.Credentials{RefreshToken: acct.RefreshToken, AuthMethod: store.AuthSocial,
		ProfileARN: "arn:aws:codewhisperer:eu-central-1:123456789012:profile/OLD"}
	next, err := c.Refresh(context.Background(), cr)
	require.NoError(t, err)
	assert.NotEqual(t, acct.RefreshToken, next.RefreshToken, "the rotated token is kept")
	assert.Equal(t, cr.ProfileARN, next.ProfileARN)
	require.NoError(t, next.Check())
}
