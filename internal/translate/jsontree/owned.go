package jsontree

import (
	"bytes"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// A body handed over with Own is parsed in place: a long string with
// escapes (most of a coding agent's request: prompts and tool results
// carry newlines and quotes) is unquoted into its own bytes in the body
// instead of into a copy, so a request costs its body once rather than
// twice. The server owns each body it reads and parses it once; everyone
// else's Parse leaves the body as it was.
//
// Two things read the body's bytes after the parse, and both still see
// the original document:
//   - Compact of a value whose bytes changed (Value.edited, set on the
//     string and every value around it) writes the value out again from
//     the tree: the same JSON value, with the escapes this package writes.
//   - Position counts lines and columns as they were: the spans rewritten
//     in a body are remembered (bodies, below) and their newlines left out.

// owned remembers, per body (by address and length, so that it holds no
// body in memory), that it was handed over (Own), and then the spans its
// parse rewrote, until the owner is done with the parse (Forget). It is
// bounded: a body forgotten early is parsed as anyone's, and a forgotten
// edit log costs an error message its exact line (the byte offset stays
// exact); with entries living from a request's body read to the end of
// its translation, the bound is far above the bodies in flight.
var owned = struct {
	sync.Mutex
	m map[uintptr]*bodyState
}{m: map[uintptr]*bodyState{}}

const maxOwned = 1024

type bodyState struct {
	n     int    // the body's length
	edits []edit // rewritten string spans, in body order; nil until parsed
}

// edit is one string rewritten in place: its literal's span, and how many
// newline bytes its unquoted text (which Position must not count) has.
type edit struct{ off, end, newlines int }

func bodyKey(body []byte) uintptr {
	if len(body) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(unsafe.SliceData(body)))
}

// Own hands body over to this package: its next Parse may rewrite it.
// The caller must not read or change body afterwards except through the
// parsed tree (and Position and Compact).
func Own(body []byte) {
	k := bodyKey(body)
	if k == 0 {
		return
	}
	owned.Lock()
	defer owned.Unlock()
	if len(owned.m) >= maxOwned {
		clear(owned.m)
	}
	owned.m[k] = &bodyState{n: len(body)}
}

// Forget drops what was remembered of body (Own, and the spans its parse
// rewrote): its owner has read what it needed from the parse, error
// messages included.
func Forget(body []byte) {
	if k := bodyKey(body); k != 0 {
		owned.Lock()
		delete(owned.m, k)
		owned.Unlock()
	}
}

// takeOwned reports whether body was handed over and not parsed since.
// Any parse of a body forgets what was known of it (an address can be
// reused by a later body once the earlier one is gone).
func takeOwned(body []byte) bool {
	k := bodyKey(body)
	if k == 0 {
		return false
	}
	owned.Lock()
	defer owned.Unlock()
	st, ok := owned.m[k]
	if !ok {
		return false
	}
	delete(owned.m, k)
	return st.n == len(body) && st.edits == nil
}

// recordEdits remembers the spans a parse rewrote, for Position.
func recordEdits(body []byte, edits []edit) {
	owned.Lock()
	defer owned.Unlock()
	if len(owned.m) >= maxOwned {
		clear(owned.m)
	}
	owned.m[bodyKey(body)] = &bodyState{n: len(body), edits: edits}
}

// editsOf returns the spans rewritten in body, if any.
func editsOf(body []byte) []edit {
	k := bodyKey(body)
	if k == 0 {
		return nil
	}
	owned.Lock()
	defer owned.Unlock()
	if st, ok := owned.m[k]; ok && st.n == len(body) {
		return st.edits
	}
	return nil
}

// pending is a long escaped string value found by the scan, to be
// unquoted in place once the whole body has proved valid (the slow parser
// must see the original if it does not).
func (s *scanner) unquoteInPlace() []edit {
	edits := make([]edit, 0, len(s.pending))
	for _, v := range s.pending {
		lit := s.b[v.Off+1 : v.End-1]
		n := unquoteInto(lit)
		text := lit[:n]
		if n > 0 {
			v.Str = unsafe.String(&text[0], n)
		}
		edits = append(edits, edit{off: v.Off, end: v.End, newlines: bytes.Count(text, []byte{'\n'})})
	}
	return edits
}

// validEscapes reports whether every escape in the string literal's
// contents lit is one JSON allows (the scan checked everything else).
func validEscapes(lit []byte) bool {
	for i := 0; i < len(lit); i++ {
		if lit[i] != '\\' {
			continue
		}
		if i+1 >= len(lit) {
			return false
		}
		switch lit[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i++
		case 'u':
			if hex4(lit, i+2) < 0 {
				return false
			}
			i += 5
		default:
			return false
		}
	}
	return true
}

// unquoteInto unquotes the contents of a valid string literal into its
// own first bytes and returns the unquoted length, with encoding/json's
// results (an unpaired surrogate becomes U+FFFD). Writing never overtakes
// reading: no escape is shorter than what it stands for.
func unquoteInto(lit []byte) int {
	w := bytes.IndexByte(lit, '\\')
	if w < 0 {
		return len(lit)
	}
	var u [utf8.UTFMax]byte
	for r := w; r < len(lit); {
		if lit[r] != '\\' {
			j := bytes.IndexByte(lit[r:], '\\')
			if j < 0 {
				j = len(lit) - r
			}
			w += copy(lit[w:], lit[r:r+j])
			r += j
			continue
		}
		c := lit[r+1]
		switch c {
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
			r += 6
			if utf16.IsSurrogate(ru) {
				if r+1 < len(lit) && lit[r] == '\\' && lit[r+1] == 'u' {
					if d := utf16.DecodeRune(ru, hex4(lit, r+2)); d != utf8.RuneError {
						w += copy(lit[w:], u[:utf8.EncodeRune(u[:], d)])
						r += 6
						continue
					}
				}
				ru = utf8.RuneError
			}
			w += copy(lit[w:], u[:utf8.EncodeRune(u[:], ru)])
			continue
		}
		lit[w] = c // '"', '\\' and '/' stand for themselves
		w++
		r += 2
	}
	return w
}

// appendValue writes v out as compact JSON from the tree (Compact of a
// value whose bytes were rewritten).
func appendValue(dst []byte, v *Value) []byte {
	switch v.Kind {
	case Null:
		return append(dst, "null"...)
	case Bool:
		if v.B {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case Number:
		return append(dst, v.Num...)
	case String:
		return appendQuoted(dst, v.Str)
	case Array:
		dst = append(dst, '[')
		for i, e := range v.Elems {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValue(dst, e)
		}
		return append(dst, ']')
	}
	dst = append(dst, '{')
	for i, k := range v.Keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendQuoted(dst, k)
		dst = append(dst, ':')
		dst = appendValue(dst, v.Vals[i])
	}
	return append(dst, '}')
}

// appendQuoted writes s as a JSON string: quotes, backslashes and control
// bytes escaped, everything else (valid UTF-8: Parse checked) as it is.
func appendQuoted(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
