package provenance

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// Toolchains are what the README asks a person to bring (Go 1.26+,
// Node.js 20 with npm, and make and git to run `make test` in a clone):
// scripts/deps.sh checks for go and npm and installs no toolchain.
var Toolchains = set("go", "gofmt", "node", "npm", "npx", "make", "git")

// ElsewhereOnly are programs the code starts on a person's machine and no
// test runs: the browser openers of macOS, Windows and Linux desktops
// (internal/login, tests pass their own opener), and sudo, which deps.sh
// uses only when not run as root (CI and this check run as root).
var ElsewhereOnly = set("open", "rundll32", "xdg-open", "sudo")

// depsList matches scripts/deps.sh's package arrays: packages=( ... ) and
// any packages+=( ... ), the --test additions included.
var depsList = regexp.MustCompile(`packages\+?=\(([^)]*)\)`)

// DepsPackages reads the Debian packages scripts/deps.sh installs, with
// and without --test.
func DepsPackages(script string) []string {
	var out []string
	for _, m := range depsList.FindAllStringSubmatch(script, -1) {
		out = append(out, strings.Fields(stripComments(m[1]))...)
	}
	return out
}

func stripComments(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		lines = append(lines, stripComment(l))
	}
	return strings.Join(lines, "\n")
}

// System answers what the checks ask of the machine's package manager.
type System interface {
	// Path is where PATH finds prog, and "" when it is not installed.
	Path(prog string) string
	// Owners maps each path to the Debian package that ships the file
	// there; a path no package ships is left out.
	Owners(paths []string) map[string]string
	// Base says whether pkg is essential or of required priority: on every
	// Debian system.
	Base(pkg string) bool
	// Depends lists pkg's Depends and Pre-Depends, alternatives included:
	// what installing it brings.
	Depends(pkg string) []string
}

// Check returns one line for each use no fresh machine would have: a
// program that is not a toolchain the README names, not
// ElsewhereOnly, and whose package is neither Base, nor listed in deps,
// nor a direct dependency of a listed package.
func Check(all []Use, deps []string, sys System) []string {
	listed := set(deps...)
	brought := map[string]bool{}
	for _, d := range deps {
		for _, p := range sys.Depends(d) {
			brought[p] = true
		}
	}
	var problems []string
	paths := map[string]string{}
	var list []string
	for _, u := range all {
		if Toolchains[u.Program] || ElsewhereOnly[u.Program] {
			continue
		}
		if p := sys.Path(u.Program); p != "" {
			paths[u.Program] = p
			list = append(list, p)
		}
	}
	owners := sys.Owners(list)
	for _, u := range all {
		if Toolchains[u.Program] || ElsewhereOnly[u.Program] {
			continue
		}
		path := paths[u.Program]
		if path == "" {
			problems = append(problems, fmt.Sprintf("%s (%s) is not installed here", u.Program, u.Where))
			continue
		}
		pkg := owners[path]
		switch {
		case pkg == "":
			problems = append(problems, fmt.Sprintf("%s (%s) is %s, which no Debian package ships", u.Program, u.Where, path))
		case sys.Base(pkg), listed[pkg], brought[pkg]:
		default:
			problems = append(problems, fmt.Sprintf("%s (%s) comes from the Debian package %s, which scripts/deps.sh does not install", u.Program, u.Where, pkg))
		}
	}
	return problems
}

// Dpkg is the System of this machine, read with dpkg and dpkg-query.
type Dpkg struct {
	base    map[string]bool
	depends map[string][]string
}

