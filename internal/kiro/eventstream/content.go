package eventstream

import (
	"strings"
	"unicode/utf8"
)

// contentOnly reads a text event's payload when it is exactly
// {"content":"..."} (what Kiro sends for nearly every frame of an answer)
// with only the common escapes, without encoding/json's reflection: it
// was a quarter of a short request's CPU in Kirodesk. Anything else (more
// fields, space, \u escapes, invalid UTF-8) is not ok, and decode reads it.
func contentOnly(payload []byte) (string, bool) {
	const head, tail = `{"content":"`, `"}`
	if len(payload) < len(head)+len(tail) || string(payload[:len(head)]) != head || string(payload[len(payload)-len(tail):]) != tail {
		return "", false
	}
	lit := payload[len(head) : len(payload)-len(tail)]
	esc := false
	for i := 0; i < len(lit); i++ {
		switch c := lit[i]; {
		case c < 0x20:
			return "", false
		case c == '"':
			return "", false // a quote ends the string early: more follows
		case c == '\\':
			esc = true
			i++ // the escaped byte, read below
		}
	}
	if len(lit) > 0 && trailingBackslashes(lit)%2 == 1 {
		return "", false // the last quote is escaped: the string never ends
	}
	if !utf8.Valid(lit) {
		return "", false
	}
	if !esc {
		return string(lit), true
	}
	var b strings.Builder
	b.Grow(len(lit))
	for i := 0; i < len(lit); i++ {
		c := lit[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i++; i == len(lit) {
			return "", false
		}
		switch lit[i] {
		case '"', '\\', '/':
			b.WriteByte(lit[i])
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		default: // \u and anything invalid: encoding/json's rules
			return "", false
		}
	}
	return b.String(), true
}

// trailingBackslashes counts the backslashes that end b.
func trailingBackslashes(b []byte) int {
	n := 0
	for n < len(b) && b[len(b)-1-n] == '\\' {
		n++
	}
	return n
}
