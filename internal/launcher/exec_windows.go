package launcher

import (
	"fmt"
	"os"
	"os/exec"

	"golang.org/x/sys/windows"
)

// run starts path and returns without waiting, as starting a GUI program
// from a shell does on Windows (there is no exec). The app inherits the
// console handles winconsole.Attach gave this process, so its messages
// still reach the shell that started `kirodesk`.
func run(path string, args []string) error {
	cmd := exec.Command(path, args...)
	// A nil *os.File in the io.Reader/Writer fields would not read as
	// "none": set only the handles that are real.
	if usable(os.Stdin) {
		cmd.Stdin = os.Stdin
	}
	if usable(os.Stdout) {
		cmd.Stdout = os.Stdout
	}
	if usable(os.Stderr) {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the desktop app %s: %w", path, err)
	}
	return cmd.Process.Release()
}

// usable reports whether f holds a real handle; otherwise the child gets
// NUL. A GUI program started from Explorer has no standard handles, and
// passing handle 0 on would fail the start.
func usable(f *os.File) bool {
	if f == nil {
		return false
	}
	h := windows.Handle(f.Fd())
	return h != 0 && h != windows.InvalidHandle
}
