//go:build darwin || linux

package autostart

import (
	"errors"
	"fmt"
	"os"

	"github.com/google/renameio/v2"
)

// writeEntry writes the OS's login entry (a LaunchAgent plist, an XDG
// .desktop file) at p, atomically and 0644: the OS's file, which it reads.
func writeEntry(p string, body []byte) error {
	if err := renameio.WriteFile(p, body, 0o644); err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	return nil
}

// Disable removes the entry (the LaunchAgent, the .desktop file); it is not
// an error if there is none.
func (m Manager) Disable() error {
	p, err := m.path()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("start at login: %w", err)
	}
	return nil
}
