// Package autostart turns "start Kirodesk when I log in" on and off the way
// each OS expects: an XDG autostart .desktop file on Linux, a value under
// HKCU\...\Run on Windows, a LaunchAgent on macOS. The OS entry itself is
// the truth; nothing about it is kept in Kirodesk's config, so a person who
// removes it by hand sees the checkbox follow.
package autostart

import "strings"

// Entry is what the OS should start at login.
type Entry struct {
	Exe  string   // absolute path of the kirodesk executable
	Args []string // e.g. --hidden, --config-dir DIR
}

// Manager reads and changes the entry. Home-relative locations come from
// the fields so tests can point them at a temporary folder.
type Manager struct {
	// ConfigHome is $XDG_CONFIG_HOME (Linux) or the home folder (macOS);
	// empty means the OS default. Unused on Windows.
	ConfigHome string
	// Name distinguishes instances with different config folders: the
	// entry is "kirodesk" or "kirodesk-<suffix>".
	Name string
}

func (m Manager) name() string {
	if m.Name == "" {
		return "kirodesk"
	}
	return m.Name
}

// quoteExec quotes one argument for a .desktop Exec line: double quotes,
// with \ " ` and $ escaped (desktop entry spec, "The Exec key").
func quoteExec(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"\\'$`") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", "$", `\$`)
	return `"` + r.Replace(s) + `"`
}

// desktopExec is the value of a .desktop Exec key. The key-file format
// unescapes backslashes before the Exec quoting rules apply, so every
// backslash of the quoted line is doubled once more.
func desktopExec(e Entry) string {
	parts := []string{quoteExec(e.Exe)}
	for _, a := range e.Args {
		parts = append(parts, quoteExec(a))
	}
	return strings.ReplaceAll(strings.Join(parts, " "), `\`, `\\`)
}
