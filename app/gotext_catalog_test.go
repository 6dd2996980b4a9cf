package app

import (
	"encoding/json"
	"os"
	"slices"
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

// Every code Go can put in front of the person (uitext.Define, in every
// package this one links) has an entry in both window catalogs, with the
// same placeholders as Go's English; the English catalog is Go's English
// word for word; and no entry is left for a code Go no longer has.
func TestEveryGoTextCodeIsInTheWindowCatalogs(t *testing.T) {
	defs := uitext.Defined()
	require.NotEmpty(t, defs)
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
