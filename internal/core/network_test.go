package core

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/doctor"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/outbound"
	"kirodesk/internal/outbound/proxytest"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

const pxPassword = "core-proxy-Passw0rd"

func openWithFake(t *testing.T, dir string, mem secrets.Store, fake *fakekiro.Server) *Core {
	t.Helper()
	env := map[string]string{store.EnvAPIBase: fake.URL, store.EnvAuthBase: fake.URL, store.EnvOIDCBase: fake.URL}
	c, err := Open(t.Context(), Options{ConfigDir: dir, Secrets: mem, Getenv: func(k string) string { return env[k] }})
	require.NoError(t, err)
	<-c.Reconciled()
	// A free port, so the port check does not depend on what else runs here.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	require.NoError(t, c.Store.Config.Update(t.Context(), func(cfg *store.Config) error { cfg.Port = port; return nil }))
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// addFake adds the fake's account fa to c as label, signed in by method.
func addFake(t *testing.T, c *Core, fa fakekiro.FakeAccount, label, method string) store.Account {
	t.Helper()
	cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: method}
	a, err := c.Accounts.Add(t.Context(), store.Account{Label: label, AuthMethod: method}, cr.Secret())
	require.NoError(t, err)
	return a
}

func find(r doctor.Report, section, name string) doctor.Check {
	for _, s := range r.Sections {
		if strings.HasPrefix(s.Title, section) {
			for _, c := range s.Checks {
				if c.Name == name {
					return c
				}
			}
		}
	}
	return doctor.Check{Status: "missing"}
}

// SetProxy applies to the next call without a restart, keeps the password
// out of config.json, and the connection test runs every step through it.
func TestSetProxyAndDiagnose(t *testing.T) {
	ctx := t.Context()
	fake := fakekiro.New(fakekiro.Options{CheckHeaders: true})
	t.Cleanup(fake.Close)
	fa := fake.AddAccount(fakekiro.FakeAccount{Email: "a@example.com"})
	px, err := proxytest.NewHTTP("dora", pxPassword)
	require.NoError(t, err)
	t.Cleanup(px.Close)
	mem := secrets.NewMemory()
	dir := t.TempDir()
	c := openWithFake(t, dir, mem, fake)
	a := addFake(t, c, fa, "work", store.AuthBuilderID)

	rep := c.Diagnose(ctx, "test")
	assert.False(t, rep.Failed(), rep.Text())
	assert.Zero(t, px.Carried(), "direct before the setting")

	require.NoError(t, c.SetProxy(ctx, "", strings.Replace(px.URL, "http://", "http://dora:"+pxPassword+"@", 1)))
	assert.Equal(t, strings.Replace(px.URL, "http://", "http://dora@", 1), c.Store.Config.Snapshot().Outbound.Proxy)
	pw, err := mem.Get(ctx, outbound.PasswordKey(""))
	require.NoError(t, err)
	assert.Equal(t, pxPassword, pw.Reveal())

	rep = c.Diagnose(ctx, "test")
	text := rep.Text()
	assert.False(t, rep.Failed(), text)
	for _, name := range []string{"tcp/tls", "refresh", "usage"} {
		assert.Equal(t, doctor.OK, find(rep, "Account "+a.ID, name).Status, name)
	}
	assert.Contains(t, find(rep, "Account "+a.ID, "proxy").Detail, "through http://dora:xxxxx@"+px.Addr)
	assert.Equal(t, doctor.Skip, find(rep, "Account "+a.ID, "dns").Status, "the proxy resolves names")
	assert.Equal(t, doctor.OK, find(rep, "This machine", "keychain").Status)
	assert.GreaterOrEqual(t, px.Forwards.Load(), int64(3), "tcp/tls, refresh and usage all went through the proxy")
	assert.NotContains(t, text, pxPassword)
	assert.NotContains(t, text, fa.RefreshToken)
	assert.NotContains(t, text, fa.AccessToken)
	assert.Equal(t, 2, fake.Calls(fakekiro.PathUsage), "one getUsageLimits per run")

	// Clearing the user name deletes the stored password; "none" is direct again.
	require.NoError(t, c.SetProxy(ctx, "", store.ProxyNone))
	_, err = mem.Get(ctx, outbound.PasswordKey(""))
	assert.ErrorIs(t, err, secrets.ErrNotFound)
	before := px.Carried()
	rep = c.Diagnose(ctx, "test")
	assert.False(t, rep.Failed(), rep.Text())
	assert.Equal(t, before, px.Carried())

	// A per-account override with a wrong password fails, saying where.
	require.NoError(t, c.SetProxy(ctx, a.ID, strings.Replace(px.URL, "http://", "http://dora:wrong@", 1)))
	rep = c.Diagnose(ctx, "test")
	assert.True(t, rep.Failed())
	assert.Equal(t, doctor.Fail, find(rep, "Account "+a.ID, "tcp/tls").Status)
	assert.Contains(t, find(rep, "Account "+a.ID, "proxy").Detail, "account setting")
	assert.Error(t, c.SetProxy(ctx, "", "ftp://nope:21"))
}

