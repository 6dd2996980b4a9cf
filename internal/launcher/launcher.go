// Package launcher hands the desktop app over from the kirodesk command to
// the window executable installed beside it. The command (cmd/kirodesk)
// links no GUI toolkit, so `kirodesk serve` and the account commands stay
// small; `kirodesk` with no command (or --hidden) runs kirodesk-desktop,
// the Wails build, with the same arguments.
package launcher

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Name is the window executable's file name without the .exe suffix.
const Name = "kirodesk-desktop"

// Path returns the window executable next to this program. Symbolic links
// to the program are followed first, so /usr/bin/kirodesk (a link into
// /usr/lib/kirodesk) finds the real install folder.
func Path() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("locating the desktop app: %w", err)
	}
	return pathNextTo(exe, runtime.GOOS)
}

func pathNextTo(exe, goos string) (string, error) {
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	name := Name
	if goos == "windows" {
		name += ".exe"
	}
	p := filepath.Join(filepath.Dir(exe), name)
	fi, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("the desktop app %s is not installed next to this program (`kirodesk serve` runs the proxy without it): %w", name, err)
	}
	if fi.IsDir() {
		return "", fmt.Errorf("the desktop app %s is a folder", p)
	}
	return p, nil
}

// Desktop runs the window executable next to this program with args (the
// command line after the program name). On Unix it replaces this process,
// so the app keeps its PID and a service manager, a terminal or the login
// session sees one process; on Windows it starts the app and returns.
func Desktop(args []string) error {
	path, err := Path()
	if err != nil {
		return err
	}
	return run(path, args)
}
