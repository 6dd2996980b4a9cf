package archtest

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// loadModule reads every Go file under root with go/parser, whatever its
// build tags, so files for other operating systems (autostart_darwin.go,
// atomic_windows.go) are checked too. Folders without Go files, testdata,
// hidden folders, nested modules and the frontend are skipped.
func loadModule(root string) (module string, pkgs []pkg, err error) {
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", nil, err
	}
	m := regexp.MustCompile(`(?m)^module\s+(\S+)`).FindSubmatch(gomod)
	if m == nil {
		return "", nil, fmt.Errorf("go.mod: no module line")
	}
	module = string(m[1])
	byDir := map[string]*pkg{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				name == "testdata" || name == "node_modules" || name == "frontend" || name == "vendor") {
				return filepath.SkipDir
			}
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		p := byDir[rel]
		if p == nil {
			p = &pkg{Path: rel}
			byDir[rel] = p
		}
		for _, is := range f.Imports {
			imp, _ := strconv.Unquote(is.Path.Value)
			if strings.HasSuffix(name, "_test.go") {
				p.TestImports = append(p.TestImports, imp)
			} else {
				p.Imports = append(p.Imports, imp)
			}
		}
		return nil
	})
	for _, p := range byDir {
		slices.Sort(p.Imports)
		p.Imports = slices.Compact(p.Imports)
		slices.Sort(p.TestImports)
		p.TestImports = slices.Compact(p.TestImports)
		pkgs = append(pkgs, *p)
	}
	slices.SortFunc(pkgs, func(a, b pkg) int { return strings.Compare(a.Path, b.Path) })
	return module, pkgs, err
}

var backticked = regexp.MustCompile("`([^`]+)`")

// parseFloors reads the table under "## Floors" in ARCHITECTURE.md: rows
// whose first cell is a number, and whose third cell lists the packages in
// backticks.
func parseFloors(doc string) ([]floor, error) {
	var floors []floor
	in := false
	sc := bufio.NewScanner(strings.NewReader(doc))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = strings.TrimSpace(line) == "## Floors"
			continue
		}
		if !in || !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 3 {
			continue
		}
		level, err := strconv.Atoi(strings.TrimSpace(cells[0]))
		if err != nil {
			continue // the header and the separator
		}
		f := floor{Level: level}
		for _, m := range backticked.FindAllStringSubmatch(cells[2], -1) {
			f.Patterns = append(f.Patterns, m[1])
		}
		if len(f.Patterns) == 0 {
			return nil, fmt.Errorf("floor %d lists no package", level)
		}
		floors = append(floors, f)
	}
	if len(floors) == 0 {
		return nil, fmt.Errorf("no floor table under \"## Floors\"")
	}
	return floors, nil
}
