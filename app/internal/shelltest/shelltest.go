//go:build linux

// Package shelltest plays a desktop shell on a D-Bus session bus for tests:
// it owns org.kde.StatusNotifierWatcher, receives tray items'
// registrations, and reads and clicks their menus over
// com.canonical.dbusmenu, as KDE's plasmashell or GNOME's AppIndicator
// extension would. Only tests import it.
package shelltest

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
	"github.com/stretchr/testify/require"
)

// Registration is one RegisterStatusNotifierItem call.
type Registration struct {
	Sender  string
	Service string // a bus name or, from libayatana, an object path
}

// Watcher is the part of org.kde.StatusNotifierWatcher an item uses.
// IsStatusNotifierHostRegistered says a host shows items, which makes
// libayatana stay on D-Bus instead of falling back to an XEmbed icon.
type Watcher struct {
	conn       *dbus.Conn
	Registered chan Registration
}

const (
	WatcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = dbus.ObjectPath("/StatusNotifierWatcher")
	watcherIface = "org.kde.StatusNotifierWatcher"
)

func (w *Watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	select {
	case w.Registered <- Registration{Sender: string(sender), Service: service}:
	default:
	}
	_ = w.conn.Emit(watcherPath, watcherIface+".StatusNotifierItemRegistered", string(sender)+service)
	return nil
}

func (w *Watcher) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }

// StartWatcher exports a watcher on conn and takes its name; it fails the
// test (skips outside CI) when a real shell already owns it.
func StartWatcher(t *testing.T, conn *dbus.Conn) *Watcher {
	t.Helper()
	w := &Watcher{conn: conn, Registered: make(chan Registration, 4)}
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
	reply, err := conn.RequestName(WatcherName, dbus.NameFlagDoNotQueue)
	require.NoError(t, err)
	if reply != dbus.RequestNameReplyPrimaryOwner {
		msg := "another StatusNotifierWatcher owns the session bus; run under scripts/session.sh"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { _, _ = conn.ReleaseName(WatcherName) })
	return w
}

// MenuOf waits for the next item registration and returns its menu.
func (w *Watcher) MenuOf(t *testing.T, timeout time.Duration) Menu {
	t.Helper()
	var reg Registration
	select {
	case reg = <-w.Registered:
	case <-time.After(timeout):
		t.Fatal("no tray item registered with the StatusNotifierWatcher")
	}
	itemPath := dbus.ObjectPath("/StatusNotifierItem")
	if len(reg.Service) > 0 && reg.Service[0] == '/' {
		itemPath = dbus.ObjectPath(reg.Service) // libayatana sends its path
	}
	item := w.conn.Object(reg.Sender, itemPath)
	menuProp, err := item.GetProperty("org.kde.StatusNotifierItem.Menu")
	require.NoError(t, err)
	menuPath, ok := menuProp.Value().(dbus.ObjectPath)
	require.True(t, ok, "Menu is %T", menuProp.Value())
	return Menu{Obj: w.conn.Object(reg.Sender, menuPath), Item: item}
}

// Entry is one top-level dbusmenu item, reduced to what tests check.
type Entry struct {
	ID          int32
	Label       string // "-" for a separator
	Enabled     bool
	ToggleType  string
	ToggleState int32
}

// Menu is an item's com.canonical.dbusmenu object, and the item itself
// (org.kde.StatusNotifierItem: icon, title).
type Menu struct{ Obj, Item dbus.BusObject }

// Labels lists the entries' labels.
func Labels(items []Entry) []string {
	var l []string
	for _, it := range items {
		l = append(l, it.Label)
	}
	return l
}

// Layout reads the visible top-level items with GetLayout(0, -1, []).
func (m Menu) Layout() ([]Entry, error) {
	var rev uint32
	var root struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	if err := m.Obj.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root); err != nil {
		return nil, err
	}
	var items []Entry
	for _, c := range root.Children {
		var child struct {
			ID       int32
			Props    map[string]dbus.Variant
			Children []dbus.Variant
		}
		if err := dbus.Store([]any{c.Value()}, &child); err != nil {
			return nil, err
		}
		e := Entry{ID: child.ID, Enabled: true}
		p := child.Props
		if v, ok := p["visible"]; ok && v.Value() == false {
			continue
		}
		if v, ok := p["type"]; ok && v.Value() == "separator" {
			e.Label = "-"
		} else if v, ok := p["label"]; ok {
			e.Label, _ = v.Value().(string)
		}
		if v, ok := p["enabled"]; ok {
			e.Enabled, _ = v.Value().(bool)
		}
		if v, ok := p["toggle-type"]; ok {
			e.ToggleType, _ = v.Value().(string)
		}
		if v, ok := p["toggle-state"]; ok {
			e.ToggleState, _ = v.Value().(int32)
		}
		items = append(items, e)
	}
	return items, nil
}

// WaitFor polls the layout until ok holds and returns it.
func (m Menu) WaitFor(t *testing.T, what string, ok func([]Entry) bool) []Entry {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var items []Entry
	var err error
	for time.Now().Before(deadline) {
		items, err = m.Layout()
		if err == nil && ok(items) {
			return items
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("menu never showed %s: last layout %+v, err %v", what, items, err)
	return nil
}

// Click sends a "clicked" event to an item.
func (m Menu) Click(t *testing.T, id int32) {
	t.Helper()
	require.NoError(t, m.Obj.Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(int32(0)), uint32(0)).Err)
}

// ClickQuit clicks an item that ends the tray's process (Quit): the tray
// may exit before it answers the call, so a reply lost to that exit is
// not an error; the caller checks that the app exited.
func (m Menu) ClickQuit(t *testing.T, id int32) {
	t.Helper()
	err := m.Obj.Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(int32(0)), uint32(0)).Err
	var de dbus.Error
	if errors.As(err, &de) && de.Name == "org.freedesktop.DBus.Error.NoReply" {
		return
	}
	require.NoError(t, err)
}

// Find returns the first entry with the label.
func Find(items []Entry, label string) (Entry, bool) {
	for _, e := range items {
		if e.Label == label {
			return e, true
		}
	}
	return Entry{}, false
}
