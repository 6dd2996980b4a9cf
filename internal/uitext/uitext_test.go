package uitext

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithFillsEnglishAndKeepsArgs(t *testing.T) {
	m := Define("test.with.fills", "{{file}} was damaged ({{reason}}); kept as {{file}}.corrupt")
	got := m.With("file", "pool.json", "reason", "not JSON")
	assert.Equal(t, Text{Code: "test.with.fills", Args: map[string]string{"file": "pool.json", "reason": "not JSON"},
		Text: "pool.json was damaged (not JSON); kept as pool.json.corrupt"}, got)
	assert.Equal(t, got.Text, got.String())
}

func TestWithLeavesAMissingArgumentVisible(t *testing.T) {
	m := Define("test.with.missing", "listening at {{addr}}")
	assert.Equal(t, "listening at {{addr}}", m.With().Text)
	assert.Nil(t, m.With().Args)
}

func TestDefineRefusesBadAndDoubleCodes(t *testing.T) {
	Define("test.define.once", "x")
	assert.Panics(t, func() { Define("test.define.once", "y") })
	assert.Panics(t, func() { Define("nodot", "x") })
	assert.Panics(t, func() { Define("Test.upper", "x") })
	assert.Panics(t, func() { Define("test.with space", "x") })
}

func TestDefinedListsEveryCode(t *testing.T) {
	m := Define("test.defined.listed", "a {{b}}")
	d := Defined()
	require.Contains(t, d, m.Code())
	assert.Equal(t, "a {{b}}", d[m.Code()])
	d["test.defined.listed"] = "changed"
	assert.Equal(t, "a {{b}}", Defined()[m.Code()], "a copy is returned")
}

func TestPlaceholders(t *testing.T) {
	assert.Equal(t, []string{"a", "count"}, Placeholders("{{count, number}} of {{a}} and {{a}}"))
	assert.Empty(t, Placeholders("none"))
}

func TestPlainAndJoin(t *testing.T) {
	ts := []Text{Plain("one"), Define("test.join.two", "two {{n}}").With("n", "2")}
	assert.Empty(t, ts[0].Code)
	assert.Equal(t, "one; two 2", Join(ts, "; "))
	assert.Equal(t, []string{"one", "two 2"}, Strings(ts))
}
