package archtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// exceptions are the imports that break a rule on purpose. Each says why;
// add one only with the reason written here and in ARCHITECTURE.md.
var exceptions = []exception{
	{From: "internal/autostart", To: "github.com/google/renameio/v2", Rule: ruleRenameio,
		Why: "it writes the OS's login entry (an XDG .desktop file, a LaunchAgent plist), 0644 and outside " +
			"the config folder: the OS's state, not a Kirodesk state file, and not the store's to own"},
	{From: "app/devserve", To: "internal/fakekiro", Rule: ruleFloor,
		Why: "the development server runs the real bindings in a browser against the fake Kiro"},
}

const root = "../.."

func moduleRules(t *testing.T) rules {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(root, "ARCHITECTURE.md"))
	require.NoError(t, err)
	floors, err := parseFloors(string(doc))
	require.NoError(t, err)
	return rules{Module: "kirodesk", Floors: floors, Exceptions: exceptions}
}

// TestModuleKeepsTheImportRules is the check itself: every package of the
// module against the rules and the floors of ARCHITECTURE.md.
func TestModuleKeepsTheImportRules(t *testing.T) {
	r := moduleRules(t)
	module, pkgs, err := loadModule(root)
	require.NoError(t, err)
	require.Equal(t, r.Module, module)
	// The loader must really see the tree, or the check proves nothing.
	paths := map[string]pkg{}
	for _, p := range pkgs {
		paths[p.Path] = p
	}
	for _, want := range []string{".", "app", "internal/store", "internal/relay", "internal/translate/anthropic"} {
		require.Contains(t, paths, want)
	}
	require.Contains(t, paths["app"].Imports, "github.com/wailsapp/wails/v2/pkg/runtime")
	require.Contains(t, paths["internal/autostart"].Imports, "github.com/google/renameio/v2",
		"autostart_linux.go and _darwin.go are read whatever the build tags")
	for _, v := range r.check(pkgs) {
		t.Error(v)
	}
}

// TestExceptionsAreStillNeeded keeps the exception list honest: an exception
// whose import is gone must be deleted.
func TestExceptionsAreStillNeeded(t *testing.T) {
	r := moduleRules(t)
	_, pkgs, err := loadModule(root)
	require.NoError(t, err)
	r.Exceptions = nil
	found := map[exception]bool{}
	for _, v := range r.check(pkgs) {
		found[exception{From: v.From, To: v.To, Rule: v.Rule}] = true
	}
	for _, e := range exceptions {
		if !found[exception{From: e.From, To: e.To, Rule: e.Rule}] {
			t.Errorf("exception %s -> %s (%s) is no longer needed: remove it", e.From, e.To, e.Rule)
		}
	}
}
