//go:build linux

package desktoptest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/stretchr/testify/require"

	"kirodesk/app/internal/shelltest"
	"kirodesk/internal/apikey"
	"kirodesk/internal/core"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// offlineUpstream points the app's Kiro, auth and OIDC hosts at a closed
// port: these tests need no account.
var offlineUpstream = []string{store.EnvAPIBase + "=http://127.0.0.1:9", store.EnvAuthBase + "=http://127.0.0.1:9", store.EnvOIDCBase + "=http://127.0.0.1:9",
	store.EnvFeedURL + "=http://127.0.0.1:9/kirodesk-feed.json"} // the update check stays on this machine too

// desktopShell is the built app under test and a fake desktop shell on the
// session bus that its tray registers with. Without the app, a display or
// the keychain the test is skipped, but fails in CI: `make test-desktop`
// builds the app and runs this package alone in a session (make test-go
// leaves it out, so CI never skips it).
func desktopShell(t *testing.T) (bin string, w *shelltest.Watcher) {
	t.Helper()
	bin = os.Getenv("KIRODESK_DESKTOP_BIN")
	if bin == "" {
		testenv.Missing(t, "KIRODESK_DESKTOP_BIN is unset: `make test-desktop` builds the app and runs this test")
	}
	testenv.RequireDisplay(t)
	testenv.RequireKeychain(t) // the app keeps its API key there
	conn, err := dbus.ConnectSessionBus()
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return bin, shelltest.StartWatcher(t, conn)
}

// configFolder is a fresh config folder whose config.json has a free port
// (and whatever edit sets); the API key the app keeps in the keychain for
// it is removed when the test ends.
func configFolder(t *testing.T, edit func(*store.Config)) (dir string, port int) {
	t.Helper()
	dir = t.TempDir()
	port = freePort(t)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	require.NoError(t, st.Config.Update(context.Background(), func(c *store.Config) error {
		c.Port = port
		if edit != nil {
			edit(c)
		}
		return nil
	}))
	require.NoError(t, st.Close(context.Background()))
	t.Cleanup(func() {
		_ = secrets.NewKeyring(core.KeychainService(dir, os.Getenv)).Delete(context.Background(), apikey.Item)
	})
	return dir, port
}

// startApp runs the app with args and env added to this process's; it is
// killed when the test ends, and its log shown if the test failed. exited
// receives how it ended.
func startApp(t *testing.T, bin string, env []string, args ...string) (log *testenv.Buffer, exited <-chan error) {
	t.Helper()
	log = &testenv.Buffer{}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "TMPDIR="+t.TempDir(), "NO_AT_BRIDGE=1"), env...)
	cmd.Stdout, cmd.Stderr = log, log
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
		if t.Failed() {
			t.Logf("app log:\n%s", log.String())
		}
	})
	return log, done
}

// quitFromTray clicks the tray entry labelled quit and waits for the app
// to exit cleanly.
func quitFromTray(t *testing.T, menu shelltest.Menu, items []shelltest.Entry, quit string, exited <-chan error) {
	t.Helper()
	e, ok := shelltest.Find(items, quit)
	require.True(t, ok)
	menu.ClickQuit(t, e.ID)
	select {
	case err := <-exited:
		require.NoError(t, err, "exit status")
	case <-time.After(30 * time.Second):
		t.Fatal("the app did not quit")
	}
}
