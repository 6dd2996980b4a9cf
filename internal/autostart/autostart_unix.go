//go:build darwin || linux

package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// below joins elem below base, or, when base is empty (it is
// Manager.ConfigHome, set by tests), below the folder dflt names (the
// user's home or config folder).
func below(base string, dflt func() (string, error), elem ...string) (string, error) {
	if base == "" {
		var err error
		if base, err = dflt(); err != nil {
			return "", err
		}
	}
	return filepath.Join(append([]string{base}, elem...)...), nil
}

// newEntry is where Enable writes the entry, its folder made.
func (m Manager) newEntry() (string, error) {
	p, err := m.path()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("start at login: %w", err)
	}
	return p, nil
}

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
