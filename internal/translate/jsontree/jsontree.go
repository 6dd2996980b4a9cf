// Package jsontree parses a client's request body into a tree that keeps
// each value's byte span, so translators can name the position of an error
// and slice raw sub-documents (tool inputs, schemas) out unchanged. It is
// strict: invalid UTF-8, nesting beyond MaxDepth and trailing data are
// errors. Both client-API translators use it.
//
// It keeps no state between calls. A caller that owns the body says so on
// the call (ParseDoc with ParseOptions.InPlace) to have long strings
// unquoted into the body itself (owned.go); what that parse rewrote
// travels with its result, in the Doc.
package jsontree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"kirodesk/internal/jsonw"
)

// MaxDepth bounds object/array nesting in a request body. Real requests
// (tool schemas included) stay far below it; a deeper body is an attack or a
// bug, and refusing it keeps every later walk of the tree cheap.
const MaxDepth = 64

// Kind is a JSON value type.
type Kind uint8

const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

// Value is one node of a parsed request body. It keeps its byte span so that
// errors can point at it and raw sub-documents (tool inputs, schemas) can be
// sliced out of the body unchanged.
//
// Long strings are the body's own bytes, not copies (view.go): the body
// must not change while the tree or strings taken from it are in use.
type Value struct {
	Kind Kind
	B    bool
	// edited: this value's bytes in the body were rewritten (owned.go).
	// Beside Kind and B it takes no room of its own.
	edited   bool
	Off, End int // byte span in the body
	Num      json.Number
	Str      string
	Elems    []*Value // Array
	Keys     []string // Object, in document order
	Vals     []*Value // Object, parallel to Keys
}

// Error is a body that is not acceptable JSON; Message says where and why.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

// Get returns the member named key, or nil. A duplicated key resolves to its
// last occurrence, as encoding/json does.
func (v *Value) Get(key string) *Value {
	for i := len(v.Keys) - 1; i >= 0; i-- {
		if v.Keys[i] == key {
			return v.Vals[i]
		}
	}
	return nil
}

// Present reports whether v is set to something other than null.
func Present(v *Value) bool { return v != nil && v.Kind != Null }

// Describe names v's type for error messages ("a string").
func (v *Value) Describe() string {
	switch v.Kind {
	case Null:
		return "null"
	case Bool:
		return "a boolean"
	case Number:
		return "a number"
	case String:
		return "a string"
	case Array:
		return "an array"
	default:
		return "an object"
	}
}

// Int returns v as an integer if it is a JSON number with no fractional part.
func (v *Value) Int() (int64, bool) {
	if v.Kind != Number {
		return 0, false
	}
	if n, err := v.Num.Int64(); err == nil {
		return n, true
	}
	f, err := v.Num.Float64()
	if err != nil || f != math.Trunc(f) || f >= math.MaxInt64 || f < math.MinInt64 {
		return 0, false
	}
	return int64(f), true
}

type treeParser struct {
	body []byte
	dec  *json.Decoder
}

// Parse parses body as exactly one JSON value, rejecting invalid UTF-8,
// nesting beyond MaxDepth and trailing data. The tree's long strings
// share body's memory (view.go), so body must not be changed afterwards.
// Body itself is left as it was; ParseDoc with InPlace may rewrite it.
func Parse(body []byte) (*Value, error) {
	v, _, err := parse(body, false)
	return v, err
}

// ParseOptions say what a parse may do with the body.
type ParseOptions struct {
	// InPlace: the caller owns the body and hands it over. Long strings
	// with escapes are then unquoted into the body's own bytes instead of
	// into copies (owned.go), so a request costs its size once rather
	// than twice. The caller must not read or change the body afterwards
	// except through the tree and the Doc (Position, Compact).
	InPlace bool
}

// ParseDoc parses body as Parse does, under opts, and returns the tree
// with the Doc that reads it: the Doc knows the spans an in-place parse
// rewrote, so that its Position still names the line and column the
// client sent. Errors are *Error; the body is rewritten only when the
// whole of it proved valid.
func ParseDoc(body []byte, opts ParseOptions) (Doc, *Value, error) {
	v, edits, err := parse(body, opts.InPlace)
	if err != nil {
		return Doc{}, nil, err
	}
	return Doc{Body: body, edits: edits}, v, nil
}

// parse is Parse, in place when inPlace: it returns the spans it rewrote.
func parse(body []byte, inPlace bool) (*Value, []edit, error) {
	if err := precheck(body); err != nil {
		return nil, nil, err
	}
	if v, edits, ok := scanBody(body, inPlace); ok {
		return v, edits, nil
	}
	v, err := parseSlow(body)
	return v, nil, err
}

// precheck refuses an empty body and invalid UTF-8.
func precheck(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &Error{Message: "request body is empty; expected a JSON object"}
	}
	if i := invalidUTF8(body); i >= 0 {
		return &Error{Message: fmt.Sprintf("request body is not valid UTF-8 at %s", Position(body, i))}
	}
	return nil
}

// parseSlow parses a prechecked body with encoding/json's tokenizer: the
// reference parser, and the one whose errors clients see (scan.go).
func parseSlow(body []byte) (*Value, error) {
	p := &treeParser{body: body, dec: json.NewDecoder(bytes.NewReader(body))}
	p.dec.UseNumber()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	off := p.dec.InputOffset()
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, &Error{Message: fmt.Sprintf("invalid JSON at %s: unexpected data after the top-level value", Position(body, p.skipSpace(int(off))))}
	}
	return v, nil
}

