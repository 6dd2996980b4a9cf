// Package provenance finds every program the project runs (Go code and
// tests, the Makefile's recipes, scripts/*.sh, .ci/run) and checks that a
// fresh Debian machine gets each one from scripts/deps.sh, from Debian's
// essential or required set, or from the toolchains the README asks for.
// It exists for the tests alone (provenance_test.go): a program run but
// installed only by hand passes on a developer's machine and fails on a
// fresh one.
package provenance

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Use is one program the project runs and the first place seen running it.
type Use struct {
	Program string
	Where   string
}

// uses collects programs by name, keeping the first place each was seen.
type uses map[string]string

func (u uses) add(prog, where string) {
	if _, ok := u[prog]; !ok {
		u[prog] = where
	}
}

func (u uses) list() []Use {
	out := make([]Use, 0, len(u))
	for p, w := range u {
		out = append(out, Use{p, w})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Program < out[j].Program })
	return out
}

// GoUses walks the Go files under root (not node_modules, testdata or
// hidden folders) for the programs they start: string literals given to
// exec.Command, exec.CommandContext or exec.LookPath, and literals given to
// a function that passes its parameter on to one of those: a helper of the
// same package (`sh(t, "dpkg-deb", ...)`) or an exported one of another
// (`testenv.RequireTool(t, "script")`), named as its package is.
func GoUses(root string) ([]Use, error) {
	found := uses{}
	pkgs := map[string][]*ast.File{} // by folder
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			n := d.Name()
			if path != root && (n == "node_modules" || n == "testdata" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkgs[filepath.Dir(path)] = append(pkgs[filepath.Dir(path)], f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	w := wrappers{local: map[string]map[string]int{}, exported: map[string]int{}}
	for dir := range pkgs {
		w.local[dir] = map[string]int{}
	}
	// Wrappers of wrappers too, across packages: repeat until no new one
	// turns up.
	for changed := true; changed; {
		changed = false
		for dir, files := range pkgs {
			if w.find(dir, files) {
				changed = true
			}
		}
	}
	for dir, files := range pkgs {
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if arg, ok := w.progArg(dir, call); ok {
					if lit, ok := arg.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						// A path is the project's own built binary.
						if s, err := strconv.Unquote(lit.Value); err == nil && !strings.Contains(s, "/") {
							pos := fset.Position(lit.Pos())
							rel, _ := filepath.Rel(root, pos.Filename)
							found.add(s, rel+":"+strconv.Itoa(pos.Line))
						}
					}
				}
				return true
			})
		}
	}
	return found.list(), nil
}

// execArg is the argument position of the program in the os/exec calls.
var execArg = map[string]int{"Command": 0, "CommandContext": 1, "LookPath": 0}

// wrappers are the functions that run one of their parameters as a
// program: the parameter's index, by folder and name (local), and for the
// exported ones by "package.Name" as other packages call them.
type wrappers struct {
	local    map[string]map[string]int
	exported map[string]int
}

// progArg is the argument call gives as a program, if it is one.
func (w wrappers) progArg(dir string, call *ast.CallExpr) (ast.Expr, bool) {
	switch fn := call.Fun.(type) {
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok {
			i, ok := execArg[fn.Sel.Name]
			if x.Name != "exec" {
				i, ok = w.exported[x.Name+"."+fn.Sel.Name]
			}
			if ok && i < len(call.Args) {
				return call.Args[i], true
			}
		}
	case *ast.Ident:
		if i, ok := w.local[dir][fn.Name]; ok && i < len(call.Args) {
			return call.Args[i], true
		}
	}
	return nil, false
}

// find adds the functions of the package in dir that pass a parameter on
// as a program, and reports whether it found a new one.
func (w wrappers) find(dir string, files []*ast.File) bool {
	changed := false
	for _, f := range files {
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil || fd.Recv != nil {
				continue
			}
			params := paramIndex(fd.Type)
			name := fd.Name.Name
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				arg, ok := w.progArg(dir, call)
				if !ok {
					return true
				}
				id, ok := arg.(*ast.Ident)
				if !ok {
					return true
				}
				i, ok := params[id.Name]
				if !ok {
					return true
				}
				if _, seen := w.local[dir][name]; !seen {
					w.local[dir][name] = i
					if ast.IsExported(name) {
						w.exported[f.Name.Name+"."+name] = i
					}
					changed = true
				}
				return true
			})
		}
	}
	return changed
}

func paramIndex(ft *ast.FuncType) map[string]int {
	m := map[string]int{}
	i := 0
	for _, field := range ft.Params.List {
		if len(field.Names) == 0 {
			i++
			continue
		}
		for _, n := range field.Names {
			m[n.Name] = i
			i++
		}
	}
	return m
}

// makeVar matches a Makefile variable assignment.
var makeVar = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*(\?=|:=|\+=|=)\s*(.*)$`)

// MakefileUses reads the programs a Makefile's recipes and $(shell ...)
// calls run. Each $(VAR) is replaced by its value from the file, so
// `$(GO) test` counts as go; $(MAKE) is make.
func MakefileUses(where, text string) []Use {
	vars := map[string]string{"MAKE": "make"}
	var recipes, shells []string
	lines := strings.Split(strings.ReplaceAll(text, "\\\n", " "), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "\t") {
			r := strings.TrimLeft(strings.TrimSpace(l), "@-+")
			recipes = append(recipes, r)
			continue
		}
		if m := makeVar.FindStringSubmatch(l); m != nil {
			if _, set := vars[m[1]]; !set || m[2] != "?=" {
				vars[m[1]] = strings.TrimSpace(m[3])
			}
		}
	}
	// A $(shell ...) runs once, where it is defined; where the variable is
	// used, its output is an opaque word.
	for k, v := range vars {
		shells = append(shells, shellCalls(v)...)
		vars[k] = shellCall.ReplaceAllString(v, "$$shellout")
	}
	expand := func(s string) string {
		for i := 0; i < 5; i++ { // variables made of variables
			s = makeRef.ReplaceAllStringFunc(s, func(ref string) string {
				name := makeRef.FindStringSubmatch(ref)[1]
				if v, ok := vars[name]; ok {
					return v
				}
				return "$" + name
			})
		}
		return strings.ReplaceAll(s, "$$", "$")
	}
	found := uses{}
	for _, r := range append(recipes, shells...) {
		for _, sub := range shellCalls(r) {
			for _, p := range ShellUses(where, expand(sub)) {
				found.add(p.Program, where)
			}
		}
		// The recipe itself, with $(shell ...) left as an opaque word.
		for _, p := range ShellUses(where, expand(shellCall.ReplaceAllString(r, "$$$$shellout"))) {
			found.add(p.Program, where)
		}
	}
	return found.list()
}

var (
	makeRef   = regexp.MustCompile(`\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]`)
	shellCall = regexp.MustCompile(`\$\(shell ([^()]*(\([^()]*\))?[^()]*)\)`)
)

func shellCalls(s string) []string {
	var out []string
	for _, m := range shellCall.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}
