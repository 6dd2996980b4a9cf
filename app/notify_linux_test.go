package app

import (
	"bufio"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/testenv"
)

// notificationServer is what a desktop's notification daemon exports.
type notificationServer struct{ got chan [2]string }

func (s notificationServer) Notify(app string, replaces uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.got <- [2]string{summary, body}
	return 1, nil
}

// The notifier and the tray-host check talk to the real session bus, as a
// desktop's notification daemon and tray would answer them.
func TestDBusNotificationsAndTrayHost(t *testing.T) {
	privateBus(t)
	conn, err := dbus.ConnectSessionBus()
	require.NoError(t, err)
	defer conn.Close()

	assert.False(t, trayHostPresent(), "no StatusNotifierWatcher on a bare session bus")
	reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
	require.NoError(t, err)
	require.Equal(t, dbus.RequestNameReplyPrimaryOwner, reply)
	assert.True(t, trayHostPresent())
	_, err = conn.ReleaseName("org.kde.StatusNotifierWatcher")
	require.NoError(t, err)

	srv := notificationServer{got: make(chan [2]string, 1)}
	require.NoError(t, conn.Export(srv, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"))
	reply, err = conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue)
	require.NoError(t, err)
	require.Equal(t, dbus.RequestNameReplyPrimaryOwner, reply)
	defer conn.ReleaseName("org.freedesktop.Notifications")

	require.NoError(t, DBusNotifier{}.Notify("Kirodesk: sign in again", "Work needs a new sign-in"))
	select {
	case got := <-srv.got:
		assert.Equal(t, [2]string{"Kirodesk: sign in again", "Work needs a new sign-in"}, got)
	case <-time.After(5 * time.Second):
		t.Fatal("the notification server received nothing")
	}
}

// privateBus starts a session bus of the test's own, so that no other test
// (the tray's owns a StatusNotifierWatcher) shares its names.
func privateBus(t *testing.T) {
	t.Helper()
	bin := testenv.RequireTool(t, "dbus-daemon")
	cmd := exec.Command(bin, "--session", "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", strings.TrimSpace(addr))
}
