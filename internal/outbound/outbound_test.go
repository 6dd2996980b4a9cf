package outbound_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/outbound"
	"kirodesk/internal/outbound/proxytest"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

const proxyPassword = "pr0xy-S3cret/with:odd@chars"

// env is a settable environment and settings, as the config would be.
type env struct {
	mu       sync.Mutex
	vars     map[string]string
	global   store.Outbound
	accounts map[string]string
	logs     testenv.Buffer
	sec      *secrets.Memory
}

func newEnv(proxy string) *env {
	return &env{vars: map[string]string{}, global: store.Outbound{Proxy: proxy}, accounts: map[string]string{}, sec: secrets.NewMemory()}
}

func (e *env) setProxy(p string) {
	e.mu.Lock()
	e.global.Proxy = p
	e.mu.Unlock()
}

func (e *env) setVar(k, v string) {
	e.mu.Lock()
	e.vars[k] = v
	e.mu.Unlock()
}

func (e *env) transports() *outbound.Transports {
	return outbound.New(outbound.Options{
		Settings: func() store.Outbound { e.mu.Lock(); defer e.mu.Unlock(); return e.global },
		AccountProxy: func(id string) string {
			e.mu.Lock()
			defer e.mu.Unlock()
			return e.accounts[id]
		},
		Secrets: e.sec,
		Getenv:  func(k string) string { e.mu.Lock(); defer e.mu.Unlock(); return e.vars[k] },
		Logger:  slog.New(slog.NewTextHandler(&e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
}

func fake(t *testing.T, opts fakekiro.Options) (*fakekiro.Server, string) {
	t.Helper()
	f := fakekiro.New(opts)
	t.Cleanup(f.Close)
	return f, f.AddAccount(fakekiro.FakeAccount{Email: "a@example.com"}).AccessToken
}

func usage(ctx context.Context, c *http.Client, base, token string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+fakekiro.PathUsage+"?origin=AI_EDITOR", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func mustUsage(t *testing.T, c *http.Client, base, token string) {
	t.Helper()
	code, err := usage(t.Context(), c, base, token)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
}

func writeCA(t testing.TB, pem []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "extra-ca.pem")
	require.NoError(t, os.WriteFile(p, pem, 0o600))
	return p
}

// An HTTP CONNECT proxy with a password carries the TLS fake's traffic;
// the fake's certificate is trusted only through the extra CA bundle.
func TestHTTPConnectProxyWithPasswordAndCABundle(t *testing.T) {
	ca, err := proxytest.NewCA()
	require.NoError(t, err)
	f, token := fake(t, fakekiro.Options{TLS: ca.Server})
	require.True(t, strings.HasPrefix(f.URL, "https://"))
	px, err := proxytest.NewHTTP("alice", proxyPassword)
	require.NoError(t, err)
	t.Cleanup(px.Close)

	e := newEnv(strings.Replace(px.URL, "http://", "http://alice@", 1))
	e.global.CABundle = writeCA(t, ca.PEM)
	require.NoError(t, e.sec.Set(t.Context(), outbound.PasswordKey(""), secrets.New(proxyPassword)))
	tr := e.transports()

	for range 5 {
		mustUsage(t, tr.HTTP(), f.URL, token)
	}
	assert.EqualValues(t, 5, f.Calls(fakekiro.PathUsage))
	assert.EqualValues(t, 1, px.Tunnels.Load(), "five requests, one tunnel: the connection is kept alive")
	assert.Equal(t, []string{strings.TrimPrefix(f.URL, "https://")}, px.Targets())
	r := tr.Route("")
	assert.Equal(t, 1, r.CAs)
	assert.Equal(t, "outbound.proxy", r.Source)
	assert.NotContains(t, r.Setting, proxyPassword)

	// A wrong password: refused by the proxy, and the error names the
	// proxy and the setting but never the password.
	require.NoError(t, tr.SetPassword(t.Context(), "", secrets.New("wrong-"+proxyPassword)))
	_, err = usage(t.Context(), tr.HTTP(), f.URL, token)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "through proxy http://alice:xxxxx@"+px.Addr)
	assert.NotContains(t, err.Error(), proxyPassword)
	assert.GreaterOrEqual(t, px.Refused.Load(), int64(1))
	assert.NotContains(t, e.logs.String(), proxyPassword)
	assert.Contains(t, e.logs.String(), "outbound connections set up", "the transports do log, so the check above means something")
}

func TestSOCKS5ProxyWithPassword(t *testing.T) {
	f, token := fake(t, fakekiro.Options{})
	px, err := proxytest.NewSOCKS5("bob", proxyPassword)
	require.NoError(t, err)
	t.Cleanup(px.Close)
	e := newEnv(strings.Replace(px.URL, "socks5://", "socks5://bob@", 1))
	require.NoError(t, e.sec.Set(t.Context(), outbound.PasswordKey(""), secrets.New(proxyPassword)))
	tr := e.transports()

	for range 3 {
		mustUsage(t, tr.HTTP(), f.URL, token)
	}
	assert.EqualValues(t, 1, px.Tunnels.Load())
	assert.Equal(t, []string{strings.TrimPrefix(f.URL, "http://")}, px.Targets())
	assert.EqualValues(t, 0, px.Refused.Load())

	require.NoError(t, tr.SetPassword(t.Context(), "", secrets.New("nope")))
	_, err = usage(t.Context(), tr.HTTP(), f.URL, token)
	require.Error(t, err)
	assert.EqualValues(t, 1, px.Refused.Load())
	assert.NotContains(t, err.Error(), proxyPassword)
	assert.NotContains(t, e.logs.String(), proxyPassword)
}

func TestExtraCABundle(t *testing.T) {
	ca, err := proxytest.NewCA()
	require.NoError(t, err)
	f, token := fake(t, fakekiro.Options{TLS: ca.Server})
	e := newEnv(store.ProxyNone)
	tr := e.transports()

	// System roots only: the test CA is unknown.
	_, err = usage(t.Context(), tr.HTTP(), f.URL, token)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")

	// A missing bundle fails every request with what to fix.
	e.mu.Lock()
	e.global.CABundle = filepath.Join(t.TempDir(), "absent.pem")
	e.mu.Unlock()
	_, err = usage(t.Context(), tr.HTTP(), f.URL, token)
	require.ErrorContains(t, err, "outbound.caBundle")
	assert.NotEmpty(t, tr.Route("").Err)

	// Writing the file is picked up without a restart.
	require.NoError(t, os.WriteFile(tr.Route("").CABundle, ca.PEM, 0o600))
	mustUsage(t, tr.HTTP(), f.URL, token)
	assert.Empty(t, tr.Route("").Err)

	// A file with no certificate is refused, not silently ignored.
	garbage := writeCA(t, []byte("not a certificate"))
	e.mu.Lock()
	e.global.CABundle = garbage
	e.mu.Unlock()
	_, err = usage(t.Context(), tr.HTTP(), f.URL, token)
	require.ErrorContains(t, err, "no PEM certificate")
}

// Requests keep running while the proxy setting changes under them: none
// fails, and each setting carries the requests made after it took effect.
func TestSwitchProxyWhileRequestsRun(t *testing.T) {
	f, token := fake(t, fakekiro.Options{})
	hp, err := proxytest.NewHTTP("", "")
	require.NoError(t, err)
	t.Cleanup(hp.Close)
	sp, err := proxytest.NewSOCKS5("", "")
	require.NoError(t, err)
	t.Cleanup(sp.Close)
	e := newEnv(store.ProxyNone)
	tr := e.transports()

	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				code, err := usage(context.Background(), tr.HTTP(), f.URL, token)
				if err != nil || code != http.StatusOK {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				ok.Add(1)
			}
		})
	}
	waitFor := func(cond func() bool) {
		t.Helper()
		require.Eventually(t, cond, 5*time.Second, time.Millisecond)
	}
	waitFor(func() bool { return ok.Load() > 20 })
	assert.Zero(t, hp.Carried()+sp.Carried())

	e.setProxy(hp.URL)
	// http:// targets go through an HTTP proxy in absolute form.
	waitFor(func() bool { return hp.Forwards.Load() > 20 })
	e.setProxy(sp.URL)
	waitFor(func() bool { return sp.Tunnels.Load() > 0 })
	base := ok.Load()
	waitFor(func() bool { return ok.Load() > base+20 })
	e.setProxy(store.ProxyNone)
	// Once every request started under the SOCKS setting has ended, the
	// proxies carry nothing more.
	time.Sleep(50 * time.Millisecond)
	carried := hp.Carried() + sp.Carried()
	base = ok.Load()
	waitFor(func() bool { return ok.Load() > base+20 })
	cancel()
	wg.Wait()
	assert.Equal(t, carried, hp.Carried()+sp.Carried(), "direct again: nothing went through a proxy")
	assert.Zero(t, failed.Load(), "a request failed across a switch: %v", firstErr.Load())
	t.Logf("%d requests, %d forwarded by the HTTP proxy, %d SOCKS tunnels", ok.Load(), hp.Forwards.Load(), sp.Tunnels.Load())
}

