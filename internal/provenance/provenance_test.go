package provenance

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/testenv"
)

const root = "../.."

// projectUses scans the repository once for all the tests.
var projectUses = sync.OnceValues(func() ([]Use, error) { return ProjectUses(root) })

func dpkgSystem(t *testing.T) *Dpkg {
	t.Helper()
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		testenv.Missing(t, "dpkg-query is missing: the programs' packages can be looked up only on Debian (scripts/deps.sh)")
	}
	d, err := NewDpkg()
	require.NoError(t, err)
	return d
}

func depsPackages(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "scripts", "deps.sh"))
	require.NoError(t, err)
	return DepsPackages(string(b))
}

func programs(u []Use) []string {
	var out []string
	for _, x := range u {
		out = append(out, x.Program)
	}
	return out
}

// TestEveryProgramComesFromAFreshInstall is the check itself: a program the
// project runs that only a hand install provides fails here, on this
// machine, before it fails on a fresh one.
func TestEveryProgramComesFromAFreshInstall(t *testing.T) {
	sys := dpkgSystem(t)
	all, err := projectUses()
	require.NoError(t, err)
	// The scan sees what it must: Go literals, a Go helper's literal, the
	// Makefile, the scripts, runners' commands and $(...) alike.
	for _, p := range []string{"dpkg-deb", "desktop-file-validate", "script", "dbus-daemon", // Go (some through testenv.RequireTool)
		"Xvfb", "gnome-keyring-daemon", "dbus-run-session", "makensis", "objdump", "apt-get", // scripts
		"go", "npm", "gofmt", "tee", // Makefile
		"/usr/bin/chromium", "curl"} { // the browser tests
		assert.Contains(t, programs(all), p)
	}
	var paths, lines []string
	for _, u := range all {
		paths = append(paths, sys.Path(u.Program))
	}
	owners := sys.Owners(paths)
	for i, u := range all {
		lines = append(lines, u.Program+" "+owners[paths[i]])
	}
	t.Logf("%d programs: %s", len(all), strings.Join(lines, ", "))
	assert.Empty(t, Check(all, depsPackages(t), sys), "install each from scripts/deps.sh")
}

// TestTheCheckFailsWhenDepsLosesAPackage removes, one at a time, each
// package deps.sh names for a program the project runs, and expects the
// check to name that program.
func TestTheCheckFailsWhenDepsLosesAPackage(t *testing.T) {
	sys := dpkgSystem(t)
	all, err := projectUses()
	require.NoError(t, err)
	deps := depsPackages(t)
	for pkg, prog := range map[string]string{
		"xvfb": "Xvfb", "gnome-keyring": "gnome-keyring-daemon", "nsis": "makensis",
		"p7zip-full": "7z", "desktop-file-utils": "desktop-file-validate", "binutils": "objdump",
		"curl": "curl", "chromium": "/usr/bin/chromium",
	} {
		require.Contains(t, deps, pkg)
		less := slices.DeleteFunc(slices.Clone(deps), func(p string) bool { return p == pkg })
		problems := Check(all, less, sys)
		if assert.Len(t, problems, 1, "without %s", pkg) {
			assert.Contains(t, problems[0], prog+" (")
			assert.Contains(t, problems[0], "which scripts/deps.sh does not install")
		}
	}
}

// fakeSystem is a machine with a few programs and packages.
type fakeSystem struct {
	paths   map[string]string // program → path
	owners  map[string]string // path → package
	base    map[string]bool
	depends map[string][]string
}

func (f fakeSystem) Path(p string) string              { return f.paths[p] }
func (f fakeSystem) Owners([]string) map[string]string { return f.owners }
func (f fakeSystem) Base(p string) bool                { return f.base[p] }
func (f fakeSystem) Depends(p string) []string         { return f.depends[p] }

