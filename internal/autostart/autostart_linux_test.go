package autostart

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/testenv"
)

func TestLinuxAutostartEntry(t *testing.T) {
	home := t.TempDir()
	m := Manager{ConfigHome: home}
	on, err := m.Enabled()
	require.NoError(t, err)
	assert.False(t, on, "off by default")

	e := Entry{Exe: "/opt/Kiro Desk/kirodesk", Args: []string{"--hidden", "--config-dir", `/home/a "b"/cfg`}}
	require.NoError(t, m.Enable(e))
	on, err = m.Enabled()
	require.NoError(t, err)
	assert.True(t, on)
	b, err := os.ReadFile(filepath.Join(home, "autostart", "kirodesk.desktop"))
	require.NoError(t, err)
	assert.Contains(t, string(b), `Exec="/opt/Kiro Desk/kirodesk" --hidden --config-dir "/home/a \\"b\\"/cfg"`)
	// desktop-file-utils' validator is what desktops hold the entry to.
	validate := testenv.RequireTool(t, "desktop-file-validate")
	out, err := exec.Command(validate, filepath.Join(home, "autostart", "kirodesk.desktop")).CombinedOutput()
	assert.NoError(t, err, "%s", out)
	assert.Empty(t, string(out), "the entry validates without warnings")

	require.NoError(t, m.Disable())
	on, err = m.Enabled()
	require.NoError(t, err)
	assert.False(t, on)
	require.NoError(t, m.Disable(), "disabling twice is fine")
}

func TestLinuxAutostartSwitchedOffByTheDesktop(t *testing.T) {
	home := t.TempDir()
	m := Manager{ConfigHome: home, Name: "kirodesk-abc"}
	require.NoError(t, m.Enable(Entry{Exe: "/usr/bin/kirodesk"}))
	p := filepath.Join(home, "autostart", "kirodesk-abc.desktop")
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, append(b, []byte("Hidden=true\n")...), 0o644))
	on, err := m.Enabled()
	require.NoError(t, err)
	assert.False(t, on, "GNOME's own off switch counts as off")
}
