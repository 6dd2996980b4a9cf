//go:build linux

package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/core"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/logging"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

func TestSecurityDefaultBindIsLoopback(t *testing.T) {
	testenv.RequireKeychain(t)
	cfg := store.NewConfig()
	assert.Equal(t, "127.0.0.1", cfg.Host)
	assert.True(t, store.IsLoopback(cfg.Host))

	// A core opened with no host override listens where the defaults say,
	// and nothing answers on this machine's other addresses.
	dir := t.TempDir()
	t.Cleanup(func() { wipeKeychain(t, core.KeychainService(dir, os.Getenv)) })
	port := 0
	c, err := core.Open(context.Background(), core.Options{ConfigDir: dir, Getenv: func(string) string { return "" }, Port: &port})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	require.NoError(t, c.Proxy.Start())
	st := c.Proxy.Status()
	assert.Equal(t, "127.0.0.1", st.Host)
	assert.True(t, strings.HasPrefix(st.Endpoint, "http://127.0.0.1:"), st.Endpoint)
	conn, err := net.DialTimeout("tcp", st.Endpoint[len("http://"):], time.Second)
	require.NoError(t, err, "the loopback address answers")
	conn.Close()
	// Linux routes all of 127.0.0.0/8 to lo: a listener on every address
	// (0.0.0.0) answers at 127.0.0.2, one on 127.0.0.1 does not. This holds
	// even on a machine without other interfaces, where the loop below
	// finds nothing to try.
	if conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.2", itoa(st.Port)), time.Second); err == nil {
		conn.Close()
		t.Errorf("127.0.0.2:%d accepts connections: the proxy listens beyond 127.0.0.1", st.Port)
	}
	addrs, err := net.InterfaceAddrs()
	require.NoError(t, err)
	others := 0
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		others++
		hostport := net.JoinHostPort(ipn.IP.String(), itoa(st.Port))
		conn, err := net.DialTimeout("tcp", hostport, time.Second)
		if err == nil {
			conn.Close()
		}
		assert.Error(t, err, "%s must not accept connections", hostport)
	}
	t.Logf("default bind %s; %d non-loopback addresses refused", st.Endpoint, others)
}

func itoa(n int) string { return strconv.Itoa(n) }

// routeURL turns a registered pattern ("POST /v1/messages") into its method
// and a path that matches it.
func routeURL(pattern string) (string, string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		return http.MethodGet, pattern
	}
	return method, path
}

