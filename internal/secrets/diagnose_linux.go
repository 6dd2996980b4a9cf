//go:build linux

package secrets

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// On Linux go-keyring talks to the Secret Service (org.freedesktop.secrets,
// provided by gnome-keyring or KWallet) over the D-Bus session bus. When it
// fails, its errors ("failed to unlock correct collection", "The name
// org.freedesktop.secrets was not provided by any .service files") do not
// tell a person what to do, so diagnose finds out which piece is missing.

const secretServiceName = "org.freedesktop.secrets"

const (
	msgNoBus = "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set): Kirodesk keeps tokens in the Secret Service; " +
		"start a desktop session or run it inside dbus-run-session with gnome-keyring"
	msgNoService = "no Secret Service on the D-Bus session bus: start gnome-keyring or KWallet"
	// diagnoseTimeout bounds the diagnosis itself; it runs inside a keychain
	// call, which has its own (usually longer) timeout.
	diagnoseTimeout = 5 * time.Second
)

// preflight runs before every go-keyring call. Without a session bus
// address, godbus does not fail: it runs dbus-launch, which starts a new,
// private bus daemon that outlives Kirodesk and on which the Secret Service
// (if activatable) starts with a locked keyring and nobody to unlock it. The
// person would see a timeout or "failed to unlock correct collection"
// instead of the real cause, so refuse early with that cause.
func preflight() error {
	if !sessionBusKnown() {
		return fmt.Errorf("%w: %s", ErrUnavailable, msgNoBus)
	}
	return nil
}

// sessionBusKnown mirrors godbus's discovery of the session bus (the
// environment, then /run/user/<uid>/bus or /run/user/<uid>/dbus-session),
// without its dbus-launch fallback.
func sessionBusKnown() bool {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return true
	}
	dir := filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// diagnose explains a go-keyring failure (anything but ErrNotFound): no
// session bus or no Secret Service on it become ErrUnavailable with advice;
// otherwise the Secret Service is there and its own error is passed on.
func diagnose(err error) error {
	if !sessionBusKnown() {
		return fmt.Errorf("%w: %s", ErrUnavailable, msgNoBus)
	}
	ctx, cancel := context.WithTimeout(context.Background(), diagnoseTimeout)
	defer cancel()

	// A private connection, not dbus.SessionBus(): the shared one belongs to
	// go-keyring, and this one must be closed when done.
	conn, cerr := dbus.SessionBusPrivateNoAutoStartup(dbus.WithContext(ctx))
	if cerr == nil {
		defer conn.Close()
		if cerr = conn.Auth(nil); cerr == nil {
			cerr = conn.Hello()
		}
	}
	if cerr != nil {
		return fmt.Errorf("%w: cannot connect to the D-Bus session bus (%v): Kirodesk keeps tokens in the Secret Service; "+
			"start a desktop session or run it inside dbus-run-session with gnome-keyring", ErrUnavailable, cerr)
	}

	bus := conn.BusObject()
	var owned bool
	if e := bus.CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, secretServiceName).Store(&owned); e != nil {
		return serviceErr(err)
	}
	if owned {
		return serviceErr(err)
	}
	var activatable []string
	if e := bus.CallWithContext(ctx, "org.freedesktop.DBus.ListActivatableNames", 0).Store(&activatable); e != nil {
		return serviceErr(err)
	}
	if slices.Contains(activatable, secretServiceName) {
		// It can be started on demand, so it was there for go-keyring too:
		// its own error is the best explanation.
		return serviceErr(err)
	}
	return fmt.Errorf("%w: %s", ErrUnavailable, msgNoService)
}

// serviceErr wraps an error from a Secret Service that is present.
func serviceErr(err error) error {
	if strings.Contains(err.Error(), "failed to unlock") {
		// go-keyring's message when the unlock prompt was dismissed or could
		// not be shown (no prompter in the session).
		return fmt.Errorf("the Secret Service did not unlock the login keyring (the password prompt was dismissed or could not be shown); "+
			"unlock it, for example with Seahorse (\"Passwords and Keys\"), and try again: %w", err)
	}
	return fmt.Errorf("the Secret Service failed: %w", err)
}
