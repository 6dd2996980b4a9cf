package app

import (
	"github.com/godbus/dbus/v5"
)

// DBusNotifier sends notifications to the desktop's notification server
// (org.freedesktop.Notifications on the session bus).
type DBusNotifier struct{}

// Each call connects anew: notifications are rare, and a connection kept
// for the app's life would be one more thing to keep alive.
func (DBusNotifier) Notify(title, body string) error {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return err
	}
	defer conn.Close()
	obj := conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
	return obj.Call("org.freedesktop.Notifications.Notify", 0,
		"Kirodesk", uint32(0), "", title, body, []string{}, map[string]dbus.Variant{}, int32(-1)).Err
}

// trayHostPresent reports whether something shows StatusNotifierItems
// (the tray's icon): a desktop with a tray owns this name. GNOME without
// the AppIndicator extension does not, and the icon would never appear.
func trayHostPresent() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}
