package jsontree

import (
	"strings"
	"unicode"
	"unicode/utf16"
)

// validated is decoded into to have encoding/json check a value's syntax
// without copying it: the parser then reads the string from the body once
// (Decoder.Token would copy it twice, as bytes and then as a string, which
// for a request of long texts is twice its size in garbage).
type validated struct{}

func (*validated) UnmarshalJSON([]byte) error { return nil }

// unquote decodes a JSON string literal that encoding/json has validated,
// with encoding/json's results (an invalid surrogate becomes U+FFFD), in
// one allocation.
func unquote(lit []byte) string {
	s := lit[1 : len(lit)-1]
	i := 0
	for i < len(s) && s[i] != '\\' {
		i++
	}
	if i == len(s) {
		return string(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	b.Write(s[:i])
	for i < len(s) {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		switch s[i+1] {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r := hex4(s, i+2)
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if d := utf16.DecodeRune(r, hex4(s, i+2)); d != unicode.ReplacementChar {
						b.WriteRune(d)
						i += 6
						continue
					}
				}
				r = unicode.ReplacementChar
			}
			b.WriteRune(r)
			continue
		default: // '"', '\\', '/'
			b.WriteByte(s[i+1])
		}
		i += 2
	}
	return b.String()
}