// "system" follows the environment as it is now, not as it was at start.
func TestSystemFollowsTheEnvironment(t *testing.T) {
	f, token := fake(t, fakekiro.Options{})
	px, err := proxytest.NewHTTP("", "")
	require.NoError(t, err)
	t.Cleanup(px.Close)
	// A made-up name only the proxy can resolve: loopback targets never
	// go through an environment proxy.
	px.Alias("kiro.test", "127.0.0.1")
	port := f.URL[strings.LastIndex(f.URL, ":")+1:]
	named := "http://kiro.test:" + port

	e := newEnv(store.ProxySystem)
	tr := e.transports()
	assert.Equal(t, "no proxy variable set", tr.Route("").Source)
	_, err = usage(t.Context(), tr.HTTP(), named, token)
	require.Error(t, err, "direct: the made-up name does not resolve")
	assert.NotContains(t, err.Error(), "through proxy")

	e.setVar("http_proxy", px.URL)
	mustUsage(t, tr.HTTP(), named, token)
	assert.EqualValues(t, 1, px.Forwards.Load())
	assert.Equal(t, "$HTTP_PROXY="+px.URL, tr.Route("").Source)
	p, err := tr.ProxyFor("", named)
	require.NoError(t, err)
	assert.Equal(t, px.URL, p)
	p, err = tr.ProxyFor("", f.URL)
	require.NoError(t, err)
	assert.Empty(t, p, "loopback is never proxied by the environment")
	mustUsage(t, tr.HTTP(), f.URL, token)
	assert.EqualValues(t, 1, px.Forwards.Load())

	e.setVar("NO_PROXY", "kiro.test")
	_, err = usage(t.Context(), tr.HTTP(), named, token)
	require.Error(t, err)
	assert.EqualValues(t, 1, px.Forwards.Load())

	// "none" ignores the environment altogether.
	e.setVar("NO_PROXY", "")
	e.setProxy(store.ProxyNone)
	_, err = usage(t.Context(), tr.HTTP(), named, token)
	require.Error(t, err)
	assert.EqualValues(t, 1, px.Forwards.Load())
}

