package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/jsontree"
)

func TestContentReadsAStringOrAnArrayOfParts(t *testing.T) {
	d, root, err := jsontree.ParseBody([]byte(`{"s": "hi", "e": "", "a": ["x", "", "bad"], "n": 3}`), jsontree.ParseOptions{})
	require.NoError(t, err)
	var seen []jsontree.Path
	part := func(pv *jsontree.Value, pp jsontree.Path) (canon.Block, bool, error) {
		seen = append(seen, pp)
		if pv.Str == "bad" {
			return canon.Block{}, false, d.Errf(pp, "bad part")
		}
		return canon.Block{Type: canon.BlockText, Text: pv.Str}, pv.Str != "", nil
	}
	read := func(key string) ([]canon.Block, error) {
		return Content(&d, root.Get(key), jsontree.Path("m").Key(key), "a string or an array of parts", part)
	}

	blocks, err := read("s")
	require.NoError(t, err)
	assert.Equal(t, []canon.Block{{Type: canon.BlockText, Text: "hi"}}, blocks)

	blocks, err = read("e")
	require.NoError(t, err)
	assert.Empty(t, blocks, "an empty string is no block")
	assert.Empty(t, seen, "a string is not read as parts")

	blocks, err = read("a")
	assert.EqualError(t, err, "m.a[2]: bad part")
	assert.Nil(t, blocks)
	assert.Equal(t, []jsontree.Path{"m.a[0]", "m.a[1]", "m.a[2]"}, seen)

	_, err = read("n")
	assert.ErrorContains(t, err, "m.n: expected a string or an array of parts, got a number")

	d2, root2, err := jsontree.ParseBody([]byte(`{"a": ["x", "", "y"]}`), jsontree.ParseOptions{})
	require.NoError(t, err)
	blocks, err = Content(&d2, root2.Get("a"), "a", "want", part)
	require.NoError(t, err)
	assert.Equal(t, []canon.Block{{Type: canon.BlockText, Text: "x"}, {Type: canon.BlockText, Text: "y"}}, blocks, "unkept parts are dropped")
}
