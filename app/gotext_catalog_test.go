package app

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/uitext"
)

// gotextEntries reads a window catalog's "gotext" namespace, flattened to
// dotted codes.
func gotextEntries(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../frontend/src/i18n/" + lang + ".json")
	require.NoError(t, err)
	var cat map[string]any
	require.NoError(t, json.Unmarshal(b, &cat))
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				walk(prefix+"."+k, c)
			}
		case string:
			out[strings.TrimPrefix(prefix, ".")] = v
		default:
			t.Errorf("%s.json gotext%s: not a string or object", lang, prefix)
		}
	}
	if ns, ok := cat["gotext"]; ok {
		walk("", ns)
	}
	return out
}

// definedTexts reads every uitext.Define call in the module's Go source
// (tests and test data aside): code -> English. Reading the source rather
// than a run-time registry keeps Define a plain value and still sees every
// package, linked here or not. A call whose code or English is not a
// string literal, a malformed code and a code defined twice are errors.
func definedTexts(t *testing.T) map[string]string {
	t.Helper()
	defs := map[string]string{}
	where := map[string]string{}
	eachSourceCall(t, func(pos string, call *ast.CallExpr, inUitext bool) {
		if !isDefine(call.Fun, inUitext) {
			return
		}
		if !assert.Len(t, call.Args, 2, "%s: uitext.Define takes a code and its English", pos) {
			return
		}
		code, ok1 := stringLit(call.Args[0])
		english, ok2 := stringLit(call.Args[1])
		if !assert.True(t, ok1 && ok2, "%s: uitext.Define's code and English must be string literals (this check reads them)", pos) {
			return
		}
		assert.True(t, uitext.ValidCode(code), "%s: code %q is not dotted lowerCamel words", pos, code)
		if prev, dup := where[code]; dup {
			t.Errorf("%s: code %q is already defined at %s", pos, code, prev)
		}
		defs[code], where[code] = english, pos
	})
	return defs
}

// eachSourceCall hands fn every call in the module's Go source (tests,
// test data, the frontend and build output aside), with its position and
// whether its file is package uitext.
func eachSourceCall(t *testing.T, fn func(pos string, call *ast.CallExpr, inUitext bool)) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "testdata", ".git", "frontend", "build":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		inUitext := f.Name.Name == "uitext"
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				fn(fset.Position(call.Pos()).String(), call, inUitext)
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
}

// isDefine reports whether fun names uitext.Define (or Define inside the
// uitext package itself).
func isDefine(fun ast.Expr, inPkg bool) bool {
	switch f := fun.(type) {
	case *ast.SelectorExpr:
		x, ok := f.X.(*ast.Ident)
		return ok && x.Name == "uitext" && f.Sel.Name == "Define"
	case *ast.Ident:
		return inPkg && f.Name == "Define"
	}
	return false
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// Every code Go can put in front of the person (uitext.Define, anywhere in
// the module) has an entry in both window catalogs, with the
// same placeholders as Go's English; the English catalog is Go's English
// word for word; and no entry is left for a code Go no longer has.
func TestEveryGoTextCodeIsInTheWindowCatalogs(t *testing.T) {
	defs := definedTexts(t)
	require.Greater(t, len(defs), 100, "the source scan found too few uitext.Define calls")
	for _, lang := range []string{"en", "zh-CN"} {
		entries := gotextEntries(t, lang)
		for code, english := range defs {
			got, ok := entries[code]
			if !assert.True(t, ok, "%s.json has no gotext.%s (Go: %q)", lang, code, english) {
				continue
			}
			assert.Equal(t, uitext.Placeholders(english), uitext.Placeholders(got), "%s.json gotext.%s placeholders", lang, code)
			if lang == "en" {
				assert.Equal(t, english, got, "en.json gotext.%s is Go's English", code)
			}
		}
		var extra []string
		for code := range entries {
			if _, ok := defs[code]; !ok {
				extra = append(extra, code)
			}
		}
		slices.Sort(extra)
		assert.Empty(t, extra, "%s.json has gotext entries for codes Go does not define", lang)
	}
}

// A field Go names in words rather than by its identifier ("the start URL",
// passed to the endpoint and web URL parsers, whose refusals fill it into
// {{field}}) has an entry in both catalogs' gotextField, so that a Chinese
// sentence does not carry an English phrase; English's entry is the phrase.
func TestFieldsNamedInWordsAreInTheWindowCatalogs(t *testing.T) {
	phrases := map[string]string{}
	eachSourceCall(t, func(pos string, call *ast.CallExpr, _ bool) {
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || len(call.Args) == 0 || !strings.HasPrefix(sel.Sel.Name, "Parse") {
			return
		}
		if x, ok := sel.X.(*ast.Ident); !ok || (x.Name != "endpoint" && !(x.Name == "store" && sel.Sel.Name == "ParseWebURL")) {
			return
		}
		if field, ok := stringLit(call.Args[0]); ok && strings.Contains(field, " ") {
			phrases[field] = pos
		}
	})
	require.Contains(t, phrases, "the start URL", "the source scan found none of the phrases it must")
	for _, lang := range []string{"en", "zh-CN"} {
		b, err := os.ReadFile("../frontend/src/i18n/" + lang + ".json")
		require.NoError(t, err)
		var cat struct {
			GotextField map[string]string `json:"gotextField"`
		}
		require.NoError(t, json.Unmarshal(b, &cat))
		for phrase, pos := range phrases {
			got, ok := cat.GotextField[phrase]
			if assert.True(t, ok, "%s.json has no gotextField[%q] (%s)", lang, phrase, pos) && lang == "en" {
				assert.Equal(t, phrase, got, "en.json gotextField[%q] is the phrase", phrase)
			}
		}
		for phrase := range cat.GotextField {
			assert.Contains(t, phrases, phrase, "%s.json gotextField[%q]: no Go call names a field so", lang, phrase)
		}
	}
}
