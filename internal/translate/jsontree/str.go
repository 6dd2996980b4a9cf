package jsontree

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
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
	esc := bytes.IndexByte(s, '\\')
	if esc < 0 {
		return string(s)
	}
	text, _ := unquoteText(s, esc) // encoding/json checked the escapes
	return text
}

// unquoteText returns the text of a string literal's contents lit, whose
// first escape is at esc, written once into a buffer of the right size
// (the text is never longer than the literal) and handed out without a
// second copy; ok is false if an escape is not one JSON allows.
func unquoteText(lit []byte, esc int) (text string, ok bool) {
	out := make([]byte, 0, len(lit))
	out, ok = appendUnquoted(append(out, lit[:esc]...), lit[esc:])
	if !ok || len(out) == 0 {
		return "", ok
	}
	return unsafe.String(&out[0], len(out)), true
}

// appendUnquoted appends the text of a string literal's contents lit to
// dst, with encoding/json's results (an unpaired surrogate becomes
// U+FFFD), and reports whether every escape is one JSON allows. Its
// callers have refused control bytes and found the closing quote, so a
// backslash is never lit's last byte. It is the one unquoting routine of
// the package, for three destinations: a new string (unquoteText, for the
// scan and the encoding/json based parser) and the literal's own bytes
// (unquoteInto). dst may share lit's memory when it ends at or before
// lit's start: what is written never passes what is still to be read.
func appendUnquoted(dst, lit []byte) ([]byte, bool) {
	var u [utf8.UTFMax]byte
	for r := 0; r < len(lit); {
		if lit[r] != '\\' {
			j := bytes.IndexByte(lit[r:], '\\')
			if j < 0 {
				j = len(lit) - r
			}
			dst = append(dst, lit[r:r+j]...)
			r += j
			continue
		}
		c := lit[r+1]
		switch c {
		case '"', '\\', '/':
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		case 'u':
			ru := hex4(lit, r+2)
			if ru < 0 {
				return dst, false
			}
			r += 6
			if utf16.IsSurrogate(ru) {
				if r+1 < len(lit) && lit[r] == '\\' && lit[r+1] == 'u' {
					if d := utf16.DecodeRune(ru, hex4(lit, r+2)); d != utf8.RuneError {
						dst = append(dst, u[:utf8.EncodeRune(u[:], d)]...)
						r += 6
						continue
					}
				}
				ru = utf8.RuneError
			}
			dst = append(dst, u[:utf8.EncodeRune(u[:], ru)]...)
			continue
		default:
			return dst, false
		}
		dst = append(dst, c)
		r += 2
	}
	return dst, true
}