func TestCheckRules(t *testing.T) {
	sys := fakeSystem{
		paths: map[string]string{"Xvfb": "/usr/bin/Xvfb", "grep": "/bin/grep", "dbus-run-session": "/usr/bin/dbus-run-session",
			"stray": "/usr/local/bin/stray", "import": "/usr/bin/import"},
		owners: map[string]string{"/usr/bin/Xvfb": "xvfb", "/bin/grep": "grep", "/usr/bin/dbus-run-session": "dbus-daemon",
			"/usr/bin/import": "imagemagick-6.q16"},
		base:    map[string]bool{"grep": true},
		depends: map[string][]string{"dbus": {"dbus-bin", "dbus-daemon"}},
	}
	use := func(progs ...string) []Use {
		var u []Use
		for _, p := range progs {
			u = append(u, Use{p, "x.sh"})
		}
		return u
	}
	deps := []string{"xvfb", "dbus"}
	assert.Empty(t, Check(use("Xvfb", "grep", "dbus-run-session", "go", "npm", "xdg-open"), deps, sys),
		"listed, essential, a listed package's dependency, a toolchain, a person's desktop")
	assert.Equal(t, []string{"Xvfb (x.sh) comes from the Debian package xvfb, which scripts/deps.sh does not install"},
		Check(use("Xvfb"), []string{"dbus"}, sys))
	assert.Equal(t, []string{"dbus-run-session (x.sh) comes from the Debian package dbus-daemon, which scripts/deps.sh does not install"},
		Check(use("dbus-run-session"), []string{"xvfb"}, sys), "a dependency counts only through its listed package")
	assert.Equal(t, []string{"import (x.sh) comes from the Debian package imagemagick-6.q16, which scripts/deps.sh does not install"},
		Check(use("import"), deps, sys))
	assert.Equal(t, []string{"stray (x.sh) is /usr/local/bin/stray, which no Debian package ships"}, Check(use("stray"), deps, sys))
	assert.Equal(t, []string{"gone (x.sh) is not installed here"}, Check(use("gone"), deps, sys))
}

func TestDepsPackages(t *testing.T) {
	script := `packages=(
	libgtk-3-dev # the window
	xvfb
)
[ "${1:-}" = "--test" ] && packages+=(chromium)
`
	assert.Equal(t, []string{"libgtk-3-dev", "xvfb", "chromium"}, DepsPackages(script))
	assert.Contains(t, depsPackages(t), "chromium", "the --test list is read too")
}

func TestShellUses(t *testing.T) {
	script := `#!/usr/bin/env bash
set -euo pipefail # set is a builtin
GO=${GO:-go}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive "$GO" test ./...
packages=(
	libgtk-3-dev
	xvfb
)
cleanup() { rm -rf "$scratch"; }
trap cleanup EXIT
root="$(cd "$(dirname "$0")/.." && pwd)"
cat >"$root/control" <<EOF
Package: notaprogram
$(hostname)
EOF
while IFS=: read -r f fn; do echo "$f"; done < <(grep -rHo 'x' internal | sort)
echo "took $(( $(date +%s) - start ))s" >&2
exec dbus-run-session -- "$0" "$@"
command -v npm >/dev/null || { echo missing; exit 1; }
eval "$(printf 'pw' | gnome-keyring-daemon --unlock)"
IFS=. read -r a b c <<<"${version%%-*}"
out=$(objdump -T "$bin/kirodesk" | tail -n 1)
"$bin/kirodesk" --version
timeout 5s xargs -0 wc -l
scripts/timed.sh "a part" sha256sum x
`
	got := programs(ShellUses("x.sh", script))
	assert.ElementsMatch(t, []string{"id", "sudo", "apt-get", "go", "rm", "cat", "dirname", "grep", "sort", "date",
		"dbus-run-session", "npm", "gnome-keyring-daemon", "objdump", "tail", "timeout", "xargs", "wc", "sha256sum"}, got)
}

func TestMakefileUses(t *testing.T) {
	mk := "GO ?= go\nVERSION ?= $(shell cat VERSION)\nGOFILES = $(shell git ls-files '*.go')\n" +
		"test: deps\n" +
		"\t@out=$$(gofmt -l $(GOFILES)); if [ -n \"$$out\" ]; then echo \"$$out\"; exit 1; fi\n" +
		"\tKIRODESK_BIN=$(CURDIR)/build/bin/x scripts/session.sh $(GO) test -count=1 ./app 2>&1 \\\n" +
		"\t\t| tee build/test.log | grep -v RUN || true\n" +
		"\t@if [ \"$${CI:-}\" = true ]; then $(MAKE) --no-print-directory package; fi\n" +
		"\tcd frontend && ../scripts/session.sh npm run e2e\n" +
		"\t@set +e; scripts/timed.sh \"lane: go\" $(MAKE) test-go & lane=$$!; wait $$lane\n" +
		"\t$(BIN)/kirodesk serve\n"
	assert.ElementsMatch(t, []string{"cat", "git", "gofmt", "go", "tee", "grep", "make", "npm"}, programs(MakefileUses("Makefile", mk)))
}

