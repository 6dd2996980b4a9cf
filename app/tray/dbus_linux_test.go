//go:build linux

package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/stretchr/testify/require"

	"kirodesk/app/internal/shelltest"
	"kirodesk/app/trayproto"
)

// trayRun is a real kirodesk-tray and the fake desktop shell (the test as
// StatusNotifierWatcher on the session bus) it registered with.
type trayRun struct {
	w        *shelltest.Watcher
	stdin    io.WriteCloser
	exited   chan error
	fromTray chan trayproto.Message
}

// startTray builds and starts the tray with env added to this process's
// (systray's icon files go to a temporary TMPDIR; no accessibility bus
// daemons outlive the test). It skips without a desktop session, except
// in CI. The tray is killed when the test ends.
func startTray(t *testing.T, env ...string) *trayRun {
	t.Helper()
	requireDesktopSession(t)
	bin := buildTray(t)

	conn, err := dbus.ConnectSessionBus()
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	r := &trayRun{w: shelltest.StartWatcher(t, conn), exited: make(chan error, 1), fromTray: make(chan trayproto.Message, 64)}

	cmd := exec.Command(bin)
	cmd.Env = append(append(os.Environ(), "TMPDIR="+t.TempDir(), "NO_AT_BRIDGE=1"), env...)
	cmd.Stderr = testLogWriter{t}
	r.stdin, err = cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	waited := make(chan struct{})
	go func() {
		defer close(waited)
		pr := trayproto.NewReader(stdout)
		for {
			m, err := pr.Next()
			var le *trayproto.LineError
			if errors.As(err, &le) {
				m = nil // stray output on the protocol pipe: a bug
			} else if err != nil {
				break
			}
			select {
			case r.fromTray <- m:
			default: // the test stopped listening
			}
		}
		r.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		// After a failure: stop the tray, and let its stderr end before
		// the test does (testLogWriter logs to t).
		_ = cmd.Process.Kill()
		select {
		case <-waited:
		case <-time.After(10 * time.Second):
		}
	})
	return r
}

// next is the tray's next message; a line that is not one fails the test.
func (r *trayRun) next(t *testing.T) trayproto.Message {
	t.Helper()
	select {
	case m := <-r.fromTray:
		require.NotNil(t, m, "the tray wrote a line that is not a message")
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message from the tray")
		return nil
	}
}

// send writes s to the tray as the app does.
func (r *trayRun) send(t *testing.T, s trayproto.State) {
	t.Helper()
	b, err := trayproto.Marshal(s)
	require.NoError(t, err)
	_, err = r.stdin.Write(b)
	require.NoError(t, err)
}

// closeInput closes the tray's input, as the app does when it quits, and
// waits for exit status 0.
func (r *trayRun) closeInput(t *testing.T) {
	t.Helper()
	require.NoError(t, r.stdin.Close())
	select {
	case err := <-r.exited:
		require.NoError(t, err, "exit status 0 after the end of input")
	case <-time.After(10 * time.Second):
		t.Fatal("the tray did not exit after its input closed")
	}
}
