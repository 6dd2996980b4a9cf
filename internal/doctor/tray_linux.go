package doctor

import (
	"context"

	"github.com/godbus/dbus/v5"
)

// trayHost checks that a StatusNotifierWatcher (the desktop's tray host)
// owns its name on the session bus: without one the tray icon has nowhere
// to show.
func trayHost(ctx context.Context) Check {
	conn, err := dbus.ConnectSessionBus(dbus.WithContext(ctx))
	if err != nil {
		return Check{Name: "tray host", Status: Warn, Detail: "no D-Bus session bus: the tray icon cannot show (" + err.Error() + ")"}
	}
	defer conn.Close()
	var has bool
	err = conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	if err != nil {
		return Check{Name: "tray host", Status: Warn, Detail: "cannot ask the session bus: " + err.Error()}
	}
	if !has {
		return Check{Name: "tray host", Status: Warn, Detail: "no StatusNotifierWatcher on the session bus: this desktop shows no tray icons (GNOME needs the AppIndicator extension); the window and `kirodesk serve` still work"}
	}
	return Check{Name: "tray host", Status: OK, Detail: "a StatusNotifierWatcher is on the session bus"}
}