func (p *treeParser) skipSpace(i int) int {
	for i < len(p.body) {
		switch p.body[i] {
		case ' ', '\t', '\r', '\n', ':', ',':
			i++
		default:
			return i
		}
	}
	return i
}

func (p *treeParser) syntaxError(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// Depending on which part of encoding/json found the error, Offset
		// is the index of the offending byte or one off either way; the
		// message names the byte, so point at the one it names.
		off := min(int(se.Offset), len(p.body))
		for _, k := range []int{off, off + 1, off - 1} {
			if k >= 0 && k < len(p.body) && strings.HasPrefix(se.Error(), "invalid character "+quoteChar(p.body[k])) {
				off = k
				break
			}
		}
		return &Error{Message: fmt.Sprintf("invalid JSON at %s: %s", Position(p.body, off), se.Error())}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Message: fmt.Sprintf("invalid JSON at %s: unexpected end of input", Position(p.body, len(p.body)))}
	default:
		return &Error{Message: "invalid JSON: " + err.Error()}
	}
}

func (p *treeParser) value(depth int) (*Value, error) {
	start := p.skipSpace(int(p.dec.InputOffset()))
	if start < len(p.body) && p.body[start] == '"' {
		// A string value (keys are read below, with the object): checked
		// by encoding/json, then read from the body once (str.go).
		if err := p.dec.Decode(&validated{}); err != nil {
			return nil, p.syntaxError(err)
		}
		end := int(p.dec.InputOffset())
		return &Value{Kind: String, Off: start, End: end, Str: unquote(p.body[start:end])}, nil
	}
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntaxError(err)
	}
	v := &Value{Off: start}
	switch t := tok.(type) {
	case json.Delim:
		if depth+1 > MaxDepth {
			return nil, &Error{Message: fmt.Sprintf("request body nests deeper than %d levels at %s", MaxDepth, Position(p.body, start))}
		}
		switch t {
		case '{':
			v.Kind = Object
			for p.dec.More() {
				ktok, err := p.dec.Token()
				if err != nil {
					return nil, p.syntaxError(err)
				}
				key, ok := ktok.(string)
				if !ok { // the tokenizer only yields strings here; be safe anyway
					return nil, &Error{Message: fmt.Sprintf("invalid JSON at %s: object key is not a string", Position(p.body, start))}
				}
				child, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				v.Keys = append(v.Keys, key)
				v.Vals = append(v.Vals, child)
			}
		case '[':
			v.Kind = Array
			for p.dec.More() {
				child, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				v.Elems = append(v.Elems, child)
			}
		default:
			return nil, &Error{Message: fmt.Sprintf("invalid JSON at %s: unexpected %q", Position(p.body, start), rune(t))}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, p.syntaxError(err)
		}
	case string:
		v.Kind, v.Str = String, t
	case json.Number:
		v.Kind, v.Num = Number, t
	case bool:
		v.Kind, v.B = Bool, t
	case nil:
		v.Kind = Null
	}
	v.End = int(p.dec.InputOffset())
	return v, nil
}

// quoteChar formats c as encoding/json does in its error messages.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	q := strconv.Quote(string(rune(c)))
	return "'" + q[1:len(q)-1] + "'"
}

// invalidUTF8 returns the offset of the first byte that is not part of a
// valid UTF-8 sequence, or -1. encoding/json would silently replace such bytes
// with U+FFFD; a client sending them has a bug worth hearing about.
func invalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// Position renders a byte offset in a body that was not rewritten as
// "line L, column C (byte N)", lines and columns counted from 1 and
// columns in bytes. For a body parsed in place, use Doc.Position.
func Position(body []byte, off int) string { return position(body, nil, off) }

// position is Position in a body whose spans edits were rewritten by an
// in-place parse: the newlines of the strings unquoted there were not in
// the body the client sent, and are not counted.
func position(body []byte, edits []edit, off int) string {
	if off > len(body) {
		off = len(body)
	}
	line := 1 + bytes.Count(body[:off], []byte{'\n'})
	for _, e := range edits {
		if e.end <= off {
			line -= e.newlines
		}
	}
	col := off + 1
	i := bytes.LastIndexByte(body[:off], '\n')
	for i >= 0 {
		k := sort.Search(len(edits), func(k int) bool { return edits[k].end > i })
		if k == len(edits) || edits[k].off > i {
			break // a newline of the client's
		}
		i = bytes.LastIndexByte(body[:edits[k].off], '\n')
	}
	if i >= 0 {
		col = off - i
	}
	return fmt.Sprintf("line %d, column %d (byte %d)", line, col, off)
}

// Compact returns v's bytes in body with insignificant space removed, as
// json.Compact does. Clients send compact JSON, and then the result is the
// body's own bytes, not a copy (capacity-capped, so an append cannot
// write into the body); a 50 KB set of tool schemas is then not run
// through encoding/json's scanner a second time.
//
// A value whose bytes were rewritten (a body parsed in place, owned.go)
// is written out again from the tree, which marks it (Value.edited).
func Compact(body []byte, v *Value) []byte {
	if v.edited {
		return appendValue(nil, v)
	}
	b := body[v.Off:v.End:v.End]
	if jsonw.IsCompact(b) {
		return b
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b // unreachable: v was parsed from body
	}
	return buf.Bytes()
}
