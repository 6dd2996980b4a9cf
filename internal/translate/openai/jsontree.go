package openai

// This file is a deliberate copy of the Anthropic translator's strict tree
// parser (internal/translate/anthropic/jsontree.go): the two client API
// directions are kept independent so that either can change its parsing
// without reviewing the other. It is built on encoding/json's tokenizer with
// UseNumber, keeps byte spans for positioned errors, and rejects invalid
// UTF-8, nesting deeper than maxDepth and trailing data.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDepth bounds object/array nesting in a request body. Real requests
// (tool schemas included) stay far below it; a deeper body is an attack or a
// bug, and refusing it keeps every later walk of the tree cheap.
const maxDepth = 64

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

// value is one node of a parsed request body. It keeps its byte span so that
// errors can point at it and raw sub-documents (tool inputs, schemas) can be
// sliced out of the body unchanged.
type value struct {
	kind     jsonKind
	off, end int // byte span in the body
	b        bool
	num      json.Number
	str      string
	elems    []*value // jsonArray
	keys     []string // jsonObject, in document order
	vals     []*value // jsonObject, parallel to keys
}

// get returns the member named key, or nil. A duplicated key resolves to its
// last occurrence, as encoding/json does.
func (v *value) get(key string) *value {
	for i := len(v.keys) - 1; i >= 0; i-- {
		if v.keys[i] == key {
			return v.vals[i]
		}
	}
	return nil
}

// present reports whether v is set to something other than null.
func present(v *value) bool { return v != nil && v.kind != jsonNull }

func (v *value) describe() string {
	switch v.kind {
	case jsonNull:
		return "null"
	case jsonBool:
		return "a boolean"
	case jsonNumber:
		return "a number"
	case jsonString:
		return "a string"
	case jsonArray:
		return "an array"
	default:
		return "an object"
	}
}

// int returns v as an integer if it is a JSON number with no fractional part.
func (v *value) int() (int64, bool) {
	if v.kind != jsonNumber {
		return 0, false
	}
	if n, err := v.num.Int64(); err == nil {
		return n, true
	}
	f, err := v.num.Float64()
	if err != nil || f != math.Trunc(f) || f >= math.MaxInt64 || f < math.MinInt64 {
		return 0, false
	}
	return int64(f), true
}

type treeParser struct {
	body []byte
	dec  *json.Decoder
}

// parseTree parses body as exactly one JSON value, rejecting invalid UTF-8,
// nesting beyond maxDepth and trailing data.
func parseTree(body []byte) (*value, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &RequestError{Message: "request body is empty; expected a JSON object"}
	}
	if i := invalidUTF8(body); i >= 0 {
		return nil, &RequestError{Message: fmt.Sprintf("request body is not valid UTF-8 at %s", position(body, i))}
	}
	p := &treeParser{body: body, dec: json.NewDecoder(bytes.NewReader(body))}
	p.dec.UseNumber()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	off := p.dec.InputOffset()
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, &RequestError{Message: fmt.Sprintf("invalid JSON at %s: unexpected data after the top-level value", position(body, p.skipSpace(int(off))))}
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
		return &RequestError{Message: fmt.Sprintf("invalid JSON at %s: %s", position(p.body, off), se.Error())}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &RequestError{Message: fmt.Sprintf("invalid JSON at %s: unexpected end of input", position(p.body, len(p.body)))}
	default:
		return &RequestError{Message: "invalid JSON: " + err.Error()}
	}
}

func (p *treeParser) value(depth int) (*value, error) {
	start := p.skipSpace(int(p.dec.InputOffset()))
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntaxError(err)
	}
	v := &value{off: start}
	switch t := tok.(type) {
	case json.Delim:
		if depth+1 > maxDepth {
			return nil, &RequestError{Message: fmt.Sprintf("request body nests deeper than %d levels at %s", maxDepth, position(p.body, start))}
		}
		switch t {
		case '{':
			v.kind = jsonObject
			for p.dec.More() {
				ktok, err := p.dec.Token()
				if err != nil {
					return nil, p.syntaxError(err)
				}
				key, ok := ktok.(string)
				if !ok { // the tokenizer only yields strings here; be safe anyway
					return nil, &RequestError{Message: fmt.Sprintf("invalid JSON at %s: object key is not a string", position(p.body, start))}
				}
				child, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				v.keys = append(v.keys, key)
				v.vals = append(v.vals, child)
			}
		case '[':
			v.kind = jsonArray
			for p.dec.More() {
				child, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				v.elems = append(v.elems, child)
			}
		default:
			return nil, &RequestError{Message: fmt.Sprintf("invalid JSON at %s: unexpected %q", position(p.body, start), rune(t))}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, p.syntaxError(err)
		}
	case string:
		v.kind, v.str = jsonString, t
	case json.Number:
		v.kind, v.num = jsonNumber, t
	case bool:
		v.kind, v.b = jsonBool, t
	case nil:
		v.kind = jsonNull
	}
	v.end = int(p.dec.InputOffset())
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

// position renders a byte offset as "line L, column C (byte N)", lines and
// columns counted from 1 and columns in bytes.
func position(body []byte, off int) string {
	if off > len(body) {
		off = len(body)
	}
	line := 1 + bytes.Count(body[:off], []byte{'\n'})
	col := off + 1
	if i := bytes.LastIndexByte(body[:off], '\n'); i >= 0 {
		col = off - i
	}
	return fmt.Sprintf("line %d, column %d (byte %d)", line, col, off)
}
