package app

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var writeEvents = flag.Bool("update", false, "write "+eventsFile+" from the events table")

// TestEventsTypeScriptIsGenerated fails when the checked-in TypeScript module
// is not what the Go table generates; with -update (go generate ./app) it
// writes the file instead.
func TestEventsTypeScriptIsGenerated(t *testing.T) {
	want := eventsTypeScript()
	if *writeEvents {
		require.NoError(t, os.WriteFile(eventsFile, want, 0o644))
	}
	got, err := os.ReadFile(eventsFile)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "%s is out of date: run go generate ./app", eventsFile)
}

// TestEveryEventConstantIsListed keeps the table and the constants one list:
// each Event* constant of events.go has exactly one row, under its own name.
func TestEveryEventConstantIsListed(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "events.go", nil, 0)
	require.NoError(t, err)
	consts := map[string]string{} // value -> constant name
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Event") {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				require.True(t, ok, "%s must be a string literal", n.Name)
				v, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				require.NotContains(t, consts, v, "two constants named %q", v)
				consts[v] = n.Name
			}
		}
	}
	require.NotEmpty(t, consts)
	wire := regexp.MustCompile(`^[a-z][a-zA-Z0-9:._-]*$`)
	listed := map[string]bool{}
	for _, e := range events {
		assert.False(t, listed[e.Name], "%q listed twice", e.Name)
		listed[e.Name] = true
		name, ok := consts[e.Name]
		if assert.True(t, ok, "event %q has no Event constant", e.Name) {
			assert.Equal(t, strings.TrimPrefix(name, "Event"), e.Key, "the TypeScript key follows the Go name")
		}
		assert.Regexp(t, wire, e.Name, "a name that needs no quoting in TypeScript")
		assert.NotContains(t, e.Doc, "*/")
	}
	for v, name := range consts {
		assert.True(t, listed[v], "%s is missing from the events table", name)
	}
}
