//go:build !linux

package doctor

import "context"

// trayHost: Windows and macOS always have a notification area.
func trayHost(context.Context) Check {
	return check(nameTrayHost, OK, msgTrayBuiltIn.With())
}