// An account's own proxy setting, with its own password, wins over the global one.
func TestPerAccountOverride(t *testing.T) {
	f, token := fake(t, fakekiro.Options{})
	hp, err := proxytest.NewHTTP("", "")
	require.NoError(t, err)
	t.Cleanup(hp.Close)
	sp, err := proxytest.NewSOCKS5("carol", proxyPassword)
	require.NoError(t, err)
	t.Cleanup(sp.Close)
	e := newEnv(hp.URL)
	e.accounts["acct-2"] = strings.Replace(sp.URL, "socks5://", "socks5://carol@", 1)
	require.NoError(t, e.sec.Set(t.Context(), outbound.PasswordKey("acct-2"), secrets.New(proxyPassword)))
	tr := e.transports()

	mustUsage(t, tr.For("acct-1"), f.URL, token)
	mustUsage(t, tr.For("acct-2"), f.URL, token)
	mustUsage(t, tr.HTTP(), f.URL, token)
	assert.EqualValues(t, 2, hp.Forwards.Load())
	assert.EqualValues(t, 1, sp.Tunnels.Load())
	assert.Equal(t, "account", tr.Route("acct-2").Scope)
	assert.Equal(t, "global", tr.Route("acct-1").Scope)
	assert.Same(t, tr.For("acct-1"), tr.For("acct-3"), "accounts with the same setting share one transport")
	assert.NotContains(t, e.logs.String(), proxyPassword)
}

// An https:// proxy: the connection to the proxy itself is TLS, checked
// against the same roots (here the extra bundle), and tunnels the TLS
// upstream inside it.
func TestHTTPSProxy(t *testing.T) {
	ca, err := proxytest.NewCA()
	require.NoError(t, err)
	f, token := fake(t, fakekiro.Options{TLS: ca.Server})
	px, err := proxytest.NewHTTPS("erin", proxyPassword, ca.Server)
	require.NoError(t, err)
	t.Cleanup(px.Close)
	e := newEnv(strings.Replace(px.URL, "https://", "https://erin@", 1))
	require.NoError(t, e.sec.Set(t.Context(), outbound.PasswordKey(""), secrets.New(proxyPassword)))
	tr := e.transports()

	_, err = usage(t.Context(), tr.HTTP(), f.URL, token)
	require.Error(t, err, "the proxy's certificate is not trusted without the bundle")
	assert.Zero(t, px.Tunnels.Load())

	e.mu.Lock()
	e.global.CABundle = writeCA(t, ca.PEM)
	e.mu.Unlock()
	mustUsage(t, tr.HTTP(), f.URL, token)
	mustUsage(t, tr.HTTP(), f.URL, token)
	assert.EqualValues(t, 1, px.Tunnels.Load())
	assert.NotContains(t, e.logs.String(), proxyPassword)
}
