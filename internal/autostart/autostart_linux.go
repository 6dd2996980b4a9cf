package autostart

import (
	"errors"
	"os"
	"strings"
)

// https://specifications.freedesktop.org/autostart-spec/latest/
func (m Manager) path() (string, error) {
	return below(m.ConfigHome, os.UserConfigDir, "autostart", m.name()+".desktop")
}

// Enable writes the autostart entry.
func (m Manager) Enable(e Entry) error {
	p, err := m.newEntry()
	if err != nil {
		return err
	}
	body := strings.Join([]string{
		"[Desktop Entry]",
		"Type=Application",
		"Name=Kirodesk",
		"Comment=Your Kiro accounts as a local API, in the tray",
		"Exec=" + desktopExec(e),
		"Icon=kirodesk",
		"Terminal=false",
		"X-GNOME-Autostart-enabled=true",
		"",
	}, "\n")
	return writeEntry(p, []byte(body))
}

// Enabled reports whether the entry exists and is not switched off by the
// desktop's own setting (Hidden=true or X-GNOME-Autostart-enabled=false).
func (m Manager) Enabled() (bool, error) {
	p, err := m.path()
	if err != nil {
		return false, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		switch strings.TrimSpace(line) {
		case "Hidden=true", "X-GNOME-Autostart-enabled=false":
			return false, nil
		}
	}
	return true, nil
}