func TestSecurityEveryRouteNeedsTheKey(t *testing.T) {
	e := newEnv(t, envOptions{accounts: 1})
	routes := e.core.Server.Routes()
	require.NotEmpty(t, routes)
	// The right key gets through on every route: the refusals below are
	// about the key, not routes that refuse everyone.
	for _, r := range routes {
		method, path := routeURL(r)
		req, err := http.NewRequest(method, e.url+path, strings.NewReader(msgOK))
		require.NoError(t, err)
		req.Header.Set("x-api-key", e.key)
		req.Header.Set("content-type", "application/json")
		req.Header.Set("anthropic-version", "2023-06-01")
		resp, err := e.client.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.NotEqual(t, http.StatusUnauthorized, resp.StatusCode, "%s with the right key: %s", r, b)
		assert.NotContains(t, string(b), "authentication_error", r)
	}
	// Plus paths no route claims: the catch-all is behind the key too.
	routes = append(routes, "GET /", "GET /v1/", "POST /v1/unknown", "GET /debug/pprof/", "GET /metrics", "OPTIONS /v1/messages")
	for _, r := range routes {
		method, path := routeURL(r)
		for _, key := range []string{"", "kd-wrong", e.key + "x", strings.ToUpper(e.key)} {
			req, err := http.NewRequest(method, e.url+path, strings.NewReader(msgOK))
			require.NoError(t, err)
			if key != "" {
				req.Header.Set("x-api-key", key)
			}
			resp, err := e.client.Do(req)
			require.NoError(t, err)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "%s with key %q: %s", r, key, b)
			assert.Contains(t, string(b), "authentication_error", r)
		}
	}
	// /health is the one open route, and says nothing but ok.
	resp, err := e.client.Get(e.url + "/health")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{"status":"ok"}`, string(b))
	t.Logf("%d routes (%d registered) refuse a missing or wrong key; /health alone answers", len(routes), len(e.core.Server.Routes()))
}

func TestSecurityNoCORSAndNoPageOrigins(t *testing.T) {
	e := newEnv(t, envOptions{accounts: 1})
	routes := append(e.core.Server.Routes(), "GET /health")
	origins := []string{"https://evil.example", "http://192.168.1.10:8080", "null", "file://", "chrome-extension://abcdef", "http://127.0.0.1.evil.example"}
	checked := 0
	for _, r := range routes {
		method, path := routeURL(r)
		for _, origin := range origins {
			// A CORS preflight.
			req, err := http.NewRequest(http.MethodOptions, e.url+path, nil)
			require.NoError(t, err)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", method)
			req.Header.Set("Access-Control-Request-Headers", "x-api-key, content-type")
			resp, err := e.client.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusForbidden, resp.StatusCode, "preflight %s from %s", r, origin)
			noCORS(t, resp.Header, "preflight "+r)

			// The real request, with the right key, from a page.
			req, err = http.NewRequest(method, e.url+path, strings.NewReader(msgOK))
			require.NoError(t, err)
			req.Header.Set("Origin", origin)
			req.Header.Set("x-api-key", e.key)
			req.Header.Set("Content-Type", "application/json")
			resp, err = e.client.Do(req)
			require.NoError(t, err)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%s from %s: %s", r, origin, b)
			assert.Contains(t, string(b), "permission_error")
			noCORS(t, resp.Header, r)
			checked += 2
		}
	}
	// Successful answers carry no CORS header either.
	for _, a := range []api{anthropicPlain, anthropicStream, chatPlain} {
		req, err := http.NewRequest(http.MethodPost, e.url+a.path(), bytes.NewReader(a.body("cors?")))
		require.NoError(t, err)
		req.Header.Set("x-api-key", e.key)
		resp, err := e.client.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode)
		noCORS(t, resp.Header, a.String())
	}
	t.Logf("%d preflights and page-origin requests refused, none with a CORS header", checked)
}

func noCORS(t *testing.T, h http.Header, what string) {
	t.Helper()
	for k := range h {
		assert.False(t, strings.HasPrefix(strings.ToLower(k), "access-control-"), "%s answered %s", what, k)
	}
}

// TestSecurityNoTokenLeaks runs a whole session with debug logging (three
// accounts, one of them IdC with a client secret; requests on every API,
// streamed and not; token expiries with refresh and rotation; throttles,
// server errors, an exception frame, a stream reset, a dead refresh token,
// wrong keys) and then looks for every secret ever issued in every log
// line, every response body and every file of the config folder.
func TestSecurityNoTokenLeaks(t *testing.T) {
	logs := &testenv.Buffer{}
	log := logging.New(logs, slog.LevelDebug)
	e := newEnv(t, envOptions{logger: log, fake: fakekiro.Options{AccessTokenTTL: 2 * time.Hour}})
	ctx := context.Background()

	secretsSeen := map[string]string{} // value -> what it is
	note := func() {
		for i, a := range e.fake.Accounts() {
			secretsSeen[a.AccessToken] = "access token of account " + itoa(i)
			secretsSeen[a.RefreshToken] = "refresh token of account " + itoa(i)
		}
	}
	secretsSeen[e.key] = "the API key"

	// An IdC client, registered as the login would.
	resp, err := http.Post(e.fake.URL+fakekiro.PathRegister, "application/json",
		strings.NewReader(`{"clientName":"Kirodesk","clientType":"public","scopes":["codewhisperer:completions"]}`))
	require.NoError(t, err)
	var client struct{ ClientID, ClientSecret string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&client))
	resp.Body.Close()
	require.NotEmpty(t, client.ClientSecret)
	secretsSeen[client.ClientSecret] = "the IdC client secret"

	social := []fakekiro.FakeAccount{
		e.fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/P", Email: "a@example.com"}),
		e.fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/P", Email: "b@example.com"}),
	}
	idc := e.fake.AddAccount(fakekiro.FakeAccount{ClientID: client.ClientID, Email: "c@example.com"})
	var ids []string
	for i, fa := range append(social, idc) {
		cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthSocial,
			ProfileARN: fa.ProfileARN, ExpiresAt: time.Now().Add(time.Hour), Region: "us-east-1"}
		if fa.ClientID != "" {
			cr.AuthMethod, cr.ClientID, cr.ClientSecret, cr.AuthRegion = store.AuthIdC, client.ClientID, client.ClientSecret, "us-east-1"
			cr.ClientExpiresAt = time.Now().Add(80 * 24 * time.Hour)
		}
		a, err := e.core.Accounts.Add(ctx, store.Account{Label: "leak " + itoa(i), AuthMethod: cr.AuthMethod}, cr.Secret())
		if err != nil { // a refused save adds nothing
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	note()

	var bodies []string
	call := func(method, path, key string, body []byte) {
		req, err := http.NewRequest(method, e.url+path, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := e.client.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		bodies = append(bodies, resp.Status+"\n"+resp.Header.Get("Content-Type")+"\n"+string(b))
	}
	all := func(tag string) {
		for a := range numAPIs {
			for n := range 3 {
				call("POST", a.path(), e.key, a.body(tag+" "+a.String()+" "+itoa(n)))
			}
		}
		note() // a refresh during these calls rotated tokens
	}
	all("plain")
	// Every token expires: the next calls refresh and rotate.
	for _, a := range e.fake.Accounts() {
		e.fake.ExpireAccessToken(a.AccessToken)
	}
	all("after expiry")
	for _, id := range ids {
		cr, err := e.core.Pool.Credentials(ctx, id)
		require.NoError(t, err)
		_, err = e.core.Pool.Reauthorize(ctx, id, cr.AccessToken)
		require.NoError(t, err)
		note()
	}
	all("after rotation")
	note()
	// Failures of every kind.
	e.fake.Enqueue(
		fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)},
		fakekiro.Script{fakekiro.Status(500, fakekiro.BodyHighLoad)},
		fakekiro.Script{fakekiro.Text("partial "), fakekiro.Exception("InternalServerException", "boom")},
		fakekiro.Script{fakekiro.Text("cut "), fakekiro.Reset()},
		fakekiro.Script{fakekiro.Status(400, fakekiro.BodyInputTooLong)},
		fakekiro.Script{fakekiro.Status(403, fakekiro.BodySuspended)},
	)
	all("failures")
	// A refresh token the user's IDE rotated away: the refresh fails for good.
	victim := e.fake.Accounts()[1]
	e.fake.RevokeRefreshToken(victim.RefreshToken)
	e.fake.ExpireAccessToken(victim.AccessToken)
	all("dead refresh")
	note()
	call("GET", "/v1/kirodesk/status", e.key, nil)
	call("GET", "/v1/models", e.key, nil)
	call("POST", "/v1/messages/count_tokens", e.key, []byte(msgOK))
	call("POST", "/v1/messages", "kd-wrong", []byte(msgOK))
	call("POST", "/v1/messages", social[0].AccessToken, []byte(msgOK)) // a Kiro token as the key
	require.NoError(t, e.core.Store.Pool.Flush(ctx))
	require.NoError(t, e.core.Store.Config.Flush(ctx))

	refreshes := e.fake.Calls(fakekiro.PathRefresh) + e.fake.Calls(fakekiro.PathToken)
	require.GreaterOrEqual(t, refreshes, 4, "the session refreshed (and rotated) tokens")
	logText := logs.String()
	require.Contains(t, logText, "level=DEBUG", "debug logging was captured")

	var files []string
	require.NoError(t, filepath.WalkDir(e.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		// The control socket lives here when XDG_RUNTIME_DIR is unset (as
		// in CI); it holds no bytes to scan and cannot be read as a file.
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, p+"\n"+string(b))
		return nil
	}))
	require.NotEmpty(t, files)

	leaks := 0
	for value, what := range secretsSeen {
		// The whole value and any 16-character piece of its random part,
		// so a truncated token in a log counts too.
		needles := []string{value}
		if len(value) > 20 {
			needles = append(needles, value[len(value)-16:], value[4:20])
		}
		for _, n := range needles {
			for _, hay := range []struct{ where, text string }{{"logs", logText}, {"responses", strings.Join(bodies, "\n")}, {"files", strings.Join(files, "\n")}} {
				if strings.Contains(hay.text, n) {
					leaks++
					t.Errorf("%s appears in the %s", what, hay.where)
				}
			}
		}
	}
	t.Logf("token leak scan: %d secret values (API key, client secret, %d access/refresh tokens incl. rotated), %d refreshes; "+
		"%d log lines, %d responses, %d files scanned; %d leaks",
		len(secretsSeen), len(secretsSeen)-2, refreshes, strings.Count(logText, "\n"), len(bodies), len(files), leaks)
}
