// Package jsonw writes JSON text by hand where encoding/json's reflection
// costs too much: strings (escaped byte for byte as encoding/json does
// without HTML escaping, which FuzzAppendString holds it to) and the test
// for text that is already compact. The Kiro body builder (payload) and
// the request tree (jsontree, writing back strings it unquoted in place)
// both write through it.
package jsonw

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
	"unsafe"
)

// IsCompact reports whether the JSON text b has no space outside strings:
// such a value can be copied where a compacted one is due.
func IsCompact(b []byte) bool {
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if in {
			switch c {
			case '\\':
				i++
			case '"':
				in = false
			}
			continue
		}
		switch c {
		case '"':
			in = true
		case ' ', '\t', '\n', '\r':
			return false
		}
	}
	return true
}

// plain marks the ASCII bytes a JSON string carries as they are.
var plain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// StringEnd marks the bytes of x (little-endian) that end a run of plain
// JSON string text, '"', '\\' or a control byte, with their high bit (the
// bit tricks of "Bit Twiddling Hacks": a byte below n, a zero byte after an
// XOR). It is zero when there is none; otherwise its lowest mark is the
// first such byte (a mark above a marked byte may be false, one below it
// never is). Bytes above 0x7f are plain here: a reader of valid UTF-8
// (jsontree's scanner) steps over them eight at a time.
func StringEnd(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (x - ones*0x20) & ^x
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	return (below | (quote-ones)&^quote | (backslash-ones)&^backslash) & highs
}

// special is StringEnd that also marks the bytes above 0x7f: a writer
// checks their UTF-8 (AppendString).
func special(x uint64) uint64 { return StringEnd(x) | x&0x8080808080808080 }

// AppendString appends s as a JSON string the way encoding/json does
// without HTML escaping: control bytes as \b \f \n \r \t or \u00XX,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs a look (most of a
		// prompt): about three times faster than a byte at a time.
		for i+8 <= len(s) {
			if m := special(binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))); m != 0 {
				i += bits.TrailingZeros64(m) / 8 // the first byte that needs a look
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
