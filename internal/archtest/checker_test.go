package archtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// synthetic is a small module laid out like Kirodesk.
func synthetic() rules {
	return rules{Module: "m", Floors: []floor{
		{0, []string{"internal/canon", "internal/translate/..."}},
		{1, []string{"internal/store"}},
		{2, []string{"internal/kiro", "internal/autostart"}},
		{5, []string{"internal/core"}},
		{6, []string{".", "app", "app/..."}},
		{7, []string{"internal/fake"}},
	}}
}

func rulesOf(vs []violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Rule+" "+v.From+" -> "+v.To)
	}
	return out
}

func TestCheckerAcceptsAGoodGraph(t *testing.T) {
	pkgs := []pkg{
		{Path: ".", Imports: []string{"m/app", "m/internal/core", "github.com/wailsapp/wails/v2"}},
		{Path: "app", Imports: []string{"m/internal/core", "github.com/wailsapp/wails/v2/pkg/runtime", "github.com/wailsapp/wails/v2/pkg/options"}},
		{Path: "app/tray", Imports: []string{"m/app"}},
		{Path: "internal/core", Imports: []string{"m/internal/kiro", "m/internal/store", "net/http"},
			TestImports: []string{"m/internal/fake"}}, // tests may use fakes
		{Path: "internal/kiro", Imports: []string{"m/internal/store", "m/internal/canon", "net/http"},
			TestImports: []string{"m/internal/core"}}, // and reach up
		{Path: "internal/store", Imports: []string{"github.com/google/renameio/v2", "os"}},
		{Path: "internal/canon", Imports: []string{"encoding/json"}},
		{Path: "internal/translate/x", Imports: []string{"m/internal/canon", "io", "bytes"},
			TestImports: []string{"os", "path/filepath"}}, // tests read testdata
		{Path: "internal/fake", Imports: []string{"net/http/httptest", "m/internal/canon"}},
	}
	assert.Empty(t, synthetic().check(pkgs))
}

// Each rule, broken once: the checker must name it.
func TestCheckerCatchesEachRule(t *testing.T) {
	cases := []struct {
		name string
		pkg  pkg
		want []string
	}{
		{"internal imports app", pkg{Path: "internal/core", Imports: []string{"m/app"}},
			[]string{"internal-imports-app internal/core -> app", "floors-point-down internal/core -> app"}},
		{"internal test imports an app subpackage", pkg{Path: "internal/kiro", TestImports: []string{"m/app/tray"}},
			[]string{"internal-imports-app internal/kiro -> app/tray"}},
		{"wails runtime outside app", pkg{Path: "internal/core", Imports: []string{"github.com/wailsapp/wails/v2/pkg/runtime"}},
			[]string{"wails-only-in-app internal/core -> github.com/wailsapp/wails/v2/pkg/runtime"}},
		{"wails options in a test outside app", pkg{Path: "internal/kiro", TestImports: []string{"github.com/wailsapp/wails/v2/pkg/options"}},
			[]string{"wails-only-in-app internal/kiro -> github.com/wailsapp/wails/v2/pkg/options"}},
		{"renameio outside store", pkg{Path: "internal/kiro", Imports: []string{"github.com/google/renameio/v2"}},
			[]string{"renameio-only-in-store internal/kiro -> github.com/google/renameio/v2"}},
		{"renameio in app", pkg{Path: "app", Imports: []string{"github.com/google/renameio"}},
			[]string{"renameio-only-in-store app -> github.com/google/renameio"}},
		{"translator imports net/http", pkg{Path: "internal/translate/x", Imports: []string{"net/http"}},
			[]string{"translators-pure internal/translate/x -> net/http"}},
		{"translator imports os", pkg{Path: "internal/translate/x", Imports: []string{"os"}},
			[]string{"translators-pure internal/translate/x -> os"}},
		{"translator imports os/exec", pkg{Path: "internal/translate/x", Imports: []string{"os/exec"}},
			[]string{"translators-pure internal/translate/x -> os/exec"}},
		{"floor 1 imports floor 2", pkg{Path: "internal/store", Imports: []string{"m/internal/kiro"}},
			[]string{"floors-point-down internal/store -> internal/kiro"}},
		{"translator imports the store", pkg{Path: "internal/translate/x", Imports: []string{"m/internal/store"}},
			[]string{"floors-point-down internal/translate/x -> internal/store"}},
		{"product code imports a fake", pkg{Path: "internal/core", Imports: []string{"m/internal/fake"}},
			[]string{"floors-point-down internal/core -> internal/fake"}},
		{"package without a floor", pkg{Path: "internal/newthing", Imports: []string{"fmt"}},
			[]string{"package-without-floor internal/newthing -> "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.ElementsMatch(t, c.want, rulesOf(synthetic().check([]pkg{c.pkg})))
		})
	}
}

func TestCheckerHonoursOnlyTheNamedException(t *testing.T) {
	r := synthetic()
	r.Exceptions = []exception{{From: "internal/autostart", To: "github.com/google/renameio/v2", Rule: ruleRenameio, Why: "OS file"}}
	assert.Empty(t, r.check([]pkg{{Path: "internal/autostart", Imports: []string{"github.com/google/renameio/v2"}}}))
	// The same import from another package is still caught.
	assert.Equal(t, []string{"renameio-only-in-store internal/kiro -> github.com/google/renameio/v2"},
		rulesOf(r.check([]pkg{{Path: "internal/kiro", Imports: []string{"github.com/google/renameio/v2"}}})))
}

func TestMostSpecificFloorWins(t *testing.T) {
	r := rules{Module: "m", Floors: []floor{{0, []string{"internal/kiro/endpoint"}}, {2, []string{"internal/kiro/..."}}}}
	lvl, ok := r.floorOf("internal/kiro/endpoint")
	require.True(t, ok)
	assert.Equal(t, 0, lvl)
	lvl, _ = r.floorOf("internal/kiro/payload")
	assert.Equal(t, 2, lvl)
	_, ok = r.floorOf("internal/kirox")
	assert.False(t, ok, "a subtree pattern must not match a sibling with the same prefix")
}

func TestParseFloors(t *testing.T) {
	doc := "# X\n\n## Floors\n\n| Floor | Name | Packages | Owns |\n|---|---|---|---|\n" +
		"| 0 | formats | `internal/canon`, `internal/translate/...` | data |\n" +
		"| 6 | shell | `.`, `app/...` | the `main` |\n\n## Rules\n| 9 | x | `ignored` | |\n"
	floors, err := parseFloors(doc)
	require.NoError(t, err)
	assert.Equal(t, []floor{{0, []string{"internal/canon", "internal/translate/..."}}, {6, []string{".", "app/..."}}}, floors)

	_, err = parseFloors("# nothing here\n")
	assert.Error(t, err)
	_, err = parseFloors("## Floors\n| 1 | state | none | |\n")
	assert.Error(t, err)
}
