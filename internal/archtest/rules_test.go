// Package archtest checks the import rules of ARCHITECTURE.md against the
// module's code. It is tests only: rules_test.go is the checker, load_test.go
// reads the tree and the floor table, arch_test.go runs the checker on the
// real module, and checker_test.go proves each rule can fail on a synthetic
// import graph.
package archtest

import (
	"fmt"
	"slices"
	"strings"
)

// pkg is one folder of the module: its path relative to the module root
// ("." for main, "internal/store") and what its files import (full import
// paths), apart for product code and tests.
type pkg struct {
	Path        string
	Imports     []string
	TestImports []string
}

// floor is one row of ARCHITECTURE.md's floor table.
type floor struct {
	Level    int
	Patterns []string // "internal/store", "app/..."
}

// exception lets one import break one rule, for a reason written next to it.
type exception struct {
	From, To, Rule, Why string
}

type rules struct {
	Module     string // "kirodesk"
	Floors     []floor
	Exceptions []exception
}

type violation struct {
	Rule     string
	From, To string // module-relative for module packages, else the import path
	Test     bool   // the import is in a _test.go file
	Detail   string
}

func (v violation) String() string {
	where := "imports"
	if v.Test {
		where = "imports (in a test)"
	}
	return fmt.Sprintf("[%s] %s %s %s: %s", v.Rule, v.From, where, v.To, v.Detail)
}

const (
	ruleNoApp       = "internal-imports-app"
	ruleWails       = "wails-only-in-app"
	ruleRenameio    = "renameio-only-in-store"
	rulePure        = "translators-pure"
	ruleFloor       = "floors-point-down"
	ruleUnplaced    = "package-without-floor"
	wailsPrefix     = "github.com/wailsapp/wails/"
	renameioPrefix  = "github.com/google/renameio"
	translatePrefix = "internal/translate/"
)

// within reports whether rel is dir or lies under it.
func within(rel, dir string) bool {
	return rel == dir || strings.HasPrefix(rel, dir+"/")
}

// matches reports whether rel matches a floor pattern, and how specific the
// match is (longer is more specific; an exact match beats a subtree).
func matches(rel, pattern string) (bool, int) {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		if within(rel, base) {
			return true, 2 * len(base)
		}
		return false, 0
	}
	if rel == pattern {
		return true, 2*len(pattern) + 1
	}
	return false, 0
}

// floorOf is the level of the most specific pattern matching rel.
func (r rules) floorOf(rel string) (int, bool) {
	best, level := -1, 0
	for _, f := range r.Floors {
		for _, p := range f.Patterns {
			if ok, n := matches(rel, p); ok && n > best {
				best, level = n, f.Level
			}
		}
	}
	return level, best >= 0
}

// rel turns a module import path into a module-relative one.
func (r rules) rel(importPath string) (string, bool) {
	if importPath == r.Module {
		return ".", true
	}
	if s, ok := strings.CutPrefix(importPath, r.Module+"/"); ok {
		return s, true
	}
	return "", false
}

// forbiddenInTranslator: anything that reaches the network, the file system
// or the OS.
func forbiddenInTranslator(imp string) bool {
	switch imp {
	case "net", "os", "syscall", "io/ioutil", "plugin":
		return true
	}
	return strings.HasPrefix(imp, "net/") || strings.HasPrefix(imp, "os/")
}

func (r rules) excepted(v violation) bool {
	return slices.ContainsFunc(r.Exceptions, func(e exception) bool {
		return e.Rule == v.Rule && e.From == v.From && e.To == v.To
	})
}

// check returns every import of pkgs that breaks a rule and has no
// exception, in a stable order.
func (r rules) check(pkgs []pkg) []violation {
	var out []violation
	add := func(v violation) {
		if !r.excepted(v) {
			out = append(out, v)
		}
	}
	for _, p := range pkgs {
		from, ok := r.floorOf(p.Path)
		if !ok {
			add(violation{Rule: ruleUnplaced, From: p.Path, Detail: "give it a floor in ARCHITECTURE.md's table"})
		}
		for _, test := range []bool{false, true} {
			imps := p.Imports
			if test {
				imps = p.TestImports
			}
			for _, imp := range imps {
				to, inModule := r.rel(imp)
				switch {
				case inModule && within(p.Path, "internal") && within(to, "app"):
					add(violation{ruleNoApp, p.Path, to, test, "the core must run without the desktop shell"})
				case strings.HasPrefix(imp, wailsPrefix) && p.Path != "." && !within(p.Path, "app"):
					add(violation{ruleWails, p.Path, imp, test, "only app/ (and main) may import Wails"})
				case strings.HasPrefix(imp, renameioPrefix) && p.Path != "internal/store":
					add(violation{ruleRenameio, p.Path, imp, test, "only internal/store writes state files"})
				}
				if test {
					continue // tests may reach up and out
				}
				if strings.HasPrefix(p.Path, translatePrefix) && forbiddenInTranslator(imp) {
					add(violation{rulePure, p.Path, imp, false, "translators do no network, file or OS I/O"})
				}
				if !inModule || !ok {
					continue
				}
				if lvl, placed := r.floorOf(to); placed && lvl > from {
					add(violation{ruleFloor, p.Path, to, false,
						fmt.Sprintf("floor %d may not import floor %d", from, lvl)})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b violation) int { return strings.Compare(a.String(), b.String()) })
	return out
}
