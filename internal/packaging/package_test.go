//go:build packaging

package packaging

import (
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"debug/pe"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/core"
	"kirodesk/internal/secrets"
	"kirodesk/internal/testenv"
)

// The packages `make package` wrote, tested the way a person meets them:
// the .deb installed with dpkg on this machine, upgraded and removed; the
// tar.gz unpacked and installed with its script; the Windows installer
// listed and unpacked with 7z. Run by `make test-package` inside
// scripts/session.sh (the installed `kirodesk serve` needs the keychain).

var iconSizes = []int{16, 22, 24, 32, 48, 64, 128, 256, 512}

// mayRun: the test installs a system package, so it runs as root in CI
// (.ci/run: a throwaway machine) and is skipped elsewhere, saying why.
func mayRun(t *testing.T) {
	t.Helper()
	ci := os.Getenv("CI") == "true"
	root := os.Geteuid() == 0
	switch {
	case ci && !root:
		t.Fatal("CI must run the packaging test as root: it installs the .deb with dpkg -i")
	case !ci:
		t.Skip("skipped: this test installs and removes the kirodesk .deb on this machine; it runs as root with CI=true (.ci/run)")
	}
	if runtime.GOOS != "linux" {
		t.Fatal("the packaging test needs Debian's dpkg, nsis and 7z")
	}
}

func version(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "VERSION"))
	require.NoError(t, err)
	return strings.TrimSpace(string(b))
}

func pkgPath(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(root, "build/pkg", name))
	require.NoError(t, err)
	require.FileExists(t, p, "run `make package` first (make test-package does)")
	return p
}

// sh runs a command and returns its standard output; failing fails the test.
func sh(t *testing.T, name string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "%s %s\n%s%s", name, strings.Join(args, " "), stdout.String(), stderr.String())
	return stdout.String()
}

