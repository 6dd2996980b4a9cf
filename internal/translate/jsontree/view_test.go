package jsontree

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inBody reports whether s's bytes lie inside body.
func inBody(s string, body []byte) bool {
	if s == "" {
		return false
	}
	p, start := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(&body[0]))
	return p >= start && p < start+uintptr(len(body))
}

// TestLongStringsShareTheBody: a long string without escapes is the
// body's own bytes; a short one, or one with escapes, is a copy; a name
// every request repeats is the one shared string.
func TestLongStringsShareTheBody(t *testing.T) {
	long := strings.Repeat("tool output line\n", 20)[:viewMin+3]
	long = strings.ReplaceAll(long, "\n", " ")
	body := []byte(`{"type":"text","text":"` + long + `","short":"a little text","esc":"` + long + `\n"}`)
	v, err := Parse(body)
	require.NoError(t, err)

	assert.Equal(t, long, v.Get("text").Str)
	assert.True(t, inBody(v.Get("text").Str, body), "a long plain string is read in place")
	assert.False(t, inBody(v.Get("short").Str, body), "a short string is copied")
	assert.False(t, inBody(v.Get("esc").Str, body), "a string with escapes is unquoted into a copy")
	assert.Equal(t, long+"\n", v.Get("esc").Str)
	assert.False(t, inBody(v.Keys[0], body))
	assert.Equal(t, unsafe.StringData(common["type"]), unsafe.StringData(v.Keys[0]), "a common key is shared")
	assert.Equal(t, unsafe.StringData(common["text"]), unsafe.StringData(v.Get("type").Str), "a common value is shared")
}
