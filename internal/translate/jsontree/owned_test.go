package jsontree

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkOwned parses a copy of b in place (ParseOptions.InPlace) and
// checks it against the reference tree want: the same tree, Compact giving
// the same JSON value for every node, and Doc.Position the same line and
// column for every node as in the body the client sent.
func checkOwned(t *testing.T, name string, b []byte, want *Value) {
	t.Helper()
	owned := bytes.Clone(b)
	d, got, err := ParseDoc(owned, ParseOptions{InPlace: true})
	if !assert.NoError(t, err, name) {
		return
	}
	sameTree(t, name+" (owned)", want, got)
	sameOwned(t, name, b, &d, got)
}

func sameOwned(t *testing.T, where string, orig []byte, d *Doc, v *Value) {
	t.Helper()
	// Numbers as their text: valid JSON may hold one no float64 holds (1e700).
	decode := func(b []byte, v *any) error {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		return dec.Decode(v)
	}
	var want, got any
	require.NoError(t, decode(orig[v.Off:v.End], &want), where)
	c := Compact(d.Body, v)
	if assert.NoError(t, decode(c, &got), "%s: Compact of a body parsed in place is not JSON: %s", where, c) {
		assert.Equal(t, want, got, "%s: Compact of a body parsed in place", where)
	}
	if !v.edited {
		assert.Equal(t, orig[v.Off:v.End], d.Body[v.Off:v.End], "%s: bytes outside the strings rewritten stay", where)
	}
	assert.Equal(t, Position(orig, v.Off), d.Position(v.Off), "%s: Position in a body parsed in place", where)
	assert.Equal(t, Position(orig, v.End), d.Position(v.End), "%s: Position in a body parsed in place", where)
	for _, c := range append(v.Elems, v.Vals...) {
		sameOwned(t, where, orig, d, c)
	}
}

// TestOwnedBodyIsParsedInPlace: a long string with escapes in a body
// parsed in place is unquoted into the body itself, Compact and
// Doc.Position still answer for the document the client sent, and a body
// parsed otherwise is left as it was.
func TestOwnedBodyIsParsedInPlace(t *testing.T) {
	body := []byte("{\n  \"system\": \"" + longEscaped + "\",\n  \"tools\": [{\"input\": {\"cmd\": \"" + longEscaped + "\", \"n\": 1}}],\n  \"bad\": 7\n}")
	orig := bytes.Clone(body)
	want, err := Parse(body)
	require.NoError(t, err)
	require.Equal(t, orig, body, "Parse leaves the body as it was")
	d, _, err := ParseDoc(body, ParseOptions{})
	require.NoError(t, err)
	require.Equal(t, orig, body, "ParseDoc without InPlace leaves the body as it was")
	assert.Empty(t, d.edits)

	d, got, err := ParseDoc(body, ParseOptions{InPlace: true})
	require.NoError(t, err)
	assert.NotEqual(t, orig, body, "a body parsed in place is rewritten")
	sys := got.Get("system")
	assert.Equal(t, want.Get("system").Str, sys.Str)
	assert.True(t, inBody(sys.Str, body), "the unquoted string is the body's own bytes")
	assert.True(t, got.edited && sys.edited && got.Get("tools").edited && !got.Get("bad").edited)

	input := got.Get("tools").Elems[0].Get("input")
	var in map[string]any
	require.NoError(t, json.Unmarshal(Compact(body, input), &in))
	assert.Equal(t, map[string]any{"cmd": want.Get("tools").Elems[0].Get("input").Get("cmd").Str, "n": 1.0}, in)

	bad := got.Get("bad")
	assert.Equal(t, "line 4, column 10 (byte "+itoa(bad.Off)+")", d.Position(bad.Off), "the newlines unquoted are not counted")
	assert.Equal(t, Position(orig, bad.Off), d.Position(bad.Off))
	sameOwned(t, "doc", orig, &d, got)
}

// longEscaped is string contents long enough to be parsed in place, with
// every kind of escape (a lone surrogate too).
var longEscaped = strings.Repeat(`line one\n\t\"quoted\" \u00e9 \ud83d\ude00 \ud83d lone \/ slash\n`, 4)

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestInPlaceIsTheCallersWord replaces the registry the in-place parse
// used to keep (bodies handed over by address, cleared at 1,024 entries):
// whether a body is rewritten, and what Position knows of it, depend on
// the call alone. A buffer reused at the same address for another body of
// the same length is not rewritten unless its parse says so, and every Doc
// of thousands parsed in place, all kept, still names its client's lines.
func TestInPlaceIsTheCallersWord(t *testing.T) {
	body := []byte("{\"a\":\n\"" + longEscaped + "\",\n\"b\": 1}")
	orig := bytes.Clone(body)
	buf := bytes.Clone(body)
	_, _, err := ParseDoc(buf, ParseOptions{InPlace: true})
	require.NoError(t, err)
	require.NotEqual(t, orig, buf)

	copy(buf, orig) // the same address and length, another request
	d, v, err := ParseDoc(buf, ParseOptions{})
	require.NoError(t, err)
	assert.Equal(t, orig, buf, "the buffer's earlier in-place parse does not carry over")
	assert.Equal(t, Position(orig, v.Get("b").Off), d.Position(v.Get("b").Off))
	assert.Equal(t, "line 3, column 6 (byte "+itoa(v.Get("b").Off)+")", d.Position(v.Get("b").Off))

	type parsed struct {
		d Doc
		v *Value
	}
	all := make([]parsed, 3000)
	for i := range all {
		b := []byte(strings.Repeat("\n", i%7) + string(orig))
		d, v, err := ParseDoc(b, ParseOptions{InPlace: true})
		require.NoError(t, err)
		all[i] = parsed{d, v}
	}
	for i, p := range all {
		want := "line " + itoa(3+i%7) + ", column 6 (byte " + itoa(p.v.Get("b").Off) + ")"
		if got := p.d.Position(p.v.Get("b").Off); got != want {
			t.Fatalf("body %d parsed in place: Position %s, want %s", i, got, want)
		}
	}
}
