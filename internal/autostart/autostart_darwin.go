package autostart

import (
	"encoding/xml"
	"errors"
	"os"
	"strings"
)

func (m Manager) path() (string, error) {
	return below(m.ConfigHome, os.UserHomeDir, "Library", "LaunchAgents", "dev."+m.name()+".plist")
}

// Enable writes a LaunchAgent that runs at login.
func (m Manager) Enable(e Entry) error {
	p, err := m.newEntry()
	if err != nil {
		return err
	}
	var args strings.Builder
	for _, a := range append([]string{e.Exe}, e.Args...) {
		args.WriteString("\t\t<string>")
		_ = xml.EscapeText(&args, []byte(a))
		args.WriteString("</string>\n")
	}
	body := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>dev.` + m.name() + `</string>
	<key>ProgramArguments</key>
	<array>
` + args.String() + `	</array>
	<key>RunAtLoad</key>
	<true/>
</dict>
</plist>
`
	return writeEntry(p, []byte(body))
}

// Enabled reports whether the LaunchAgent exists.
func (m Manager) Enabled() (bool, error) {
	p, err := m.path()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
