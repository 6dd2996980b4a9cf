package webbridge_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/app"
	"kirodesk/app/webbridge"
	"kirodesk/internal/autostart"
	"kirodesk/internal/core"
	"kirodesk/internal/secrets"
)

func startBridge(t *testing.T) (*webbridge.Bridge, *httptest.Server) {
	t.Helper()
	a := app.New(app.Options{Version: "v-test", Autostart: autostart.Manager{ConfigHome: t.TempDir()}})
	assets := fstest.MapFS{"index.html": {Data: []byte("<html><head><title>K</title></head><body></body></html>")}}
	b := webbridge.New(a, assets, nil)
	port := 0
	require.NoError(t, a.Startup(b, func() (*core.Core, error) {
		return core.Open(context.Background(), core.Options{ConfigDir: t.TempDir(), Secrets: secrets.NewMemory(), Port: &port})
	}))
	t.Cleanup(a.Shutdown)
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	return b, srv
}

func post(t *testing.T, url, body string) map[string]any {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

// The frontend's bindings are hand-written in Wails' generated shape; this
// keeps them and the Go methods the same set.
func TestBindingsMatchTheFrontendDeclarations(t *testing.T) {
	b, _ := startBridge(t)
	d, err := os.ReadFile("../../frontend/wailsjs/go/app/App.d.ts")
	require.NoError(t, err)
	var declared []string
	for _, m := range regexp.MustCompile(`(?m)^export function (\w+)\(`).FindAllStringSubmatch(string(d), -1) {
		declared = append(declared, m[1])
	}
	assert.Equal(t, b.Methods(), declared, "App.d.ts/App.js and app.App's exported methods differ")
	assert.NotContains(t, b.Methods(), "Startup")
	assert.NotContains(t, b.Methods(), "Shutdown")
}

func TestCallsReachTheRealMethods(t *testing.T) {
	b, srv := startBridge(t)

	st := post(t, srv.URL+"/__bridge/call/Status", `[]`)
	require.Nil(t, st["error"])
	assert.Equal(t, true, st["result"].(map[string]any)["proxyOn"])

	// Arguments are decoded into the Go parameter types.
	out := post(t, srv.URL+"/__bridge/call/UpdateSettings", `[{"port": 70000}]`)
	assert.Contains(t, out["error"], "port 70000 is outside 1-65535")
	// With its code and value, as Wails' ErrorFormatter sends it, for the window to translate.
	assert.Equal(t, []any{map[string]any{"code": "config.port", "args": map[string]any{"value": "70000"},
		"text": "port 70000 is outside 1-65535"}}, out["texts"])
	out = post(t, srv.URL+"/__bridge/call/UpdateSettings", `[{"logLevel": "debug"}]`)
	require.Nil(t, out["error"])
	assert.Equal(t, "debug", out["result"].(map[string]any)["logLevel"])

	post(t, srv.URL+"/__bridge/call/CopyToClipboard", `["hello"]`)
	resp, err := http.Get(srv.URL + "/__bridge/state")
	require.NoError(t, err)
	var state webbridge.State
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&state))
	resp.Body.Close()
	assert.Equal(t, "hello", state.Clipboard)

	assert.Contains(t, post(t, srv.URL+"/__bridge/call/Status", `[1]`)["error"], "takes 0 arguments")
	assert.Contains(t, post(t, srv.URL+"/__bridge/call/Nope", `[]`)["error"], "no bound method")
	assert.NotEmpty(t, b.Methods())
}

func TestPageGetsTheShimAndEvents(t *testing.T) {
	_, srv := startBridge(t)
	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	page := new(strings.Builder)
	_, _ = bufio.NewReader(resp.Body).WriteTo(page)
	resp.Body.Close()
	assert.Contains(t, page.String(), `<head><script src="/__bridge/shim.js"></script>`)

	resp, err = http.Get(srv.URL + "/__bridge/shim.js")
	require.NoError(t, err)
	shim := new(strings.Builder)
	_, _ = bufio.NewReader(resp.Body).WriteTo(shim)
	resp.Body.Close()
	assert.Contains(t, shim.String(), `["app","App"]`)
	assert.Contains(t, shim.String(), `"SetProxyEnabled"`)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/__bridge/events", nil)
	ev, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer ev.Body.Close()
	rd := bufio.NewReader(ev.Body)
	line, err := rd.ReadString('\n') // ": connected"
	require.NoError(t, err)
	require.Contains(t, line, "connected")
	post(t, srv.URL+"/__bridge/call/SetProxyEnabled", `[false]`)
	// Status events from start-up may still be on their way (they are sent
	// from goroutines); the one that says "off" must follow.
	for {
		line, err = rd.ReadString('\n')
		require.NoError(t, err, "no status event with the proxy off")
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		var msg struct {
			Name string
			Data map[string]any
		}
		require.NoError(t, json.Unmarshal([]byte(data), &msg))
		assert.Equal(t, "status", msg.Name)
		if msg.Data["proxyOn"] == false {
			return
		}
	}
}
