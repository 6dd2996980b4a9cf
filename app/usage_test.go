package app

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/autostart"
	"kirodesk/internal/core"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/uitext"
)

func postMessage(t *testing.T, endpoint, key, ua string) {
	t.Helper()
	req, err := http.NewRequest("POST", endpoint+"/v1/messages",
		strings.NewReader(`{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	req.Header.Set("x-api-key", key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", ua)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
}

func TestUsageViewAndExportShowTheRequestsSent(t *testing.T) {
	a, _, c, fake, _ := startOnFake(t)
	acc, fa := addFakeAccount(t, c, fake, "Work")
	require.True(t, fake.SetUsageLimits(fa.AccessToken, usage(100, 1000, time.Time{})))
	_, err := a.RefreshQuota(acc.ID)
	require.NoError(t, err)
	st, _ := a.Status()
	key, _ := a.APIKey()
	for _, ua := range []string{"claude-cli/1.0.98 (external, cli)", "claude-cli/1.0.98", "OpenAI/Python 1.99.1"} {
		fake.Enqueue(fakekiro.Script{fakekiro.Text("hi"), fakekiro.Metering(0.5)})
		postMessage(t, st.Endpoint, key, ua)
	}

	// The tray's usage line: today's requests, the credits left of the
	// account that answered.
	today := a.trayState().Today
	require.NotNil(t, today)
	assert.EqualValues(t, 3, today.Requests)
	assert.Equal(t, "Work", today.Account)
	require.NotNil(t, today.CreditsLeft)
	assert.InDelta(t, 899, *today.CreditsLeft, 1.01, "1000 - 100, less what the requests metered if the pool counts it")

	s, err := a.Usage("24h", "account")
	require.NoError(t, err)
	assert.Equal(t, "hour", s.By)
	require.Len(t, s.Groups, 1)
	assert.Equal(t, "Work", s.Groups[0].Label, "accounts are shown by their names")
	var sum int64
	for _, n := range s.Groups[0].Requests {
		sum += n
	}
	assert.EqualValues(t, 3, sum)
	assert.EqualValues(t, 3, s.Table.Total.Requests)
	assert.InDelta(t, 1.5, s.Table.Total.Credits, 1e-9)
	// The fake sent no token figures: the local counts, marked estimated.
	assert.EqualValues(t, 3, s.Table.Total.Estimated)
	assert.Positive(t, s.Table.Total.InputTokens)
	require.Len(t, s.Table.Forecasts, 1)
	assert.Contains(t, s.Table.Forecasts[0].Text, "at the last 7 days' rate, Work reaches its limit on ")

	s, err = a.Usage("7d", "client")
	require.NoError(t, err)
	got := map[string]int64{}
	for _, g := range s.Groups {
		for _, n := range g.Requests {
			got[g.Key] += n
		}
	}
	assert.Equal(t, map[string]int64{"Claude Code": 2, "OpenAI SDK": 1}, got)
	_, err = a.Usage("1y", "client")
	assert.Error(t, err)
	_, err = a.Usage("24h", "api")
	assert.Error(t, err)

	dir := t.TempDir()
	t.Setenv("KIRODESK_EXPORT_DIR", dir)
	path, err := a.ExportUsageCSV("30d")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(path, dir), path)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, lines, 3, "header, today, total")
	assert.True(t, strings.HasPrefix(lines[0], "day,requests,errors,"), lines[0])
	assert.True(t, strings.HasPrefix(lines[2], "total,3,0,"), lines[2])

}

// A damaged usage.json does not stop the app and is not silently reset: it
// is moved aside, whole, and the window's warnings say where.
func TestADamagedUsageHistoryIsSetAsideAndShownInTheWindow(t *testing.T) {
	dir := t.TempDir()
	damaged := []byte(`{"version":1,"hours":[{"requests":-1}`)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "usage.json"), damaged, 0o600))
	port := 0
	a := New(Options{Version: "v-test", Autostart: autostart.Manager{ConfigHome: t.TempDir()},
		SystemLanguages: func() []string { return nil }})
	require.NoError(t, a.Startup(&recorder{}, WithLogins(a, func() (*core.Core, error) {
		return core.Open(context.Background(), core.Options{ConfigDir: dir, Secrets: secrets.NewMemory(), Port: &port,
			Getenv: func(string) string { return "" }})
	})))
	t.Cleanup(a.Shutdown)

	st, err := a.Status()
	require.NoError(t, err)
	var w *uitext.Text
	for i := range st.Warnings {
		if st.Warnings[i].Code == "store.usageRestarted" {
			w = &st.Warnings[i]
		}
	}
	require.NotNil(t, w, "no warning about usage.json in %v", st.Warnings)
	aside := w.Args["aside"]
	assert.True(t, strings.HasPrefix(aside, filepath.Join(dir, "usage.json.corrupt-")), aside)
	assert.Contains(t, w.Text, "usage.json was damaged")
	kept, err := os.ReadFile(aside)
	require.NoError(t, err)
	assert.Equal(t, damaged, kept, "the damaged file is kept as it was")
	s, err := a.Usage("24h", "client")
	require.NoError(t, err, "the Usage view works on the new history")
	assert.Zero(t, s.Table.Total.Requests)
}
