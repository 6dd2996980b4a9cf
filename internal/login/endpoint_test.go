package login

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// hostile is a region that would turn q.{region}.amazonaws.com into a host
// of the attacker's: q.x.attacker.example#.amazonaws.com.
const hostile = "x.attacker.example#"

// hostRecorder passes requests to the fake and remembers every host asked for.
type hostRecorder struct {
	next  http.RoundTripper
	mu    sync.Mutex
	hosts []string
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, r.URL.Host)
	h.mu.Unlock()
	return h.next.RoundTrip(r)
}

func (h *hostRecorder) Hosts() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.hosts...)
}

// hostileEnv is an env whose every HTTP call (logins and the Kiro client)
// is recorded.
func hostileEnv(t *testing.T, tweak func(*Options)) (*env, *hostRecorder) {
	rec := &hostRecorder{}
	e := newEnv(t, fakekiro.Options{}, func(o *Options) {
		hc := o.HTTP()
		rec.next = hc.Transport
		if rec.next == nil {
			rec.next = http.DefaultTransport
		}
		c := &http.Client{Transport: rec}
		o.HTTP = func() *http.Client { return c }
		o.Refresher = kiro.New(kiro.Options{Upstream: o.Upstream, HTTP: c})
		if tweak != nil {
			tweak(o)
		}
	})
	return e, rec
}

// assertNothingStored: no account in pool.json, no keychain item written.
func (e *env) assertNothingStored() {
	e.t.Helper()
	assert.Empty(e.t, e.acc.List(), "no account in the pool")
	assert.Empty(e.t, e.st.Pool.Snapshot().Accounts)
	assert.Empty(e.t, e.sec.Keys(), "no keychain item written")
}

func TestHostileRegionInTheKiroIDEFileIsRefused(t *testing.T) {
	home := t.TempDir()
	e, rec := hostileEnv(t, func(o *Options) { o.Home = func() (string, error) { return home, nil } })
	fa := e.fake.AddAccount(fakekiro.FakeAccount{})
	cache := filepath.Join(home, ".aws", "sso", "cache")
	require.NoError(t, os.MkdirAll(cache, 0o700))
	for field, body := range map[string]string{
		`region "` + hostile + `"`: `{"accessToken":"` + fa.AccessToken + `","refreshToken":"` + fa.RefreshToken +
			`","expiresAt":"2099-01-01T00:00:00Z","authMethod":"social","region":"` + hostile + `"}`,
		`profileArn "arn:aws:codewhisperer:` + hostile: `{"accessToken":"` + fa.AccessToken + `","refreshToken":"` + fa.RefreshToken +
			`","expiresAt":"2099-01-01T00:00:00Z","authMethod":"social","profileArn":"arn:aws:codewhisperer:` + hostile + `:123456789012:profile/A"}`,
	} {
		require.NoError(t, os.WriteFile(filepath.Join(cache, "kiro-auth-token.json"), []byte(body), 0o600))
		_, err := e.svc.ImportKiroIDE(t.Context(), "", "")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "kiro-auth-token.json: "+field)
		assert.NotContains(t, err.Error(), fa.RefreshToken)
	}
	e.assertNothingStored()
	assert.Empty(t, rec.Hosts(), "not even the email is asked for")
	assert.Empty(t, e.fake.CallCounts())
}

func TestHostileRegionInAPastedTokenIsRefused(t *testing.T) {
	e, rec := hostileEnv(t, nil)
	fa := e.fake.AddAccount(fakekiro.FakeAccount{})
	for field, js := range map[string]string{
		`region "` + hostile + `"`:    `{"refreshToken":"` + fa.RefreshToken + `","region":"` + hostile + `"}`,
		`idcRegion "` + hostile + `"`: `{"refreshToken":"` + fa.RefreshToken + `","clientId":"a","clientSecret":"b","idcRegion":"` + hostile + `"}`,
		`startUrl "https://evil.example/start#x"`: `{"refreshToken":"` + fa.RefreshToken +
			`","clientId":"a","clientSecret":"b","startUrl":"https://evil.example/start#x"}`,
	} {
		_, err := e.svc.AddToken(t.Context(), js, "")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "the pasted JSON: "+field)
	}
	e.assertNothingStored()
	assert.Empty(t, rec.Hosts(), "the token is not even refreshed")
	assert.Zero(t, e.fake.Calls(fakekiro.PathRefresh))
}

