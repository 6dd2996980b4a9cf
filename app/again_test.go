package app

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/store"
)

func (l *fakeLogins) StartAgain(context.Context, string) (SignInAgain, LoginFlow, error) {
	return SignInAgain{Method: "device", UserCode: "WXYZ-1234", VerificationURI: "https://device.example"}, l.flow, nil
}
func (l *fakeLogins) DetectKiroIDE(context.Context) (IDESignIn, error) {
	return IDESignIn{Found: true, Path: "/home/me/.aws/sso/cache/kiro-auth-token.json", Method: "Google"}, nil
}

// Sign in again through the real service: the same account (id, label)
// comes back ready, and the pool uses the new credentials, not the ones it
// held in memory.
func TestSignInAgainRepairsTheSameAccount(t *testing.T) {
	a, rt, c, fake, _ := startOnFake(t)
	sl, err := a.StartSocialLogin("google", "Mine")
	require.NoError(t, err)
	resp, err := http.Get(sl.LoginURL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Eventually(t, func() bool { return len(rt.loginEvents()) == 1 }, 10*time.Second, 20*time.Millisecond)
	list, _ := a.Accounts()
	require.Len(t, list, 1)
	id := list[0].ID
	old, err := c.Pool.Credentials(context.Background(), id)
	require.NoError(t, err)
	fake.RevokeRefreshToken(old.RefreshToken)
	require.NoError(t, c.Store.Pool.Update(context.Background(), func(p *store.Pool) error {
		p.Account(id).State = store.AccountState{Status: store.StatusLoginNeeded, Reason: "Kiro no longer accepts its refresh token: log in again"}
		return nil
	}))

	again, err := a.SignInAgain(id)
	require.NoError(t, err)
	assert.Equal(t, "social", again.Method)
	assert.NotEmpty(t, again.FlowID)
	rt.mu.Lock()
	opened := append([]string(nil), rt.opened...)
	rt.mu.Unlock()
	assert.Equal(t, again.LoginURL, opened[len(opened)-1], "Kiro's page opens in the browser")
	resp, err = http.Get(again.LoginURL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Eventually(t, func() bool { return len(rt.loginEvents()) == 2 }, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, LoginEvent{FlowID: again.FlowID, OK: true, Label: "Mine"}, rt.loginEvents()[1])

	list, _ = a.Accounts()
	require.Len(t, list, 1)
	assert.Equal(t, id, list[0].ID)
	assert.Equal(t, "Mine", list[0].Label)
	assert.Equal(t, store.StatusReady, list[0].State)
	now, err := c.Pool.Credentials(context.Background(), id)
	require.NoError(t, err)
	assert.NotEqual(t, old.RefreshToken, now.RefreshToken, "the pool dropped the credentials it held")

	_, err = a.SignInAgain("no-such-account")
	assert.Error(t, err)
}

func TestSignInAgainAndIDEDetectionGoThroughTheService(t *testing.T) {
	a, rt, _ := startApp(t)
	_, err := a.SignInAgain("x")
	assert.ErrorIs(t, err, ErrNoLogins)
	f := &fakeFlow{done: make(chan struct{})}
	a.SetLogins(&fakeLogins{flow: f})
	again, err := a.SignInAgain("x")
	require.NoError(t, err)
	assert.Equal(t, "WXYZ-1234", again.UserCode)
	assert.NotEmpty(t, again.FlowID)
	f.CompleteWithURL(context.Background(), "")
	require.Eventually(t, func() bool { return len(rt.loginEvents()) == 1 }, 2*time.Second, 5*time.Millisecond)
	d, err := a.DetectKiroIDE()
	require.NoError(t, err)
	assert.Equal(t, "Google", d.Method)
}

// The Dashboard's "Use a free port" after a port in use: the proxy is on
// again, on a port that was saved, and the status says so.
func TestPortInUseThenUseAFreePort(t *testing.T) {
	a, rt := startAppOnConfigPort(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	taken := ln.Addr().(*net.TCPAddr).Port
	_, err = a.UpdateSettings(SettingsPatch{Port: &taken})
	require.ErrorContains(t, err, "is in use")
	st, _ := a.Status()
	assert.False(t, st.ProxyOn)
	assert.Contains(t, st.Error, "is in use")
	rt.mu.Lock()
	last := rt.events[len(rt.events)-1].(Status)
	rt.mu.Unlock()
	assert.Contains(t, last.Error, "is in use", "the window is told at once")
	s, err := a.Settings()
	require.NoError(t, err)
	assert.Equal(t, taken, s.Port, "what is really saved")

	st, err = a.UseFreePort()
	require.NoError(t, err)
	assert.True(t, st.ProxyOn)
	assert.Empty(t, st.Error)
	assert.NotEqual(t, taken, st.Port)
	s, err = a.Settings()
	require.NoError(t, err)
	assert.Equal(t, st.Port, s.Port, "the free port is saved")
	assert.Equal(t, http.StatusOK, getModels(t, st.Endpoint, mustKey(t, a)))
}

func mustKey(t *testing.T, a *App) string {
	k, err := a.APIKey()
	require.NoError(t, err)
	return k
}

// "Send test request" goes through the real listener with the API key and
// tells the answer, the account and the time.
func TestSendTestRequestAnswersThroughTheLocalAPI(t *testing.T) {
	a, _, c, fake, _ := startOnFake(t)
	_, err := a.SendTestRequest()
	require.ErrorContains(t, err, "the local API answered", "no account yet: the API's own refusal")
	addFakeAccount(t, c, fake, "Work")
	ans, err := a.SendTestRequest()
	require.NoError(t, err)
	assert.NotEmpty(t, ans.Text)
	assert.Equal(t, "Work", ans.Account)
	assert.Contains(t, ans.Model, "haiku")
	assert.Positive(t, ans.LatencyMs)
	t.Log(ans)
	_, err = a.SetProxyEnabled(false)
	require.NoError(t, err)
	_, err = a.SendTestRequest()
	require.ErrorContains(t, err, "the proxy is off")
}