func TestGoUses(t *testing.T) {
	dir := t.TempDir()
	src := `package x

import "os/exec"

func sh(name string, args ...string) *exec.Cmd { return exec.Command(name, args...) }
func twice(prog string) { sh(prog); sh(prog) }

func f(ctx context.Context, bin string) {
	exec.Command("dpkg-deb", "-c")
	exec.CommandContext(ctx, "7z", "l")
	exec.LookPath("script")
	exec.Command(bin)
	sh("makensis", "-V2")
	twice("objdump")
}
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o644))
	// An exported helper of another package, called by its package name.
	helper := "package testenv\n\nimport \"os/exec\"\n\nfunc RequireTool(t any, name string) string { p, _ := exec.LookPath(name); return p }\n" +
		"func lookup(name string) { exec.LookPath(name) }\n"
	user := "package x_test\n\nfunc g(t any) { testenv.RequireTool(t, \"script\"); lookup(\"not-a-call-of-this-package\") }\n"
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "testenv"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "testenv", "testenv.go"), []byte(helper), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "y_test.go"), []byte(user), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "node_modules", "y"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "node_modules", "y", "y.go"), []byte("package y\nimport \"os/exec\"\nvar _ = exec.Command(\"nope\")\n"), 0o644))
	got, err := GoUses(dir)
	require.NoError(t, err)
	assert.Equal(t, []Use{{"7z", "x.go:10"}, {"dpkg-deb", "x.go:9"}, {"makensis", "x.go:13"}, {"objdump", "x.go:14"}, {"script", "x.go:11"}}, got)

	// Without the direct call, the other package's helper still names script.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.go"), []byte("package x\n"), 0o644))
	got, err = GoUses(dir)
	require.NoError(t, err)
	assert.Equal(t, []Use{{"script", "y_test.go:3"}}, got, "an unexported helper of another package is not called from here")
}

func TestNpmScriptUses(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "package.json"),
		[]byte(`{"scripts": {"build": "npm run typecheck && vite build", "typecheck": "tsc --noEmit", "shot": "convert a.png b.jpg"}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "package-lock.json"),
		[]byte(`{"packages": {"node_modules/vite": {"bin": {"vite": "bin/vite.js"}}, "node_modules/typescript": {"bin": {"tsc": "bin/tsc"}}}}`), 0o644))
	got, err := NpmScriptUses(dir, "package.json")
	require.NoError(t, err)
	assert.Equal(t, []Use{{"convert", "package.json (shot)"}, {"npm", "package.json (build)"}}, got,
		"vite and tsc come from the lock; convert would need a Debian package")
	none, err := NpmScriptUses(t.TempDir(), "package.json")
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestE2EUses(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "e2e")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	write := func(src string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "a.e2e.ts"), []byte(src), 0o644))
	}
	src := `import { execFile, spawn } from 'node:child_process';
const sh = promisify(execFile);
const p = spawn(bin, ['--dist']);
await sh('xdotool', ['key', 'ctrl+v']);
spawn("wl-paste");
const browser = await chromium.launch({ executablePath: process.env.X ?? '/usr/bin/chromium' });
run('nope');
await sh('sh', ['-c', 'echo literal']);
`
	write(src)
	got, err := E2EUses(root, "e2e")
	require.NoError(t, err)
	assert.Equal(t, []Use{{"/usr/bin/chromium", "e2e/a.e2e.ts:6"}, {"sh", "e2e/a.e2e.ts:8"}, {"wl-paste", "e2e/a.e2e.ts:5"},
		{"xdotool", "e2e/a.e2e.ts:4"}}, got, "run is no alias here; a variable program is the project's own binary")

	// A shell on a command made at run time needs its programs named.
	write(src + "await sh('sh', ['-c', copied]);\n")
	_, err = E2EUses(root, "e2e")
	require.ErrorContains(t, err, "e2e/a.e2e.ts:9 runs a shell on a command made at run time")
	write("// provenance: curl, jq (the copied commands)\n" + src + "await sh('sh', ['-c', copied]);\n")
	got, err = E2EUses(root, "e2e")
	require.NoError(t, err)
	assert.Contains(t, got, Use{"curl", "e2e/a.e2e.ts (provenance comment)"})
	assert.Contains(t, got, Use{"jq", "e2e/a.e2e.ts (provenance comment)"})
}
