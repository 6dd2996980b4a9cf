package jsontree

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"

	"kirodesk/internal/jsonw"
)

// scanner is Parse's fast path: one pass over the body, no reflection, no
// token interface values, tree nodes allocated in blocks. It builds the
// same tree the encoding/json based parser (treeParser) builds for every
// body that parser accepts; on anything it does not accept, or is unsure
// of, it gives up and Parse runs treeParser, whose error messages (the
// position and wording clients see) stay exactly as they were. So the
// scanner only has to be right about valid JSON, which
// TestScannerMatchesDecoder and FuzzScannerMatchesDecoder check.
//
// A 500 KB coding-agent request took about 30 µs per KB through
// json.Decoder.Token (an interface value and often an allocation per
// token); this pass is several times faster.
type scanner struct {
	b    []byte
	i    int
	slab []Value
	next int // size of the next block

	// The members of the objects and arrays being read, innermost last;
	// each gets its exact-size slices carved from a block once complete,
	// instead of growing a slice of its own by doubling.
	keys  []string
	vals  []*Value
	kslab []string
	vslab []*Value

	// inPlace: the body was handed over (ParseOptions.InPlace). A long
	// string value with escapes is then only checked (deferOK, deferred)
	// and listed in pending, to be unquoted into the body once all of it
	// proved valid.
	inPlace, deferOK, deferred bool
	pending                    []*Value
}

// scan parses b, or returns ok false when b is not plain valid JSON of
// bounded depth (the caller then parses it the slow way for the error).
func scan(b []byte) (v *Value, ok bool) {
	v, _, ok = scanBody(b, false)
	return v, ok
}

// scanBody is scan, in place when inPlace (owned.go): it then returns the
// spans it rewrote, in body order.
func scanBody(b []byte, inPlace bool) (v *Value, edits []edit, ok bool) {
	s := &scanner{b: b, inPlace: inPlace}
	s.space()
	v, ok = s.value(0)
	if !ok {
		return nil, nil, false
	}
	s.space()
	if s.i != len(s.b) {
		return nil, nil, false
	}
	if len(s.pending) > 0 {
		edits = s.unquoteInPlace()
	}
	return v, edits, true
}

// node returns a fresh Value from the current block. Blocks start small
// (a "hello" request has a dozen values) and double up to 256 values.
func (s *scanner) node() *Value {
	if len(s.slab) == 0 {
		s.next = min(max(2*s.next, 16), 256)
		s.slab = make([]Value, s.next)
	}
	v := &s.slab[0]
	s.slab = s.slab[1:]
	return v
}

// carve returns a copy of items in a slice of exactly their length, cut
// from the current block *slab (keys and values have a block each); a new
// block holds four times the values of the current node block.
func carve[T any](slab *[]T, items []T, next int) []T {
	n := len(items)
	if n > len(*slab) {
		*slab = make([]T, max(n, 4*next))
	}
	out := (*slab)[:n:n]
	*slab = (*slab)[n:]
	copy(out, items)
	return out
}

// container reads the object or array whose opening byte is at s.i into
// v: its members go onto the stacks while they are read, then into v's
// exact-size slices. ok is false past MaxDepth or on anything invalid.
func (s *scanner) container(v *Value, depth int) (ok bool) {
	if depth+1 > MaxDepth {
		return false
	}
	kind, closing := Array, byte(']')
	if s.b[s.i] == '{' {
		kind, closing = Object, '}'
	}
	v.Kind = kind
	s.i++
	s.space()
	if s.i < len(s.b) && s.b[s.i] == closing {
		s.i++
		return true
	}
	km, vm := len(s.keys), len(s.vals)
	for done := false; !done; {
		var key string
		if kind == Object {
			if key, ok = s.key(); !ok {
				return false
			}
		}
		child, ok := s.value(depth + 1)
		if !ok {
			return false
		}
		v.edited = v.edited || child.edited
		// A key is pushed after its value, so that the stack holds no key
		// while the value's own members are read.
		if kind == Object {
			s.keys = append(s.keys, key)
		}
		s.vals = append(s.vals, child)
		if done, ok = s.member(closing); !ok {
			return false
		}
	}
	members := carve(&s.vslab, s.vals[vm:], s.next)
	clear(s.vals[vm:]) // the blocks keep them; the stack need not
	s.vals = s.vals[:vm]
	if kind == Array {
		v.Elems = members
		return true
	}
	v.Keys, v.Vals = carve(&s.kslab, s.keys[km:], s.next), members
	clear(s.keys[km:])
	s.keys = s.keys[:km]
	return true
}

