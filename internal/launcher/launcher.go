// Package launcher hands the desktop app over from the kirodesk command to
// the window executable installed beside it. The command (cmd/kirodesk)
// links no GUI toolkit, so `kirodesk serve` and the account commands stay
// small; `kirodesk` with no command (or --hidden) runs kirodesk-desktop,
// the Wails build, with the same arguments. NextTo finds such an executable
// (the window's, the tray's) installed beside this program.
package launcher

import (
	"errors"
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
	p, err := NextTo(exe, Name, goos)
	switch {
	case errors.Is(err, errFolder):
		return "", fmt.Errorf("the desktop app %s is a folder", p)
	case err != nil:
		return "", fmt.Errorf("the desktop app %s is not installed next to this program (`kirodesk serve` runs the proxy without it): %w", filepath.Base(p), err)
	}
	return p, nil
}

// errFolder is NextTo's error for a folder where the executable should be.
var errFolder = errors.New("is a folder")

// NextTo returns the path of the executable name (name.exe when goos is
// windows) in the folder of exe, this program, and an error when it is not
// there: os.Stat's, or one saying that the path is a folder. Symbolic links
// to exe are followed first, so a link in a bin folder finds the real
// install folder. The window executable and the tray are both found so.
func NextTo(exe, name, goos string) (string, error) {
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	if goos == "windows" {
		name += ".exe"
	}
	p := filepath.Join(filepath.Dir(exe), name)
	fi, err := os.Stat(p)
	if err != nil {
		return p, err
	}
	if fi.IsDir() {
		return p, fmt.Errorf("%s %w", p, errFolder)
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
