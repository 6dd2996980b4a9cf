//go:build !windows

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/core"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// kirodesk starts this test binary as the kirodesk command.
func kirodesk(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "KIRODESK_TEST_AS_MAIN=1")
	return cmd
}

// serving is a running `kirodesk serve`.
type serving struct {
	cmd    *exec.Cmd
	url    string
	stderr *testenv.Buffer
}

func startServe(t *testing.T, dir string, extra ...string) *serving {
	t.Helper()
	cmd := kirodesk(t, append([]string{"serve", "--config-dir", dir, "--port", "0"}, extra...)...)
	url, stderr := testenv.StartListening(t, cmd, 20*time.Second)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, url)
	return &serving{cmd: cmd, url: url, stderr: stderr}
}

func apiKeyFor(t *testing.T, dir string) string {
	t.Helper()
	out, err := kirodesk(t, "apikey", "--config-dir", dir).Output()
	require.NoError(t, err)
	key := strings.TrimSpace(string(out))
	require.True(t, strings.HasPrefix(key, "kd-"), "apikey printed %q", key)
	t.Cleanup(func() {
		_ = secrets.NewKeyring(core.KeychainService(dir, os.Getenv)).Delete(context.Background(), "apikey")
	})
	return key
}

// runFailing runs cmd to its end and returns how it ended and what it
// wrote on stderr.
func runFailing(cmd *exec.Cmd) (stderr string, err error) {
	var b bytes.Buffer
	cmd.Stderr = &b
	err = cmd.Run()
	return b.String(), err
}

// requireUnlocked checks that no process holds dir: the store opens it.
func requireUnlocked(t *testing.T, dir string) {
	t.Helper()
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	require.NoError(t, st.Close(context.Background()))
}

func call(t *testing.T, method, url, key string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeEndToEnd(t *testing.T) {
	testenv.RequireKeychain(t)
	dir := t.TempDir()
	s := startServe(t, dir)

	code, body := call(t, "GET", s.url+"/health", "")
	assert.Equal(t, 200, code)
	assert.JSONEq(t, `{"status":"ok"}`, body)

	key := apiKeyFor(t, dir)
	assert.Equal(t, key, apiKeyFor(t, dir), "the key is stable")
	code, _ = call(t, "GET", s.url+"/v1/nothing", "")
	assert.Equal(t, 401, code)
	code, _ = call(t, "GET", s.url+"/v1/nothing", "kd-wrong")
	assert.Equal(t, 401, code)
	code, _ = call(t, "GET", s.url+"/v1/nothing", key)
	assert.Equal(t, 404, code, "with the key the request reaches the router")

	// The key is in the keychain and nowhere in the folder.
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			assert.NotContains(t, string(b), key, "%s holds the API key", path)
		}
		return nil
	})
	assert.NotContains(t, s.stderr.String(), key)

	// SIGTERM: stop, drain, flush, unlock, exit 0.
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, s.cmd.Wait(), "serve must exit 0 on SIGTERM; stderr: %s", s.stderr.String())
	assert.Contains(t, s.stderr.String(), "shutting down")
	_, err := http.Get(s.url + "/health")
	assert.Error(t, err, "the port is closed after exit")
	// The lock is free again.
	requireUnlocked(t, dir)
}

func TestSecondServeIsRefusedWhileTheFirstKeepsServing(t *testing.T) {
	testenv.RequireKeychain(t)
	dir := t.TempDir()
	first := startServe(t, dir)
	apiKeyFor(t, dir) // cleanup of the keychain item

	stderr, err := runFailing(kirodesk(t, "serve", "--config-dir", dir, "--port", "0"))
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, stderr, "another Kirodesk is already running")
	assert.Contains(t, stderr, dir)
	assert.Contains(t, stderr, "process id "+strconv.Itoa(first.cmd.Process.Pid))

	code, _ := call(t, "GET", first.url+"/health", "")
	assert.Equal(t, 200, code, "the first instance keeps serving")
}

func TestServeReportsPortInUse(t *testing.T) {
	testenv.RequireKeychain(t)
	dir := t.TempDir()
	first := startServe(t, dir)
	apiKeyFor(t, dir)
	port := first.url[strings.LastIndex(first.url, ":")+1:]

	other := t.TempDir()
	apiKeyFor(t, other)
	stderr, err := runFailing(kirodesk(t, "serve", "--config-dir", other, "--port", port))
	require.Error(t, err)
	assert.Contains(t, stderr, "port "+port+" is in use by another program")
	// It released its own folder on the way out.
	requireUnlocked(t, other)
}

func TestDamagedPoolIsReportedAtStart(t *testing.T) {
	testenv.RequireKeychain(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pool.json"), []byte(`{"version":1,"accounts":[`), 0o600))
	msg, err := runFailing(kirodesk(t, "serve", "--config-dir", dir, "--port", "0"))
	require.Error(t, err)
	assert.Contains(t, msg, filepath.Join(dir, "pool.json"))
	assert.Contains(t, msg, "not valid JSON")
	assert.Contains(t, msg, "repair the file")
}

func TestConfigFileStaysFreeOfFlags(t *testing.T) {
	testenv.RequireKeychain(t)
	dir := t.TempDir()
	s := startServe(t, dir)
	apiKeyFor(t, dir)
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, s.cmd.Wait())
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	var cfg store.Config
	require.NoError(t, json.Unmarshal(b, &cfg))
	assert.Equal(t, store.DefaultPort, cfg.Port, "--port 0 is for this run only and is not saved")
}

// Without a keychain there is nowhere safe for the API key: serve must stop
// and say what is missing, not fall back to a file.
func TestServeWithoutKeychainSaysWhatIsMissing(t *testing.T) {
	if _, err := os.Stat(filepath.Join("/run/user", strconv.Itoa(os.Getuid()), "bus")); err == nil {
		t.Skip("this machine has a standard session bus that godbus would find anyway")
	}
	dir := t.TempDir()
	cmd := kirodesk(t, "serve", "--config-dir", dir, "--port", "0")
	var env []string
	for _, kv := range cmd.Env {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	stderr, err := runFailing(cmd)
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, stderr, "no D-Bus session bus")
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		assert.NotContains(t, string(b), "kd-", "no key may land in %s", e.Name())
	}
	// It let go of the folder.
	requireUnlocked(t, dir)
}
