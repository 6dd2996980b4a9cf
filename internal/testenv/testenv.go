// Package testenv says whether this machine offers what a test needs (the
// real keychain, a desktop session, an installed tool) and, when it does
// not, skips the test on a developer's machine but fails it in CI, where
// `make test` provides all of it (scripts/deps.sh, scripts/session.sh).
// A test that needs the keychain must never pass in CI by being skipped.
//
// It also holds the small helpers that tests in several packages share: a
// clock moved by hand, a child process's output lines, encoding/json's
// bytes, a release's config folder. It imports no Kirodesk package, so
// that every package's own tests may import it.
//
// Only tests import this package.
package testenv

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// CI reports whether the tests run in CI: $CI is set to anything but "",
// "0" or "false" (.ci/run sets CI=true).
func CI() bool {
	v := strings.ToLower(strings.TrimSpace(os.Getenv("CI")))
	return v != "" && v != "0" && v != "false"
}

// Missing skips t outside CI and fails it in CI, saying why either way.
func Missing(t testing.TB, why string) {
	t.Helper()
	if CI() {
		t.Fatalf("CI is set, so this test must run, but %s", why)
	}
	t.Skip(why)
}

const sessionHint = "run the tests through scripts/session.sh (a D-Bus session with an unlocked gnome-keyring, and Xvfb), as `make test` does"

var (
	keychainOnce sync.Once
	keychainErr  error
)

// RequireKeychain makes sure the OS keychain answers: on Linux a session
// bus (DBUS_SESSION_BUS_ADDRESS, so a developer's own login keyring is used
// only when asked for) with a Secret Service that can be read. The probe
// reads an item that does not exist and must be told "not found"; it runs
// once per test binary.
func RequireKeychain(t testing.TB) {
	t.Helper()
	if runtime.GOOS == "linux" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		Missing(t, "there is no keychain to test against: DBUS_SESSION_BUS_ADDRESS is not set; "+sessionHint)
	}
	keychainOnce.Do(func() { keychainErr = probeKeychain(10 * time.Second) })
	if keychainErr != nil {
		Missing(t, "the keychain does not answer ("+keychainErr.Error()+"); "+sessionHint)
	}
}

func probeKeychain(timeout time.Duration) error {
	done := make(chan error, 1)
	go func() {
		_, err := keyring.Get("kirodesk-testenv-probe", "absent-"+rand.Text())
		done <- err
	}()
	select {
	case err := <-done:
		if errors.Is(err, keyring.ErrNotFound) {
			return nil
		}
		if err == nil {
			return errors.New("an item that was never written was found")
		}
		return err
	case <-time.After(timeout):
		// A locked collection may be waiting for a password prompt nobody sees.
		return fmt.Errorf("no answer within %v (a locked keyring waiting for a prompt?)", timeout)
	}
}

// RequireDisplay makes sure a display is there to open windows on: $DISPLAY
// or $WAYLAND_DISPLAY on Linux (Xvfb under scripts/session.sh). Windows and
// macOS always have one.
func RequireDisplay(t testing.TB) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		Missing(t, "there is no display: DISPLAY is not set; "+sessionHint)
	}
}

// RequireSessionBus makes sure a D-Bus session bus was given to the tests
// (DBUS_SESSION_BUS_ADDRESS), as scripts/session.sh does.
func RequireSessionBus(t testing.TB) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		Missing(t, "there is no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set; "+sessionHint)
	}
}

// RequireTool returns the path of an installed program, or skips (fails in
// CI) saying that scripts/deps.sh installs it.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name+" is not installed: scripts/deps.sh --test installs it")
	}
	return p
}