// NewDpkg reads every installed package's priority and dependencies once.
func NewDpkg() (*Dpkg, error) {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Package}\t${Essential}\t${Priority}\t${Pre-Depends}, ${Depends}\n").Output()
	if err != nil {
		return nil, fmt.Errorf("dpkg-query: %w", err)
	}
	d := &Dpkg{base: map[string]bool{}, depends: map[string][]string{}}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			continue
		}
		d.base[f[0]] = f[1] == "yes" || f[2] == "required"
		for _, alt := range strings.FieldsFunc(f[3], func(r rune) bool { return r == ',' || r == '|' }) {
			if name := strings.Fields(alt); len(name) > 0 {
				d.depends[f[0]] = append(d.depends[f[0]], strings.SplitN(name[0], ":", 2)[0])
			}
		}
	}
	return d, nil
}

func (d *Dpkg) Path(prog string) string {
	p, err := exec.LookPath(prog)
	if err != nil {
		return ""
	}
	return p
}

// Owners asks dpkg -S, once for all paths (it reads its whole database
// each time), about each file and, since Debian 12 merged /bin into
// /usr/bin while dpkg still lists some files under their old names, about
// the other spelling of the same path too; symlinks (alternatives) are
// followed to the file that is really run.
func (d *Dpkg) Owners(paths []string) map[string]string {
	tries := map[string][]string{}
	var args []string
	for _, p := range paths {
		cands := []string{p, otherUsr(p)}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			cands = append([]string{real, otherUsr(real)}, cands...)
		}
		tries[p] = cands
		args = append(args, cands...)
	}
	owner := map[string]string{}
	// dpkg -S exits 1 when any path is not found; the found ones print.
	out, _ := exec.Command("dpkg", append([]string{"-S"}, args...)...).Output()
	for _, l := range strings.Split(string(out), "\n") {
		pkgs, file, ok := strings.Cut(l, ": ")
		if !ok || strings.HasPrefix(l, "diversion by") {
			continue
		}
		owner[file] = strings.SplitN(strings.Split(pkgs, ", ")[0], ":", 2)[0]
	}
	found := map[string]string{}
	for p, cands := range tries {
		for _, c := range cands {
			if o, ok := owner[c]; ok {
				found[p] = o
				break
			}
		}
	}
	return found
}

func otherUsr(p string) string {
	for _, d := range []string{"/bin/", "/sbin/", "/lib/"} {
		if strings.HasPrefix(p, "/usr"+d) {
			return strings.TrimPrefix(p, "/usr")
		}
		if strings.HasPrefix(p, d) {
			return "/usr" + p
		}
	}
	return p
}

func (d *Dpkg) Base(pkg string) bool        { return d.base[pkg] }
func (d *Dpkg) Depends(pkg string) []string { return d.depends[pkg] }

// ProjectUses lists every program the project at root runs: its Go code,
// its Makefile, scripts/*.sh, .ci/run, the browser tests (E2EUses), and
// the npm scripts of the frontend and test/claudecode beyond their locked
// packages' programs.
func ProjectUses(root string) ([]Use, error) {
	found := uses{}
	goUses, err := GoUses(root)
	if err != nil {
		return nil, err
	}
	for _, u := range goUses {
		found.add(u.Program, u.Where)
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		return nil, err
	}
	for _, u := range MakefileUses("Makefile", string(mk)) {
		found.add(u.Program, u.Where)
	}
	scripts, _ := filepath.Glob(filepath.Join(root, "scripts", "*.sh"))
	for _, s := range append(scripts, filepath.Join(root, ".ci", "run")) {
		b, err := os.ReadFile(s)
		if err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(root, s)
		for _, u := range ShellUses(rel, string(b)) {
			found.add(u.Program, u.Where)
		}
	}
	e2e, err := E2EUses(root, filepath.Join("frontend", "e2e"))
	if err != nil {
		return nil, err
	}
	for _, u := range e2e {
		found.add(u.Program, u.Where)
	}
	for _, dir := range []string{"frontend", "test/claudecode"} {
		npm, err := NpmScriptUses(filepath.Join(root, dir), dir+"/package.json")
		if err != nil {
			return nil, err
		}
		for _, u := range npm {
			found.add(u.Program, u.Where)
		}
	}
	return found.list(), nil
}
