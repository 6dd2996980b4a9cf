package launcher

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPathNextToFollowsLinksToTheInstallFolder(t *testing.T) {
	lib, bin := t.TempDir(), t.TempDir()
	exe := filepath.Join(lib, "kirodesk")
	require.NoError(t, os.WriteFile(exe, nil, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(lib, Name), nil, 0o755))
	require.NoError(t, os.Symlink(exe, filepath.Join(bin, "kirodesk")))

	p, err := pathNextTo(filepath.Join(bin, "kirodesk"), "linux")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(lib, Name), p)

	_, err = pathNextTo(exe, "windows")
	require.Error(t, err, "on Windows the app is kirodesk-desktop.exe")
	assert.Contains(t, err.Error(), "kirodesk-desktop.exe is not installed next to this program")
	assert.Contains(t, err.Error(), "`kirodesk serve`")
}

// buildCommand builds cmd/kirodesk, the command people type, into dir.
func buildCommand(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "kirodesk")
	cmd := exec.Command("go", "build", "-o", out, "kirodesk/cmd/kirodesk")
	cmd.Dir = "../.."
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", b)
	return out
}

// The command hands `kirodesk` (no command) to the window executable beside
// it, through the symlink a package puts on PATH, with the same arguments
// and in the same process; bad flags and other commands never start it.
func TestCommandStartsTheWindowExecutable(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake window executable is a shell script")
	}
	lib, bin := t.TempDir(), t.TempDir()
	buildCommand(t, lib)
	record := filepath.Join(t.TempDir(), "started")
	fake := "#!/bin/sh\necho \"$$ $0 $*\" >>\"$KIRODESK_TEST_RECORD\"\n"
	require.NoError(t, os.WriteFile(filepath.Join(lib, Name), []byte(fake), 0o755))
	link := filepath.Join(bin, "kirodesk")
	require.NoError(t, os.Symlink(filepath.Join(lib, "kirodesk"), link))
	conf := t.TempDir()

	launch := func(args ...string) (pid int, code int, stderr string) {
		cmd := exec.Command(link, args...)
		cmd.Env = append(os.Environ(), "KIRODESK_TEST_RECORD="+record, "KIRODESK_CONFIG_DIR="+conf)
		var errb strings.Builder
		cmd.Stderr = &errb
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return cmd.Process.Pid, ee.ExitCode(), errb.String()
		}
		require.NoError(t, err)
		return cmd.Process.Pid, 0, errb.String()
	}

	pid, code, stderr := launch("--hidden", "--config-dir", conf)
	require.Equal(t, 0, code, stderr)
	got, err := os.ReadFile(record)
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(pid)+" "+filepath.Join(lib, Name)+" --hidden --config-dir "+conf+"\n", string(got),
		"the window executable replaces the command (same PID) and gets its arguments")

	require.NoError(t, os.Remove(record))
	_, code, stderr = launch("--no-such-flag")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "flag provided but not defined: -no-such-flag")
	_, code, _ = launch("version")
	assert.Equal(t, 0, code)
	assert.NoFileExists(t, record, "only the desktop form starts the window executable")

	require.NoError(t, os.Remove(filepath.Join(lib, Name)))
	_, code, stderr = launch()
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "the desktop app kirodesk-desktop is not installed next to this program")
}

// The command must not link the GUI: that is its reason to exist (Wails
// brings GTK and WebKit, ~45 MB of resident memory, into every process).
// The desktop app, by contrast, does import Wails, or this proves nothing.
func TestCommandLinksNoGUI(t *testing.T) {
	deps := func(pkg string) string {
		cmd := exec.Command("go", "list", "-deps", pkg)
		cmd.Dir = "../.."
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, "go list: %s", b)
		return string(b)
	}
	assert.NotContains(t, deps("kirodesk/cmd/kirodesk"), "github.com/wailsapp/wails")
	assert.Contains(t, deps("kirodesk"), "github.com/wailsapp/wails/v2\n")
}