// While another Kirodesk owns the folder, the checks run read-only and
// never refresh a token.
func TestDiagnoseReadOnlyWhileRunning(t *testing.T) {
	ctx := t.Context()
	fake := fakekiro.New(fakekiro.Options{CheckHeaders: true})
	t.Cleanup(fake.Close)
	fa := fake.AddAccount(fakekiro.FakeAccount{})
	mem := secrets.NewMemory()
	dir := t.TempDir()
	c := openWithFake(t, dir, mem, fake)
	a := addFake(t, c, fa, "home", store.AuthSocial)

	_, err := Open(ctx, Options{ConfigDir: dir, Secrets: mem})
	require.True(t, IsLocked(err), "%v", err)
	env := map[string]string{store.EnvAPIBase: fake.URL, store.EnvAuthBase: fake.URL, store.EnvOIDCBase: fake.URL}
	rep := DiagnoseReadOnly(ctx, Options{ConfigDir: dir, Secrets: mem, Getenv: func(k string) string { return env[k] }}, "test")
	assert.False(t, rep.Failed(), rep.Text())
	assert.Equal(t, doctor.Skip, find(rep, "Account "+a.ID, "refresh").Status)
	assert.Equal(t, doctor.OK, find(rep, "Account "+a.ID, "usage").Status)
	assert.Contains(t, find(rep, "This machine", "config dir").Detail, "running Kirodesk")
	assert.Zero(t, fake.Calls(fakekiro.PathRefresh), "no refresh behind the running instance's back")
}

// The whole path of a chat request (API, relay, pool, Kiro client) goes
// through a SOCKS5 proxy to a TLS upstream whose CA is only in the extra
// bundle, and the connection test shows the TLS details.
func TestChatThroughSOCKSToTLSUpstream(t *testing.T) {
	ctx := t.Context()
	ca, err := proxytest.NewCA()
	require.NoError(t, err)
	fake := fakekiro.New(fakekiro.Options{CheckHeaders: true, TLS: ca.Server})
	t.Cleanup(fake.Close)
	fa := fake.AddAccount(fakekiro.FakeAccount{})
	px, err := proxytest.NewSOCKS5("", "")
	require.NoError(t, err)
	t.Cleanup(px.Close)
	bundle := filepath.Join(t.TempDir(), "corp-ca.pem")
	require.NoError(t, os.WriteFile(bundle, ca.PEM, 0o600))

	mem := secrets.NewMemory()
	c := openWithFake(t, t.TempDir(), mem, fake)
	require.NoError(t, c.Store.Config.Update(ctx, func(cfg *store.Config) error {
		cfg.Outbound = store.Outbound{Proxy: px.URL, CABundle: bundle}
		return nil
	}))
	a := addFake(t, c, fa, "corp", store.AuthBuilderID)

	key, err := c.APIKey(ctx)
	require.NoError(t, err)
	api := httptest.NewServer(c.Server)
	t.Cleanup(api.Close)
	fake.Enqueue(fakekiro.Script{fakekiro.Text("through the tunnel")})
	req, err := http.NewRequest(http.MethodPost, api.URL+"/v1/messages",
		strings.NewReader(`{"model":"claude-sonnet-4-5","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	req.Header.Set("x-api-key", key.Reveal())
	req.Header.Set("content-type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	assert.Contains(t, string(b), "through the tunnel")
	assert.GreaterOrEqual(t, px.Tunnels.Load(), int64(1))
	assert.Contains(t, px.Targets(), strings.TrimPrefix(fake.URL, "https://"))
	assert.Equal(t, fake.URL, c.Store.Pool.Snapshot().Account(a.ID).ChatHost, "the working host is kept as a hint")

	rep := c.Diagnose(ctx, "test")
	assert.False(t, rep.Failed(), rep.Text())
	tls := find(rep, "Account "+a.ID, "tcp/tls").Detail
	assert.Contains(t, tls, "TLS 1.3")
	assert.Contains(t, tls, "issued by Kirodesk Test CA")
	assert.Contains(t, find(rep, "Outbound", "CA").Detail, "plus 1 from "+bundle)

	// Without the bundle the same call fails on the certificate, not silently.
	require.NoError(t, c.Store.Config.Update(ctx, func(cfg *store.Config) error { cfg.Outbound.CABundle = ""; return nil }))
	rep = c.Diagnose(ctx, "test")
	assert.Equal(t, doctor.Fail, find(rep, "Account "+a.ID, "tcp/tls").Status)
	assert.Contains(t, find(rep, "Account "+a.ID, "tcp/tls").Detail, "certificate")
}

// An inherited proxy variable is named in the log at start, with its
// password redacted.
func TestStartLogsTheProxyInEffect(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logs.Write(p) })
	env := map[string]string{"https_proxy": "http://u:inherited-secret@corp.example:3128"}
	c, err := Open(t.Context(), Options{ConfigDir: t.TempDir(), Secrets: secrets.NewMemory(),
		Logger: slog.New(slog.NewTextHandler(w, nil)), Getenv: func(k string) string { return env[k] }})
	require.NoError(t, err)
	<-c.Reconciled()
	require.NoError(t, c.Close(context.Background()))
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, logs.String(), "$HTTPS_PROXY=http://u:xxxxx@corp.example:3128")
	assert.NotContains(t, logs.String(), "inherited-secret")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
