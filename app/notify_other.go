//go:build !linux

package app

// DBusNotifier is Linux-only; elsewhere notifications are not shown yet.
type DBusNotifier struct{}

func (DBusNotifier) Notify(title, body string) error { return nil }

// trayHostPresent: Windows and macOS always have a notification area.
func trayHostPresent() bool { return true }
