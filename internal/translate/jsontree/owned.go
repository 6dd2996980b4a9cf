package jsontree

import (
	"bytes"
	"unsafe"

	"kirodesk/internal/jsonw"
)

// A body handed over (ParseOptions.InPlace) is parsed in place: a long
// string with escapes (most of a coding agent's request: prompts and tool
// results carry newlines and quotes) is unquoted into its own bytes in the
// body instead of into a copy, so a request costs its body once rather
// than twice. The server owns each body it reads and parses it once, and
// says so; every other parse leaves the body as it was.
//
// Two things read the body's bytes after the parse, and both still see
// the original document:
//   - Compact of a value whose bytes changed (Value.edited, set on the
//     string and every value around it) writes the value out again from
//     the tree: the same JSON value, with the escapes this package writes.
//   - Doc.Position counts lines and columns as they were: the parse
//     returns the spans it rewrote (edits) in the Doc, which leaves their
//     newlines out. Nothing is remembered anywhere else: the Doc and the
//     tree are all there is of a parse, and go when their request goes.

// edit is one string rewritten in place: its literal's span, and how many
// newline bytes its unquoted text (which Position must not count) has.
type edit struct{ off, end, newlines int }

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
// own first bytes and returns the unquoted length. Writing never overtakes
// reading: no escape is shorter than what it stands for.
func unquoteInto(lit []byte) int {
	w := bytes.IndexByte(lit, '\\')
	if w < 0 {
		return len(lit)
	}
	out, _ := appendUnquoted(lit[:w], lit[w:]) // the scan checked the escapes
	return len(out)
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
		return jsonw.AppendString(dst, v.Str)
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
		dst = jsonw.AppendString(dst, k)
		dst = append(dst, ':')
		dst = appendValue(dst, v.Vals[i])
	}
	return append(dst, '}')
}
