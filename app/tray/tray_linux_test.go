//go:build linux

package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/app/internal/shelltest"
	"kirodesk/app/trayproto"
	"kirodesk/internal/testenv"
)

// The real kirodesk-tray, driven the way a desktop shell drives it: the
// test is the StatusNotifierWatcher on the session bus, receives the item's
// registration, reads the menu over com.canonical.dbusmenu and clicks it.
// It needs a session bus and an X display (GTK); scripts/session.sh gives
// both. Without them it skips, except in CI, where it fails.
func TestTrayOverDBus(t *testing.T) {
	tr := startTray(t,
		// An English system, whatever the machine's: the labels below are
		// English until a State names a language.
		"LC_ALL=", "LC_MESSAGES=", "LANG=C.UTF-8",
	)

	assert.Equal(t, trayproto.Ready{}, tr.next(t))

	dm := tr.w.MenuOf(t, 15*time.Second)

	// Before any state: starting, nothing to toggle, Open and Quit usable.
	items := dm.WaitFor(t, "starting menu", func(items []shelltest.Entry) bool {
		return len(items) == 8 && items[0].Label == "Kirodesk is starting…"
	})
	assert.Equal(t, []string{"Kirodesk is starting…", "Proxy on", "Copy endpoint", "-", "Open Kirodesk", "Start at login", "-", "Quit"}, shelltest.Labels(items))
	assert.False(t, items[0].Enabled, "status line")
	assert.False(t, items[1].Enabled, "Proxy on before a state")
	assert.True(t, items[4].Enabled, "Open")
	assert.True(t, items[7].Enabled, "Quit")
	assert.Equal(t, "checkmark", items[1].ToggleType)
	assert.Equal(t, "checkmark", items[5].ToggleType)

	tr.send(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990"})
	items = dm.WaitFor(t, "proxy on", func(items []shelltest.Entry) bool {
		return len(items) == 8 && items[0].Label == "Proxy on — 127.0.0.1:8990" && items[1].ToggleState == 1 && items[1].Enabled
	})
	assert.Equal(t, int32(0), items[5].ToggleState, "Start at login")
	assert.True(t, items[2].Enabled, "Copy endpoint with an endpoint")
	iconName, err := dm.Item.GetProperty("org.kde.StatusNotifierItem.IconName")
	require.NoError(t, err)
	assert.NotEmpty(t, iconName.Value(), "the icon is set")

	// The accounts section: fixed slots, shown as needed, below the status
	// line; an account that must sign in again changes the icon.
	tr.send(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", Accounts: []trayproto.Account{
		{Label: "Work", State: "ready", Quota: "40% used"}, {Label: "Spare", State: trayproto.StateLoginNeeded}}})
	withAccounts := dm.WaitFor(t, "accounts shown", func(items []shelltest.Entry) bool { return len(items) == 10 && items[2].Label != "" })
	assert.Equal(t, []string{"Proxy on — 127.0.0.1:8990", "Work — ready, 40% used", "Spare — login needed", "Proxy on"},
		shelltest.Labels(withAccounts)[:4])
	assert.False(t, withAccounts[1].Enabled, "account lines are information")
	loginIcon, err := dm.Item.GetProperty("org.kde.StatusNotifierItem.IconName")
	require.NoError(t, err)
	assert.NotEqual(t, iconName.Value(), loginIcon.Value(), "the login-needed icon replaces the on icon")
	tr.send(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990"})
	items = dm.WaitFor(t, "accounts hidden", func(items []shelltest.Entry) bool {
		return len(items) == 8 && items[1].Label == "Proxy on"
	})

	// A newer release: a clickable line under the status, which the app
	// answers by opening the release page.
	tr.send(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", Update: &trayproto.Update{Version: "0.2.0"}})
	withUpdate := dm.WaitFor(t, "update line", func(items []shelltest.Entry) bool {
		return len(items) == 9 && items[1].Label == "Update available: v0.2.0"
	})
	assert.True(t, withUpdate[1].Enabled, "the update line can be clicked")
	dm.Click(t, withUpdate[1].ID)
	assert.Equal(t, trayproto.Click{Item: trayproto.ItemUpdate}, tr.next(t))
	tr.send(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990"})
	items = dm.WaitFor(t, "update line hidden", func(items []shelltest.Entry) bool {
		return len(items) == 8 && items[1].Label == "Proxy on"
	})

	// A click is reported, and the mark stays what the app said until the
	// app says otherwise (GTK flips it on its own; the tray puts it back).
	dm.Click(t, items[1].ID)
	assert.Equal(t, trayproto.Click{Item: trayproto.ItemToggleProxy}, tr.next(t))
	dm.WaitFor(t, "mark put back", func(items []shelltest.Entry) bool {
		return len(items) == 8 && items[1].ToggleState == 1
	})

	tr.send(t, trayproto.State{ProxyOn: false, StartAtLogin: true})
	items = dm.WaitFor(t, "proxy off", func(items []shelltest.Entry) bool {
		return len(items) == 8 && items[0].Label == "Proxy off" && items[1].ToggleState == 0 && items[5].ToggleState == 1
	})
	assert.False(t, items[2].Enabled, "Copy endpoint without an endpoint")

	tr.send(t, trayproto.State{Error: "listen tcp 127.0.0.1:8990: bind: address already in use"})
	dm.WaitFor(t, "error", func(items []shelltest.Entry) bool {
		return len(items) == 8 && items[0].Label == "Error: listen tcp 127.0.0.1:8990: bind: address already in use" && items[5].ToggleState == 0
	})

	for _, tc := range []struct {
		index int
		item  string
	}{{4, trayproto.ItemOpen}, {5, trayproto.ItemStartAtLogin}, {7, trayproto.ItemQuit}} {
		dm.Click(t, items[tc.index].ID)
		assert.Equal(t, trayproto.Click{Item: tc.item}, tr.next(t))
	}
	dm.WaitFor(t, "login mark put back", func(items []shelltest.Entry) bool {
		return len(items) == 8 && items[5].ToggleState == 0
	})

	// Quit is a request: the tray stays until the app closes the pipe.
	select {
	case err := <-tr.exited:
		t.Fatalf("the tray quit on its own: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	tr.closeInput(t)
}

func requireDesktopSession(t *testing.T) {
	t.Helper()
	testenv.RequireSessionBus(t)
	testenv.RequireDisplay(t)
}

func buildTray(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	require.NoError(t, err)
	bin := filepath.Join(t.TempDir(), "kirodesk-tray")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, gobin, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// testLogWriter shows the tray's standard error in the test log.
type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Logf("tray stderr: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
