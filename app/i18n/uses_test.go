package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/locale"
)

var idLike = regexp.MustCompile(`^[A-Z][A-Za-z]+$`)

// lookups are the functions that take a message ID as a string argument:
// Catalog.T and N, the app's a.tr and noTray, and the local t closures.
var lookups = map[string]bool{"T": true, "N": true, "tr": true, "t": true, "noTray": true}

// codeIDs parses the non-test Go files of dir and returns the ID-like
// string literals passed to a lookup, and every ID-like string literal at
// all (an ID may sit in a table, as the tray's stateIDs).
func codeIDs(t *testing.T, dir string) (called, literals map[string]bool) {
	t.Helper()
	called, literals = map[string]bool{}, map[string]bool{}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if s, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING && idLike.MatchString(s) {
					literals[s] = true
				}
			case *ast.CallExpr:
				var fn string
				switch f := n.Fun.(type) {
				case *ast.Ident:
					fn = f.Name
				case *ast.SelectorExpr:
					fn = f.Sel.Name
				}
				if !lookups[fn] {
					return true
				}
				for _, arg := range n.Args {
					if lit, ok := arg.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, _ := strconv.Unquote(lit.Value); idLike.MatchString(s) {
							called[s] = true
						}
						break // the ID is the first string argument
					}
				}
			}
			return true
		})
	}
	return called, literals
}

// The code and the catalogs agree both ways: every ID the code looks up is
// in the catalog (a missing one would show as its ID), and every ID in the
// catalog is named by the code (a dead one would rot untranslated).
func TestCodeAndCatalogsNameTheSameIDs(t *testing.T) {
	trayFiles, err := fs.Sub(os.DirFS(".."), "tray/i18n")
	require.NoError(t, err)
	for _, side := range []struct {
		name  string
		dir   string
		files fs.FS
	}{
		{"app", "..", AppFiles()},
		{"tray", "../tray", trayFiles},
	} {
		t.Run(side.name, func(t *testing.T) {
			ids, err := IDs(side.files, locale.English)
			require.NoError(t, err)
			called, literals := codeIDs(t, side.dir)
			require.NotEmpty(t, called, "the scan must find the lookups, or it proves nothing")
			for id := range called {
				assert.Contains(t, ids, id, "the code looks up %s, which the catalog lacks", id)
			}
			for _, id := range ids {
				assert.True(t, literals[id], "%s is in the catalog but no code names it", id)
			}
		})
	}
}
