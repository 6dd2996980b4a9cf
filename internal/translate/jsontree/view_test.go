package jsontree

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStringEnd: the eight-byte test finds a quote, a backslash or a
// control byte in every position, and passes every other byte.
func TestStringEnd(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := c < 0x20 || c == '"' || c == '\\'
		for pos := range 8 {
			b := []byte("aaaaaaaa")
			b[pos] = byte(c)
			got := stringEnd(binary.LittleEndian.Uint64(b))
			if (got != 0) != want || want && bits.TrailingZeros64(got)/8 != pos {
				t.Fatalf("stringEnd(%q) = %x, want a mark at byte %d only if %v", b, got, pos, want)
			}
		}
	}
}

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

// TestStringEndFirstMark: in words with several bytes that end a run, the
// lowest mark is the first of them.
func TestStringEndFirstMark(t *testing.T) {
	alphabet := []byte{0, 0x1f, 0x20, '"', '\\', 'a', 0x7f, 0x80, 0xff, '!', '#', '[', ']'}
	rnd := uint64(1)
	for range 200_000 {
		var b [8]byte
		first := -1
		for i := range b {
			rnd = rnd*6364136223846793005 + 1442695040888963407
			b[i] = alphabet[(rnd>>33)%uint64(len(alphabet))]
			if c := b[i]; first < 0 && (c < 0x20 || c == '"' || c == '\\') {
				first = i
			}
		}
		m := stringEnd(binary.LittleEndian.Uint64(b[:]))
		if (m == 0) != (first < 0) || first >= 0 && bits.TrailingZeros64(m)/8 != first {
			t.Fatalf("stringEnd(%q) = %x, first byte that ends the run is %d", b, m, first)
		}
	}
}
