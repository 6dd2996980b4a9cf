package login

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// redirectOf returns where the fake's login page sends the browser.
func redirectOf(t *testing.T, loginURL string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(loginURL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	return resp.Header.Get("Location")
}

func withState(t *testing.T, callback, state string, drop ...string) string {
	u, err := url.Parse(callback)
	require.NoError(t, err)
	q := u.Query()
	q.Set("state", state)
	for _, k := range drop {
		q.Del(k)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func portClosed(t *testing.T, f *SocialFlow) {
	t.Helper()
	assert.Eventually(t, func() bool {
		_, err := http.Get(f.RedirectURI)
		return err != nil
	}, 5*time.Second, 20*time.Millisecond, "the loopback server closes")
}

func TestSocialLoginThroughTheBrowser(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	e.fake.EnqueueLogin(fakekiro.FakeAccount{Email: "me@example.com", ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/ME"})
	f, err := e.svc.StartSocial(t.Context(), "google", "")
	require.NoError(t, err)
	assert.Equal(t, []string{f.LoginURL}, e.browserOpened())
	assert.Regexp(t, `^http://localhost:\d+/oauth/callback$`, f.RedirectURI)
	lu, err := url.Parse(f.LoginURL)
	require.NoError(t, err)
	assert.Equal(t, "Google", lu.Query().Get("idp"))
	assert.Equal(t, "S256", lu.Query().Get("code_challenge_method"))

	code, body := testenv.Browse(t, f.LoginURL)
	assert.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, "Signed in")
	assert.Contains(t, body, `<html lang="en">`, "no wording given: English")
	a, err := f.Wait(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "me@example.com", a.Label)
	assert.Equal(t, store.AuthSocial, a.AuthMethod)
	assert.Equal(t, "Google", a.Provider)
	assert.Equal(t, "arn:aws:codewhisperer:us-east-1:123456789012:profile/ME", a.ProfileARN)
	c := e.assertSafe(a)
	assert.False(t, c.IsOIDC())
	assert.Equal(t, "arn:aws:codewhisperer:us-east-1:123456789012:profile/ME", c.ProfileARN)

	// A second callback, even with the right state, is refused.
	code, body = func() (int, string) {
		resp, err := http.Get(withState(t, f.RedirectURI+"?code=another", f.state))
		if err != nil {
			return 0, err.Error() // already closed: refused too
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}()
	assert.NotEqual(t, http.StatusOK, code, body)
	assert.Equal(t, 1, e.fake.Calls(fakekiro.PathOAuthToken))
	assert.Len(t, e.acc.List(), 1)
	portClosed(t, f)
}

func TestSocialLoginWrongStateIsRefusedAndTheFlowGoesOn(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	f, err := e.svc.StartSocial(t.Context(), "github", "")
	require.NoError(t, err)
	cb := redirectOf(t, f.LoginURL)
	code, body := testenv.Browse(t, withState(t, cb, "forged"))
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body, "state does not match")
	assert.Zero(t, e.fake.Calls(fakekiro.PathOAuthToken), "the code is not exchanged")

	code, _ = testenv.Browse(t, cb)
	assert.Equal(t, http.StatusOK, code)
	a, err := f.Wait(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "GitHub", a.Label)
	assert.Equal(t, "Github", a.Provider)
	e.assertSafe(a)
}

func TestSocialLoginMissingCodeFails(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	f, err := e.svc.StartSocial(t.Context(), "google", "")
	require.NoError(t, err)
	cb := redirectOf(t, f.LoginURL)
	code, body := testenv.Browse(t, withState(t, cb, f.state, "code"))
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body, "without a code")
	_, err = f.Wait(t.Context())
	require.ErrorContains(t, err, "without a code")
	// It is over: the right callback now finds nobody.
	portClosed(t, f)
	assert.Zero(t, e.fake.Calls(fakekiro.PathOAuthToken))
	assert.Empty(t, e.acc.List())

	f2, err := e.svc.StartSocial(t.Context(), "google", "")
	require.NoError(t, err)
	code, _ = testenv.Browse(t, f2.RedirectURI+"?state="+url.QueryEscape(f2.state)+"&error=access_denied")
	assert.Equal(t, http.StatusBadRequest, code)
	_, err = f2.Wait(t.Context())
	require.ErrorIs(t, err, ErrDenied)
}

func TestSocialLoginTimesOut(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, func(o *Options) { o.SocialTimeout = 200 * time.Millisecond })
	f, err := e.svc.StartSocial(t.Context(), "google", "")
	require.NoError(t, err)
	start := time.Now()
	_, err = f.Wait(t.Context())
	require.ErrorIs(t, err, ErrTimeout)
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
	portClosed(t, f)
	// The browser arriving late finds nobody, and nothing is added.
	_, err = http.Get(redirectOf(t, f.LoginURL))
	assert.Error(t, err)
	assert.Empty(t, e.acc.List())
}

func TestSocialLoginCancel(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	f, err := e.svc.StartSocial(t.Context(), "google", "")
	require.NoError(t, err)
	time.AfterFunc(50*time.Millisecond, f.Cancel)
	_, err = f.Wait(t.Context())
	require.ErrorIs(t, err, ErrCanceled)
	portClosed(t, f)
	_, err = f.CompleteWithURL(t.Context(), redirectOf(t, f.LoginURL))
	assert.ErrorContains(t, err, "already been completed or has ended")
	assert.Empty(t, e.acc.List())
}

func TestSocialLoginPastedURL(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	f, err := e.svc.StartSocial(t.Context(), "google", "Work")
	require.NoError(t, err)
	_, err = f.CompleteWithURL(t.Context(), "not a url")
	assert.Error(t, err)
	_, err = f.CompleteWithURL(t.Context(), withState(t, redirectOf(t, f.LoginURL), "forged"))
	assert.ErrorContains(t, err, "state does not match")

	a, err := f.CompleteWithURL(t.Context(), "  "+redirectOf(t, f.LoginURL)+"\n")
	require.NoError(t, err)
	assert.Equal(t, "Work", a.Label)
	got, err := f.Wait(t.Context())
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.ID)
	e.assertSafe(a)
	portClosed(t, f)
}

func TestSocialLoginUnknownProvider(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	_, err := e.svc.StartSocial(t.Context(), "facebook", "")
	require.ErrorContains(t, err, "use google or github")
	assert.Empty(t, e.browserOpened())
	assert.False(t, strings.Contains(err.Error(), "http"))
}