// dpkg runs dpkg, retrying while another apt or dpkg holds the lock.
func dpkg(t *testing.T, args ...string) {
	t.Helper()
	for try := 0; ; try++ {
		out, err := exec.Command("dpkg", args...).CombinedOutput()
		if err == nil {
			return
		}
		if try < 30 && strings.Contains(string(out), "lock") {
			time.Sleep(2 * time.Second)
			continue
		}
		t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// installedVersion is the installed kirodesk's version, or "" when it is not installed.
func installedVersion() string {
	out, err := exec.Command("dpkg-query", "-W", "-f=${db:Status-Status} ${Version}", "kirodesk").Output()
	if err != nil {
		return ""
	}
	status, v, _ := strings.Cut(string(out), " ")
	if status != "installed" {
		return ""
	}
	return strings.TrimSpace(v)
}

func sha(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return sha256.Sum256(b)
}

// serving is an installed `kirodesk serve` on a free port.
type serving struct {
	cmd *exec.Cmd
	url string
}

func serve(t *testing.T, exe, dir string) *serving {
	t.Helper()
	cmd := exec.Command(exe, "serve", "--config-dir", dir, "--port", "0")
	url, _ := testenv.StartListening(t, cmd, 30*time.Second)
	return &serving{cmd: cmd, url: url}
}

func (s *serving) get(t *testing.T, path, key string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

func (s *serving) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, s.cmd.Wait(), "serve must exit 0 on SIGTERM")
}

// fixtureFolder is a config folder holding the state files of the previous
// release (internal/store/testdata/releases): the "N-1" an upgrade meets.
func fixtureFolder(t *testing.T) string {
	t.Helper()
	rels, err := os.ReadDir(filepath.Join(root, "internal/store/testdata/releases"))
	require.NoError(t, err)
	require.NotEmpty(t, rels)
	return testenv.ReleaseFolder(t, filepath.Join(root, "internal/store/testdata/releases", rels[len(rels)-1].Name()))
}

func accountIDs(t *testing.T, poolFile string) []string {
	t.Helper()
	b, err := os.ReadFile(poolFile)
	require.NoError(t, err)
	var p struct {
		Accounts []struct {
			ID string `json:"id"`
		} `json:"accounts"`
	}
	require.NoError(t, json.Unmarshal(b, &p))
	var ids []string
	for _, a := range p.Accounts {
		ids = append(ids, a.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestDebianPackage(t *testing.T) {
	mayRun(t)
	v := version(t)
	arch := strings.TrimSpace(sh(t, "dpkg", "--print-architecture"))
	deb := pkgPath(t, fmt.Sprintf("kirodesk_%s_%s.deb", strings.ReplaceAll(v, "-", "~"), arch))

	// The control fields and the file list, before anything is installed.
	field := func(name string) string { return strings.TrimSpace(sh(t, "dpkg-deb", "-f", deb, name)) }
	assert.Equal(t, "kirodesk", field("Package"))
	assert.Equal(t, strings.ReplaceAll(v, "-", "~"), field("Version"))
	depends := field("Depends")
	for _, d := range []string{"libwebkit2gtk-4.1-0", "libgtk-3-0", "libayatana-appindicator3-1", "libc6"} {
		assert.Contains(t, depends, d)
	}
	assert.Equal(t, "gnome-keyring", field("Suggests"))
	list := sh(t, "dpkg-deb", "-c", deb)
	for _, f := range []string{"./usr/lib/kirodesk/kirodesk", "./usr/lib/kirodesk/kirodesk-desktop", "./usr/lib/kirodesk/kirodesk-tray",
		"./usr/bin/kirodesk -> ../lib/kirodesk/kirodesk", "./usr/share/applications/kirodesk.desktop"} {
		assert.Contains(t, list, f)
	}
	assert.NotContains(t, list, "DEBIAN", "no maintainer scripts in the payload")
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		assert.Contains(t, line, " root/root ", "files are owned by root: %s", line)
	}

	// Install. A left-over install from an earlier, interrupted run goes first.
	if installedVersion() != "" {
		dpkg(t, "-r", "kirodesk")
	}
	dpkg(t, "-i", deb)
	t.Cleanup(func() {
		if installedVersion() != "" {
			_ = exec.Command("dpkg", "-r", "kirodesk").Run()
		}
	})
	require.Equal(t, strings.ReplaceAll(v, "-", "~"), installedVersion())

	t.Run("version", func(t *testing.T) {
		assert.Equal(t, "kirodesk "+v+"\n", sh(t, "/usr/bin/kirodesk", "--version"))
		assert.Equal(t, "kirodesk "+v+"\n", sh(t, "/usr/bin/kirodesk", "version"))
	})
	t.Run("desktop entry and icons", func(t *testing.T) {
		sh(t, "desktop-file-validate", "/usr/share/applications/kirodesk.desktop")
		entry, err := os.ReadFile("/usr/share/applications/kirodesk.desktop")
		require.NoError(t, err)
		assert.Contains(t, string(entry), "\nExec=kirodesk\n")
		assert.Contains(t, string(entry), "\nIcon=kirodesk\n")
		for _, n := range iconSizes {
			f, err := os.Open(fmt.Sprintf("/usr/share/icons/hicolor/%dx%d/apps/kirodesk.png", n, n))
			require.NoError(t, err)
			cfg, err := png.DecodeConfig(f)
			f.Close()
			require.NoError(t, err)
			assert.Equal(t, n, cfg.Width)
			assert.Equal(t, n, cfg.Height)
		}
		st, err := os.Stat("/usr/lib/kirodesk/kirodesk-tray")
		require.NoError(t, err, "the app starts the tray from its own folder")
		assert.Equal(t, os.FileMode(0o755), st.Mode().Perm())
		st, err = os.Stat("/usr/lib/kirodesk/kirodesk-desktop")
		require.NoError(t, err, "the command starts the app from its own folder")
		assert.Equal(t, os.FileMode(0o755), st.Mode().Perm())
		assert.Equal(t, "kirodesk "+v+"\n", sh(t, "/usr/lib/kirodesk/kirodesk-desktop", "--version"))
		// The command is a static executable (built without cgo), which
		// ldd refuses: its ELF says what it links.
		cmdELF, err := elf.Open("/usr/lib/kirodesk/kirodesk")
		require.NoError(t, err)
		libs, err := cmdELF.ImportedLibraries()
		cmdELF.Close()
		require.NoError(t, err)
		assert.NotContains(t, strings.Join(libs, " "), "libwebkit2gtk",
			"the command links no GUI: `kirodesk serve` stays small")
		assert.Contains(t, sh(t, "ldd", "/usr/lib/kirodesk/kirodesk-desktop"), "libwebkit2gtk")
	})

	// The installed app with the previous release's state, then an upgrade
	// over it, then removal: the config folder and the keychain item live
	// through all of it.
	dir := fixtureFolder(t)
	wantIDs := accountIDs(t, filepath.Join(dir, "pool.json"))
	kr := secrets.NewKeyring(core.KeychainService(dir, os.Getenv))
	var key string
	t.Run("serve with the previous release's state", func(t *testing.T) {
		s := serve(t, "/usr/bin/kirodesk", dir)
		code, body := s.get(t, "/health", "")
		assert.Equal(t, http.StatusOK, code, "%s", body)
		key = strings.TrimSpace(sh(t, "/usr/bin/kirodesk", "apikey", "--config-dir", dir))
		require.True(t, strings.HasPrefix(key, "kd-"))
		code, body = s.get(t, "/v1/kirodesk/status", key)
		require.Equal(t, http.StatusOK, code, "%s", body)
		var st core.Status
		require.NoError(t, json.Unmarshal(body, &st))
		var ids []string
		for _, a := range st.Accounts {
			ids = append(ids, a.ID)
		}
		slices.Sort(ids)
		assert.Equal(t, wantIDs, ids, "every account of the previous release is there")
		s.stop(t)
		assert.Equal(t, wantIDs, accountIDs(t, filepath.Join(dir, "pool.json")))
	})
	require.NotEmpty(t, key)

	t.Run("upgrade keeps the state", func(t *testing.T) {
		// The same payload as a newer version: dpkg's upgrade path.
		unpacked := filepath.Join(t.TempDir(), "deb")
		sh(t, "dpkg-deb", "-R", deb, unpacked)
		control := filepath.Join(unpacked, "DEBIAN/control")
		b, err := os.ReadFile(control)
		require.NoError(t, err)
		newer := strings.ReplaceAll(v, "-", "~") + "+upgradetest1"
		b = []byte(strings.Replace(string(b), "\nVersion: "+strings.ReplaceAll(v, "-", "~")+"\n", "\nVersion: "+newer+"\n", 1))
		require.NoError(t, os.WriteFile(control, b, 0o644))
		newDeb := filepath.Join(t.TempDir(), "kirodesk-newer.deb")
		sh(t, "dpkg-deb", "--build", "--root-owner-group", "-Zgzip", "-z1", unpacked, newDeb) // fast: a test copy

		before := map[string][32]byte{}
		for _, f := range []string{"config.json", "pool.json"} {
			before[f] = sha(t, filepath.Join(dir, f))
		}
		dpkg(t, "-i", newDeb)
		require.Equal(t, newer, installedVersion())
		for f, h := range before {
			assert.Equal(t, h, sha(t, filepath.Join(dir, f)), "%s is untouched by the upgrade", f)
		}
		assert.Equal(t, key, strings.TrimSpace(sh(t, "/usr/bin/kirodesk", "apikey", "--config-dir", dir)),
			"the API key in the keychain survives the upgrade")
		s := serve(t, "/usr/bin/kirodesk", dir)
		code, _ := s.get(t, "/v1/kirodesk/status", key)
		assert.Equal(t, http.StatusOK, code, "the old key still opens the upgraded proxy")
		s.stop(t)
	})

	t.Run("remove keeps the config folder and the keychain", func(t *testing.T) {
		before := sha(t, filepath.Join(dir, "pool.json"))
		dpkg(t, "-r", "kirodesk")
		assert.Empty(t, installedVersion())
		assert.NoFileExists(t, "/usr/bin/kirodesk")
		assert.NoDirExists(t, "/usr/lib/kirodesk")
		assert.NoFileExists(t, "/usr/share/applications/kirodesk.desktop")
		assert.FileExists(t, filepath.Join(dir, "config.json"))
		assert.Equal(t, before, sha(t, filepath.Join(dir, "pool.json")))
		assert.Equal(t, wantIDs, accountIDs(t, filepath.Join(dir, "pool.json")))
		got, err := kr.Get(context.Background(), "apikey")
		require.NoError(t, err, "the API key stays in the keychain")
		assert.Equal(t, key, got.Reveal())
	})
	// The keychain item of this throwaway folder is not the person's.
	_ = kr.Delete(context.Background(), "apikey")
}

func TestPortableArchive(t *testing.T) {
	mayRun(t)
	v := version(t)
	name := fmt.Sprintf("kirodesk-%s-linux-%s", v, runtime.GOARCH)
	tgz := pkgPath(t, name+".tar.gz")
	tmp := t.TempDir()
	sh(t, "tar", "-xzf", tgz, "-C", tmp)
	top := filepath.Join(tmp, name)
	for _, f := range []string{"kirodesk", "kirodesk-desktop", "kirodesk-tray", "install.sh"} {
		st, err := os.Stat(filepath.Join(top, f))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o755), st.Mode().Perm(), f)
	}
	assert.FileExists(t, filepath.Join(top, "README.txt"))
	assert.Equal(t, "kirodesk "+v+"\n", sh(t, filepath.Join(top, "kirodesk"), "--version"))

	prefix := filepath.Join(tmp, "prefix")
	cmd := exec.Command("sh", filepath.Join(top, "install.sh"))
	cmd.Env = append(os.Environ(), "PREFIX="+prefix)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, "kirodesk "+v+"\n", sh(t, filepath.Join(prefix, "bin/kirodesk"), "--version"))
	assert.FileExists(t, filepath.Join(prefix, "lib/kirodesk/kirodesk-tray"))
	assert.FileExists(t, filepath.Join(prefix, "lib/kirodesk/kirodesk-desktop"))
	entry := filepath.Join(prefix, "share/applications/kirodesk.desktop")
	sh(t, "desktop-file-validate", entry)
	b, err := os.ReadFile(entry)
	require.NoError(t, err)
	assert.Contains(t, string(b), "\nExec="+filepath.Join(prefix, "lib/kirodesk/kirodesk")+"\n")
	for _, n := range iconSizes {
		assert.FileExists(t, filepath.Join(prefix, fmt.Sprintf("share/icons/hicolor/%dx%d/apps/kirodesk.png", n, n)))
	}

	cmd = exec.Command("sh", filepath.Join(top, "install.sh"), "--uninstall")
	cmd.Env = append(os.Environ(), "PREFIX="+prefix)
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.NoFileExists(t, filepath.Join(prefix, "bin/kirodesk"))
	assert.NoDirExists(t, filepath.Join(prefix, "lib/kirodesk"))
	assert.NoFileExists(t, entry)
}

