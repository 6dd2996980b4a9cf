//go:build !linux

package doctor

import "context"

// trayHost: Windows and macOS always have a notification area.
func trayHost(context.Context) Check {
	return Check{Name: "tray host", Status: OK, Detail: "built into this system"}
}