func TestHostileRegionInTheOldProxysFilesIsRefused(t *testing.T) {
	e, rec := hostileEnv(t, nil)
	fa := e.fake.AddAccount(fakekiro.FakeAccount{})
	fb := e.fake.AddAccount(fakekiro.FakeAccount{})
	dir := t.TempDir()
	// One account's file is fine, but a sibling in its folder (which the
	// old proxy merges in) moves its region; another is base64 in the pool file.
	acct := filepath.Join(dir, "kiro", "acct")
	require.NoError(t, os.MkdirAll(acct, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(acct, "a.json"), []byte(`{"refreshToken":"`+fa.RefreshToken+`","authMethod":"social"}`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(acct, "extra.json"), []byte(`{"region":"`+hostile+`"}`), 0o600))
	b64 := base64.StdEncoding.EncodeToString([]byte(`{"refreshToken":"` + fb.RefreshToken + `","authMethod":"social","profileArn":"arn:aws:codewhisperer:` + hostile + `:123456789012:profile/A"}`))
	pools := `{"claude-kiro-oauth":[{"uuid":"u1","KIRO_OAUTH_CREDS_FILE_PATH":"` + filepath.ToSlash(filepath.Join(acct, "a.json")) + `"},{"uuid":"u2","KIRO_OAUTH_CREDS_BASE64":"` + b64 + `"}]}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "provider_pools.json"), []byte(pools), 0o600))

	rep, err := e.svc.ImportAIClient(t.Context(), dir)
	require.NoError(t, err)
	require.Len(t, rep.Accounts, 2)
	for _, r := range rep.Accounts {
		assert.Equal(t, Failed, r.Outcome, r.Name)
	}
	assert.Contains(t, rep.Accounts[0].Reason, `region "`+hostile+`"`)
	assert.Contains(t, rep.Accounts[1].Reason, `profileArn "arn:aws:codewhisperer:`+hostile)
	assert.Empty(t, rep.PlaintextFiles, "files of failed accounts are never offered for deletion")
	e.assertNothingStored()
	assert.Empty(t, rec.Hosts())
}

func TestHostileRegionOrStartURLOfADeviceLoginIsRefused(t *testing.T) {
	e, rec := hostileEnv(t, nil)
	for _, o := range []DeviceOptions{
		{Region: hostile},
		{Region: "us-east-1.attacker.example"},
		{StartURL: "https://evil.example/start#x"},
		{StartURL: "https://user@my-org.awsapps.com/start"},
		{StartURL: "https://127.0.0.1/start"},
	} {
		_, err := e.svc.StartDevice(t.Context(), o)
		require.Error(t, err, "%+v", o)
		assert.Regexp(t, `^(region|the start URL) "`, err.Error())
	}
	e.assertNothingStored()
	assert.Empty(t, rec.Hosts())
	assert.Zero(t, e.fake.Calls(fakekiro.PathRegister))
}

// A sign-in answer whose profile ARN names another region than an AWS one
// is not saved; nor does a login start when the auth base is not a safe URL.
func TestHostileProfileARNOfASocialLoginIsRefused(t *testing.T) {
	e, rec := hostileEnv(t, nil)
	e.fake.EnqueueLogin(fakekiro.FakeAccount{Email: "me@example.com", ProfileARN: "arn:aws:codewhisperer:" + hostile + ":123456789012:profile/ME"})
	f, err := e.svc.StartSocial(t.Context(), "google", "")
	require.NoError(t, err)
	_, _ = testenv.Browse(t, f.LoginURL)
	_, err = f.Wait(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `profileArn "arn:aws:codewhisperer:`+hostile)
	e.assertNothingStored()
	fakeHost, _ := url.Parse(e.fake.URL)
	for _, h := range rec.Hosts() {
		assert.Equal(t, fakeHost.Host, h)
	}
	assert.Zero(t, e.fake.Calls(fakekiro.PathUsage), "no call made with the hostile ARN")

	bad, _ := hostileEnv(t, func(o *Options) {
		o.Upstream = func() store.Upstream {
			u := store.DefaultUpstream()
			u.AuthBase = "http://evil.example"
			return u
		}
	})
	_, err = bad.svc.StartSocial(t.Context(), "google", "")
	require.ErrorContains(t, err, `"http://evil.example" must be https`)
	assert.Empty(t, bad.browserOpened())
}