func TestWindowsInstaller(t *testing.T) {
	mayRun(t)
	v := version(t)
	setup := pkgPath(t, fmt.Sprintf("kirodesk-%s-windows-amd64-setup.exe", v))

	// 7z reads NSIS installers: the files the installer writes, by name.
	var paths []string
	for _, line := range strings.Split(sh(t, "7z", "l", "-slt", setup), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "Path = "); ok {
			paths = append(paths, p)
		}
	}
	for _, f := range []string{"kirodesk.exe", "kirodesk-desktop.exe", "kirodesk-tray.exe", "uninstall.exe", "kirodesk.ico"} {
		assert.Contains(t, paths, f)
	}

	out := t.TempDir()
	sh(t, "7z", "x", "-y", "-o"+out, setup, "kirodesk.exe", "kirodesk-desktop.exe", "kirodesk-tray.exe")
	for _, f := range []string{"kirodesk.exe", "kirodesk-desktop.exe", "kirodesk-tray.exe"} {
		assert.Equal(t, sha(t, filepath.Join(root, "build/bin", f)), sha(t, filepath.Join(out, f)),
			"%s in the installer is the one make build-windows built", f)
		exe, err := pe.Open(filepath.Join(out, f))
		require.NoError(t, err)
		oh, ok := exe.OptionalHeader.(*pe.OptionalHeader64)
		require.True(t, ok, "%s is a 64-bit exe", f)
		assert.Equal(t, uint16(pe.IMAGE_SUBSYSTEM_WINDOWS_GUI), oh.Subsystem,
			"%s opens no console window (README, Packages)", f)
		exe.Close()
	}
	// The Start-menu entry and the uninstaller's registration are written
	// at install time, so they cannot be listed; the script that makensis
	// compiled must still create them.
	nsi, err := os.ReadFile(filepath.Join(root, "build/windows/installer/kirodesk.nsi"))
	require.NoError(t, err)
	for _, s := range []string{`CreateShortcut "$SMPROGRAMS\Kirodesk.lnk" "$INSTDIR\kirodesk-desktop.exe"`, `WriteUninstaller "$INSTDIR\uninstall.exe"`,
		`Delete "$SMPROGRAMS\Kirodesk.lnk"`, `"UninstallString"`} {
		assert.Contains(t, string(nsi), s)
	}
}
