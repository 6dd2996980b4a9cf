//go:build !windows

package launcher

import (
	"fmt"
	"os"
	"syscall"
)

// run replaces this process with path: nothing of the command stays in
// memory, and signals and the exit code are the app's own.
func run(path string, args []string) error {
	argv := append([]string{path}, args...)
	if err := syscall.Exec(path, argv, os.Environ()); err != nil {
		return fmt.Errorf("starting the desktop app %s: %w", path, err)
	}
	return nil // not reached: Exec returns only on failure
}
