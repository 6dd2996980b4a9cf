package jsonw

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"testing"

	"github.com/stretchr/testify/assert"

	"kirodesk/internal/testenv"
)

func TestIsCompact(t *testing.T) {
	for in, want := range map[string]bool{
		`{"a":[1,2,"b c"]}`: true,
		`"x \" y"`:          true,
		`{"a": 1}`:          false,
		"[1,\n2]":           false,
		`{"a":"\\"}`:        true,
	} {
		assert.Equal(t, want, IsCompact([]byte(in)), in)
	}
}

// FuzzAppendString: AppendString writes what encoding/json writes for any
// string, invalid UTF-8 and control bytes included.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\/\b\f\n\r\t\x00\x1f\x7f", "<b>&amp;</b>", "\u2028\u2029\u2027", "\xff\xfe", "é\xc3", "日本語 🙂", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := AppendString(nil, s), testenv.EncodingJSON(t, s); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) = %s, encoding/json writes %s", s, got, want)
		}
	})
}

// markers are the two eight-byte tests and the bytes each must mark:
// StringEnd (a scanner's: bytes above 0x7f are plain) and special (a
// writer's: they need a look too).
var markers = []struct {
	name string
	mark func(uint64) uint64
	want func(c byte) bool
}{
	{"StringEnd", StringEnd, func(c byte) bool { return c < 0x20 || c == '"' || c == '\\' }},
	{"special", special, func(c byte) bool { return c < 0x20 || c == '"' || c == '\\' || c >= 0x80 }},
}

// TestMarkers: each eight-byte test finds every byte value it must, in
// every position, and passes every other byte.
func TestMarkers(t *testing.T) {
	for _, m := range markers {
		for c := 0; c < 256; c++ {
			want := m.want(byte(c))
			for pos := range 8 {
				b := []byte("aaaaaaaa")
				b[pos] = byte(c)
				got := m.mark(binary.LittleEndian.Uint64(b))
				if (got != 0) != want || want && bits.TrailingZeros64(got)/8 != pos {
					t.Fatalf("%s(%q) = %x, want a mark at byte %d only if %v", m.name, b, got, pos, want)
				}
			}
		}
		assert.Zero(t, m.mark(binary.LittleEndian.Uint64([]byte(" ~!#[]{}"))), m.name)
	}
}

// TestMarkersFirstMark: in words with several bytes to mark, the lowest
// mark is the first of them.
func TestMarkersFirstMark(t *testing.T) {
	alphabet := []byte{0, 0x1f, 0x20, '"', '\\', 'a', 0x7f, 0x80, 0xff, '!', '#', '[', ']'}
	for _, m := range markers {
		rnd := uint64(1)
		for range 200_000 {
			var b [8]byte
			first := -1
			for i := range b {
				rnd = rnd*6364136223846793005 + 1442695040888963407
				b[i] = alphabet[(rnd>>33)%uint64(len(alphabet))]
				if first < 0 && m.want(b[i]) {
					first = i
				}
			}
			got := m.mark(binary.LittleEndian.Uint64(b[:]))
			if (got == 0) != (first < 0) || first >= 0 && bits.TrailingZeros64(got)/8 != first {
				t.Fatalf("%s(%q) = %x, first byte to mark is %d", m.name, b, got, first)
			}
		}
	}
}
