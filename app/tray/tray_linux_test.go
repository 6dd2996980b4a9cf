//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/app/trayproto"
)

// The real kirodesk-tray, driven the way a desktop shell drives it: the
// test is the StatusNotifierWatcher on the session bus, receives the item's
// registration, reads the menu over com.canonical.dbusmenu and clicks it.
// It needs a session bus and an X display (GTK); scripts/session.sh gives
// both. Without them it skips, except in CI, where it fails.
func TestTrayOverDBus(t *testing.T) {
	requireDesktopSession(t)
	bin := buildTray(t)

	conn, err := dbus.ConnectSessionBus()
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	w := startWatcher(t, conn)

	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"TMPDIR="+t.TempDir(), // systray's icon files
		"NO_AT_BRIDGE=1",      // no accessibility bus daemons outliving the test
	)
	cmd.Stderr = testLogWriter{t}
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	waited := make(chan struct{})
	fromTray := make(chan trayproto.Message, 64)
	go func() {
		defer close(waited)
		r := trayproto.NewReader(stdout)
		for {
			m, err := r.Next()
			var le *trayproto.LineError
			if errors.As(err, &le) {
				m = nil // stray output on the protocol pipe: a bug
			} else if err != nil {
				break
			}
			select {
			case fromTray <- m:
			default: // the test stopped listening
			}
		}
		exited <- cmd.Wait()
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
	next := func() trayproto.Message {
		t.Helper()
		select {
		case m := <-fromTray:
			require.NotNil(t, m, "the tray wrote a line that is not a message")
			return m
		case <-time.After(10 * time.Second):
			t.Fatal("no message from the tray")
			return nil
		}
	}
	send := func(s trayproto.State) {
		t.Helper()
		b, err := trayproto.Marshal(s)
		require.NoError(t, err)
		_, err = stdin.Write(b)
		require.NoError(t, err)
	}

	assert.Equal(t, trayproto.Ready{}, next())

	var reg registration
	select {
	case reg = <-w.registered:
	case <-time.After(15 * time.Second):
		t.Fatal("the tray did not register with the StatusNotifierWatcher")
	}
	itemPath := dbus.ObjectPath("/StatusNotifierItem")
	if strings.HasPrefix(reg.service, "/") {
		itemPath = dbus.ObjectPath(reg.service) // libayatana sends its path
	}
	menuProp, err := conn.Object(reg.sender, itemPath).GetProperty("org.kde.StatusNotifierItem.Menu")
	require.NoError(t, err)
	menuPath, ok := menuProp.Value().(dbus.ObjectPath)
	require.True(t, ok, "Menu is %T", menuProp.Value())
	dm := dbusMenu{conn.Object(reg.sender, menuPath)}

	// Before any state: starting, nothing to toggle, Open and Quit usable.
	items := dm.waitFor(t, "starting menu", func(items []menuEntry) bool {
		return len(items) == 8 && items[0].label == "Kirodesk is starting…"
	})
	assert.Equal(t, []string{"Kirodesk is starting…", "Proxy on", "Copy endpoint", "-", "Open Kirodesk", "Start at login", "-", "Quit"}, labels(items))
	assert.False(t, items[0].enabled, "status line")
	assert.False(t, items[1].enabled, "Proxy on before a state")
	assert.True(t, items[4].enabled, "Open")
	assert.True(t, items[7].enabled, "Quit")
	assert.Equal(t, "checkmark", items[1].toggleType)
	assert.Equal(t, "checkmark", items[5].toggleType)

	send(trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990"})
	items = dm.waitFor(t, "proxy on", func(items []menuEntry) bool {
		return items[0].label == "Proxy on — 127.0.0.1:8990" && items[1].toggleState == 1 && items[1].enabled
	})
	assert.Equal(t, int32(0), items[5].toggleState, "Start at login")
	assert.True(t, items[2].enabled, "Copy endpoint with an endpoint")
	iconName, err := conn.Object(reg.sender, itemPath).GetProperty("org.kde.StatusNotifierItem.IconName")
	require.NoError(t, err)
	assert.NotEmpty(t, iconName.Value(), "the icon is set")

	// The accounts section: fixed slots, shown as needed, below the status
	// line; an account that must sign in again changes the icon.
	send(trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", Accounts: []trayproto.Account{
		{Label: "Work", State: "ready", Quota: "40% used"}, {Label: "Spare", State: trayproto.StateLoginNeeded}}})
	withAccounts := dm.waitForLen(t, "accounts shown", 10, func(items []menuEntry) bool { return items[2].label != "" })
	assert.Equal(t, []string{"Proxy on — 127.0.0.1:8990", "Work — ready, 40% used", "Spare — login needed", "Proxy on"},
		labels(withAccounts)[:4])
	assert.False(t, withAccounts[1].enabled, "account lines are information")
	loginIcon, err := conn.Object(reg.sender, itemPath).GetProperty("org.kde.StatusNotifierItem.IconName")
	require.NoError(t, err)
	assert.NotEqual(t, iconName.Value(), loginIcon.Value(), "the login-needed icon replaces the on icon")
	send(trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990"})
	items = dm.waitFor(t, "accounts hidden", func(items []menuEntry) bool { return items[1].label == "Proxy on" })

	// A click is reported, and the mark stays what the app said until the
	// app says otherwise (GTK flips it on its own; the tray puts it back).
	dm.click(t, items[1].id)
	assert.Equal(t, trayproto.Click{Item: trayproto.ItemToggleProxy}, next())
	dm.waitFor(t, "mark put back", func(items []menuEntry) bool { return items[1].toggleState == 1 })

	send(trayproto.State{ProxyOn: false, StartAtLogin: true})
	items = dm.waitFor(t, "proxy off", func(items []menuEntry) bool {
		return items[0].label == "Proxy off" && items[1].toggleState == 0 && items[5].toggleState == 1
	})
	assert.False(t, items[2].enabled, "Copy endpoint without an endpoint")

	send(trayproto.State{Error: "listen tcp 127.0.0.1:8990: bind: address already in use"})
	dm.waitFor(t, "error", func(items []menuEntry) bool {
		return items[0].label == "Error: listen tcp 127.0.0.1:8990: bind: address already in use" && items[5].toggleState == 0
	})

	for _, tc := range []struct {
		index int
		item  string
	}{{4, trayproto.ItemOpen}, {5, trayproto.ItemStartAtLogin}, {7, trayproto.ItemQuit}} {
		dm.click(t, items[tc.index].id)
		assert.Equal(t, trayproto.Click{Item: tc.item}, next())
	}
	dm.waitFor(t, "login mark put back", func(items []menuEntry) bool { return items[5].toggleState == 0 })

	// Quit is a request: the tray stays until the app closes the pipe.
	select {
	case err := <-exited:
		t.Fatalf("the tray quit on its own: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	require.NoError(t, stdin.Close())
	select {
	case err := <-exited:
		require.NoError(t, err, "exit status 0 after the end of input")
	case <-time.After(10 * time.Second):
		t.Fatal("the tray did not exit after its input closed")
	}
}

func requireDesktopSession(t *testing.T) {
	t.Helper()
	var missing []string
	for _, k := range []string{"DBUS_SESSION_BUS_ADDRESS", "DISPLAY"} {
		if os.Getenv(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("no desktop session (%s unset); run under scripts/session.sh", strings.Join(missing, ", "))
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
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

// registration is one RegisterStatusNotifierItem call.
type registration struct {
	sender  string
	service string // a bus name or, from libayatana, an object path
}

// watcher is the part of org.kde.StatusNotifierWatcher an item uses: a
// desktop shell (KDE's plasmashell, GNOME's AppIndicator extension) owns
// it. IsStatusNotifierHostRegistered says a host shows items, which makes
// libayatana stay on D-Bus instead of falling back to an XEmbed icon.
type watcher struct {
	conn       *dbus.Conn
	registered chan registration
}

const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = dbus.ObjectPath("/StatusNotifierWatcher")
	watcherIface = "org.kde.StatusNotifierWatcher"
)

func (w *watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	select {
	case w.registered <- registration{sender: string(sender), service: service}:
	default:
	}
	_ = w.conn.Emit(watcherPath, watcherIface+".StatusNotifierItemRegistered", string(sender)+service)
	return nil
}

func (w *watcher) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }

func startWatcher(t *testing.T, conn *dbus.Conn) *watcher {
	t.Helper()
	w := &watcher{conn: conn, registered: make(chan registration, 4)}
	require.NoError(t, conn.Export(w, watcherPath, watcherIface))
	props, err := prop.Export(conn, watcherPath, prop.Map{watcherIface: {
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
	}})
	require.NoError(t, err)
	node := &introspect.Node{
		Name: string(watcherPath),
		Interfaces: []introspect.Interface{
			introspect.IntrospectData,
			prop.IntrospectData,
			{
				Name:       watcherIface,
				Methods:    introspect.Methods(w),
				Properties: props.Introspection(watcherIface),
				Signals: []introspect.Signal{
					{Name: "StatusNotifierItemRegistered", Args: []introspect.Arg{{Name: "service", Type: "s"}}},
					{Name: "StatusNotifierItemUnregistered", Args: []introspect.Arg{{Name: "service", Type: "s"}}},
					{Name: "StatusNotifierHostRegistered"},
				},
			},
		},
	}
	require.NoError(t, conn.Export(introspect.NewIntrospectable(node), watcherPath, "org.freedesktop.DBus.Introspectable"))

	reply, err := conn.RequestName(watcherName, dbus.NameFlagDoNotQueue)
	require.NoError(t, err)
	if reply != dbus.RequestNameReplyPrimaryOwner {
		// A real desktop shell owns it: this is someone's session, not a
		// test session.
		msg := "another StatusNotifierWatcher owns the session bus; run under scripts/session.sh"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { _, _ = conn.ReleaseName(watcherName) })
	return w
}

// menuEntry is one top-level dbusmenu item, reduced to what the test checks.
type menuEntry struct {
	id          int32
	label       string // "-" for a separator
	enabled     bool
	toggleType  string
	toggleState int32
}

func labels(items []menuEntry) []string {
	var l []string
	for _, it := range items {
		l = append(l, it.label)
	}
	return l
}

type dbusMenu struct{ obj dbus.BusObject }

// layout reads the visible top-level items with GetLayout(0, -1, []).
func (m dbusMenu) layout() ([]menuEntry, error) {
	var rev uint32
	var root struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	if err := m.obj.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root); err != nil {
		return nil, err
	}
	var items []menuEntry
	for _, c := range root.Children {
		var child struct {
			ID       int32
			Props    map[string]dbus.Variant
			Children []dbus.Variant
		}
		if err := dbus.Store([]any{c.Value()}, &child); err != nil {
			return nil, err
		}
		e := menuEntry{id: child.ID, enabled: true}
		p := child.Props
		if v, ok := p["visible"]; ok && v.Value() == false {
			continue
		}
		if v, ok := p["type"]; ok && v.Value() == "separator" {
			e.label = "-"
		} else if v, ok := p["label"]; ok {
			e.label, _ = v.Value().(string)
		}
		if v, ok := p["enabled"]; ok {
			e.enabled, _ = v.Value().(bool)
		}
		if v, ok := p["toggle-type"]; ok {
			e.toggleType, _ = v.Value().(string)
		}
		if v, ok := p["toggle-state"]; ok {
			e.toggleState, _ = v.Value().(int32)
		}
		items = append(items, e)
	}
	return items, nil
}

// waitFor polls the layout until ok holds (the tray applies states on the
// GTK main loop and dbusmenu publishes them a moment later).
func (m dbusMenu) waitFor(t *testing.T, what string, ok func([]menuEntry) bool) []menuEntry {
	t.Helper()
	return m.waitForLen(t, what, 8, ok)
}

// waitForLen waits for a layout of n visible items that satisfies ok.
func (m dbusMenu) waitForLen(t *testing.T, what string, n int, ok func([]menuEntry) bool) []menuEntry {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var items []menuEntry
	var err error
	for time.Now().Before(deadline) {
		items, err = m.layout()
		if err == nil && len(items) == n && ok(items) {
			return items
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("menu never showed %s: last layout %+v, err %v", what, items, err)
	return nil
}

func (m dbusMenu) click(t *testing.T, id int32) {
	t.Helper()
	call := m.obj.Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(int32(0)), uint32(0))
	require.NoError(t, call.Err)
}

// testLogWriter shows the tray's standard error in the test log.
type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Logf("tray stderr: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
