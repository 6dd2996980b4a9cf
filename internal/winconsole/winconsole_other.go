//go:build !windows

package winconsole

// Attach is needed on Windows only (winconsole_windows.go): elsewhere a
// program started from a terminal always has it.
func Attach() {}