// key reads an object member's key and the colon after it.
func (s *scanner) key() (string, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return "", false
	}
	key, ok := s.str()
	if !ok {
		return "", false
	}
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != ':' {
		return "", false
	}
	s.i++
	s.space()
	return key, true
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) value(depth int) (*Value, bool) {
	if s.i >= len(s.b) {
		return nil, false
	}
	v := s.node()
	v.Off = s.i
	switch c := s.b[s.i]; {
	case c == '{' || c == '[':
		if !s.container(v, depth) {
			return nil, false
		}
	case c == '"':
		s.deferOK = s.inPlace // values only: keys are short, and copied
		str, ok := s.str()
		s.deferOK = false
		if !ok {
			return nil, false
		}
		v.Kind, v.Str = String, str
		if s.deferred {
			s.deferred, v.edited = false, true
			s.pending = append(s.pending, v)
		}
	case c == 't':
		if !s.literal("true") {
			return nil, false
		}
		v.Kind, v.B = Bool, true
	case c == 'f':
		if !s.literal("false") {
			return nil, false
		}
		v.Kind = Bool
	case c == 'n':
		if !s.literal("null") {
			return nil, false
		}
		v.Kind = Null
	case c == '-' || (c >= '0' && c <= '9'):
		if !s.number() {
			return nil, false
		}
		v.Kind, v.Num = Number, json.Number(s.b[v.Off:s.i])
	default:
		return nil, false
	}
	v.End = s.i
	return v, true
}

func (s *scanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}

// number accepts JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() bool {
	b, i := s.b, s.i
	// digits moves i past a run of digits and says how many there were.
	digits := func() int {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	s.i = i
	return true
}

// str reads the string starting at the opening quote and returns it
// unquoted as encoding/json unquotes it (an unpaired surrogate escape
// becomes U+FFFD). The body is valid UTF-8 (Parse checked).
func (s *scanner) str() (string, bool) {
	b := s.b
	start := s.i + 1
	i := start
	for i < len(b) {
		// Eight bytes at a time up to a quote, a backslash or a
		// control byte: most of a request is long plain text.
		for i+8 <= len(b) {
			if m := jsonw.StringEnd(binary.LittleEndian.Uint64(b[i:])); m != 0 {
				i += bits.TrailingZeros64(m) / 8 // the first byte that ends the run
				break
			}
			i += 8
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		if c == '"' {
			s.i = i + 1
			return text(b[start:i]), true
		}
		if c == '\\' {
			return s.escaped(start, i)
		}
		if c < 0x20 {
			return "", false
		}
		i++
	}
	return "", false
}

// escaped finishes str for a string with escapes, the first at esc. It
// finds the closing quote first, so the unquoted text (never longer than
// the quoted) is written once into a buffer of the right size.
func (s *scanner) escaped(start, esc int) (string, bool) {
	b := s.b
	end := esc
	for end < len(b) && b[end] != '"' {
		switch {
		case b[end] < 0x20:
			return "", false
		case b[end] == '\\':
			end++
		}
		end++
	}
	if end >= len(b) {
		return "", false
	}
	if s.deferOK && end-start >= viewMin {
		if !validEscapes(b[start:end]) {
			return "", false
		}
		s.deferred = true // unquoted in place once the whole body is valid
		s.i = end + 1
		return "", true
	}
	text, ok := unquoteText(b[start:end], esc-start)
	if !ok {
		return "", false
	}
	s.i = end + 1
	return text, true
}

// hex4 reads four hex digits at b[i:], or returns -1.
func hex4(b []byte, i int) rune {
	if i+4 > len(b) {
		return -1
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// member reads what follows a member of an object or an array: its closing
// byte (done) or a comma and the space after it; anything else is not JSON.
func (s *scanner) member(close byte) (done, ok bool) {
	s.space()
	if s.i >= len(s.b) {
		return false, false
	}
	switch s.b[s.i] {
	case close:
		s.i++
		return true, true
	case ',':
		s.i++
		s.space()
		return false, true
	}
	return false, false
}
