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
		return check(nameTrayHost, Warn, msgTrayNoBus.With("error", err.Error()))
	}
	defer conn.Close()
	var has bool
	err = conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	if err != nil {
		return check(nameTrayHost, Warn, msgTrayCannotAsk.With("error", err.Error()))
	}
	if !has {
		return check(nameTrayHost, Warn, msgTrayNoWatcher.With())
	}
	return check(nameTrayHost, OK, msgTrayOK.With())
}
