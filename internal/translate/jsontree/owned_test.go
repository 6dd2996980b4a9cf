package jsontree

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkOwned parses a copy of b handed over (Own) and checks it against
// the reference tree want: the same tree, Compact giving the same JSON
// value for every node, and Position the same line and column for every
// node as in the body the client sent.
func checkOwned(t *testing.T, name string, b []byte, want *Value) {
	t.Helper()
	owned := bytes.Clone(b)
	Own(owned)
	got, err := Parse(owned)
	if !assert.NoError(t, err, name) {
		return
	}
	sameTree(t, name+" (owned)", want, got)
	sameOwned(t, name, b, owned, got)
}

func sameOwned(t *testing.T, where string, orig, owned []byte, v *Value) {
	t.Helper()
	var want, got any
	require.NoError(t, json.Unmarshal(orig[v.Off:v.End], &want), where)
	c := Compact(owned, v)
	if assert.NoError(t, json.Unmarshal(c, &got), "%s: Compact of a body parsed in place is not JSON: %s", where, c) {
		assert.Equal(t, want, got, "%s: Compact of a body parsed in place", where)
	}
	if !v.edited {
		assert.Equal(t, orig[v.Off:v.End], owned[v.Off:v.End], "%s: bytes outside the strings rewritten stay", where)
	}
	assert.Equal(t, Position(orig, v.Off), Position(owned, v.Off), "%s: Position in a body parsed in place", where)
	assert.Equal(t, Position(orig, v.End), Position(owned, v.End), "%s: Position in a body parsed in place", where)
	for _, c := range append(v.Elems, v.Vals...) {
		sameOwned(t, where, orig, owned, c)
	}
}

// TestOwnedBodyIsParsedInPlace: a long string with escapes in a body
// handed over is unquoted into the body itself, Compact and Position
// still answer for the document the client sent, and a body not handed
// over is left as it was.
func TestOwnedBodyIsParsedInPlace(t *testing.T) {
	long := strings.Repeat(`line one\n\t\"quoted\" \u00e9 \ud83d\ude00 \ud83d lone \/ slash\n`, 4)
	body := []byte("{\n  \"system\": \"" + long + "\",\n  \"tools\": [{\"input\": {\"cmd\": \"" + long + "\", \"n\": 1}}],\n  \"bad\": 7\n}")
	orig := bytes.Clone(body)
	want, err := Parse(body)
	require.NoError(t, err)
	require.Equal(t, orig, body, "Parse of a body not handed over leaves it as it was")

	Own(body)
	got, err := Parse(body)
	require.NoError(t, err)
	assert.NotEqual(t, orig, body, "a body handed over is rewritten")
	sys := got.Get("system")
	assert.Equal(t, want.Get("system").Str, sys.Str)
	assert.True(t, inBody(sys.Str, body), "the unquoted string is the body's own bytes")
	assert.True(t, got.edited && sys.edited && got.Get("tools").edited && !got.Get("bad").edited)

	input := got.Get("tools").Elems[0].Get("input")
	var in map[string]any
	require.NoError(t, json.Unmarshal(Compact(body, input), &in))
	assert.Equal(t, map[string]any{"cmd": want.Get("tools").Elems[0].Get("input").Get("cmd").Str, "n": 1.0}, in)

	bad := got.Get("bad")
	assert.Equal(t, "line 4, column 10 (byte "+itoa(bad.Off)+")", Position(body, bad.Off), "the newlines unquoted are not counted")
	assert.Equal(t, Position(orig, bad.Off), Position(body, bad.Off))
	sameOwned(t, "doc", orig, body, got)

	again := bytes.Clone(orig)
	_, err = Parse(again)
	require.NoError(t, err)
	assert.Equal(t, orig, again, "handing over is once, for one body")
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestForget: once its owner forgets a body, it is anyone's again: not
// parsed in place, and no spans remembered for it.
func TestForget(t *testing.T) {
	body := []byte(`{"a":"` + strings.Repeat(`x\n`, 70) + `"}`)
	orig := bytes.Clone(body)
	Own(body)
	Forget(body)
	_, err := Parse(body)
	require.NoError(t, err)
	assert.Equal(t, orig, body, "a forgotten hand-over is not parsed in place")

	Own(body)
	_, err = Parse(body)
	require.NoError(t, err)
	require.NotEmpty(t, editsOf(body))
	Forget(body)
	assert.Empty(t, editsOf(body))
}
