package payload

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sync"
)

// emptyObjectSchema is what CleanSchema returns for anything it cannot use.
var emptyObjectSchema = []byte(`{"type":"object","properties":{}}`)

// maxSchemaDepth bounds recursion on hostile input; real tool schemas are a
// few levels deep.
const maxSchemaDepth = 128

// CleanSchema prepares a tool's JSON Schema for Kiro's inputSchema.json.
// Peers disagree on what Kiro rejects (kiro-protocol.md section 3); this is
// the union of their clean-ups that cannot change what the schema accepts
// for a well-behaved model:
//   - "$schema" and "additionalProperties" are dropped,
//   - an empty "required" array is dropped,
//   - a schema with "properties" but no "type" gets "type":"object", and
//     an object schema without "properties" gets "properties":{},
//   - the root always ends up an object schema with "type" and "properties",
//   - it recurses into properties, items, anyOf, oneOf, allOf, not, $defs
//     and definitions (keys inside "properties" are property names, never
//     keywords, so a property called "$schema" survives).
//
// Key order is kept as the client wrote it (the model reads the schema;
// order carries intent). It never fails: input that is not a JSON object,
// or nests deeper than 128 levels, yields {"type":"object","properties":{}}.
func CleanSchema(schema json.RawMessage) json.RawMessage {
	root, err := parseOrdered(schema)
	if err != nil {
		return json.RawMessage(bytes.Clone(emptyObjectSchema))
	}
	obj, ok := root.(*orderedObject)
	if !ok {
		return json.RawMessage(bytes.Clone(emptyObjectSchema))
	}
	cleanNode(obj)
	if _, ok := obj.get("type"); !ok {
		obj.prepend("type", "object")
	}
	objectProperties(obj)
	var buf bytes.Buffer
	writeOrdered(&buf, obj)
	return json.RawMessage(buf.Bytes())
}

// schemaMemo remembers cleaned schemas: a client declares the same tools,
// byte for byte, on every turn of every conversation, and cleaning them is
// a quarter of building a coding agent's request. Bounded: cleared when it
// holds schemaMemoMax schemas or schemaMemoBytes of them (a client has
// dozens, of a few KB each).
var schemaMemo = struct {
	sync.Mutex
	m     map[string]json.RawMessage
	bytes int
}{m: map[string]json.RawMessage{}}

const (
	schemaMemoMax   = 512
	schemaMemoBytes = 8 << 20
)

// cleanSchemaCached is CleanSchema, remembered. The result is shared: it
// must only be read (Build only encodes it).
func cleanSchemaCached(schema json.RawMessage) json.RawMessage {
	schemaMemo.Lock()
	out, ok := schemaMemo.m[string(schema)]
	schemaMemo.Unlock()
	if ok {
		return out
	}
	out = CleanSchema(schema)
	schemaMemo.Lock()
	if len(schemaMemo.m) >= schemaMemoMax || schemaMemo.bytes+len(schema)+len(out) > schemaMemoBytes {
		clear(schemaMemo.m)
		schemaMemo.bytes = 0
	}
	schemaMemo.m[string(schema)] = out
	schemaMemo.bytes += len(schema) + len(out)
	schemaMemo.Unlock()
	return out
}

// objectProperties gives an object schema without "properties" an empty
// one.
func objectProperties(o *orderedObject) {
	if t, _ := o.get("type"); t == "object" {
		if _, ok := o.get("properties"); !ok {
			o.set("properties", &orderedObject{})
		}
	}
}

func cleanNode(o *orderedObject) {
	o.delete("$schema")
	o.delete("additionalProperties")
	if req, ok := o.get("required"); ok {
		if arr, ok := req.([]any); ok && len(arr) == 0 {
			o.delete("required")
		}
	}
	if props, ok := o.get("properties"); ok {
		if p, ok := props.(*orderedObject); ok {
			for _, v := range p.vals {
				cleanValue(v)
			}
		}
		if _, ok := o.get("type"); !ok {
			o.prepend("type", "object")
		}
	}
	objectProperties(o)
	for _, key := range []string{"items", "anyOf", "oneOf", "allOf", "not"} {
		if v, ok := o.get(key); ok {
			cleanValue(v)
		}
	}
	for _, key := range []string{"$defs", "definitions"} {
		if defs, ok := o.get(key); ok {
			if d, ok := defs.(*orderedObject); ok {
				for _, v := range d.vals {
					cleanValue(v)
				}
			}
		}
	}
}

// cleanValue cleans a schema or an array of schemas; anything else (a
// boolean schema, a malformed value) is left as it is.
func cleanValue(v any) {
	switch t := v.(type) {
	case *orderedObject:
		cleanNode(t)
	case []any:
		for _, e := range t {
			if o, ok := e.(*orderedObject); ok {
				cleanNode(o)
			}
		}
	}
}

// orderedObject is a JSON object that remembers key order. Values are
// *orderedObject, []any, string, json.Number, bool or nil.
type orderedObject struct {
	keys []string
	vals []any
}

func (o *orderedObject) index(key string) int {
	for i, k := range o.keys {
		if k == key {
			return i
		}
	}
	return -1
}

func (o *orderedObject) get(key string) (any, bool) {
	if i := o.index(key); i >= 0 {
		return o.vals[i], true
	}
	return nil, false
}

// set replaces an existing key's value in place (so a duplicate key keeps
// its first position and its last value, as encoding/json would) or appends.
func (o *orderedObject) set(key string, v any) {
	if i := o.index(key); i >= 0 {
		o.vals[i] = v
		return
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, v)
}

func (o *orderedObject) prepend(key string, v any) {
	o.keys = append([]string{key}, o.keys...)
	o.vals = append([]any{v}, o.vals...)
}

func (o *orderedObject) delete(key string) {
	if i := o.index(key); i >= 0 {
		o.keys = append(o.keys[:i], o.keys[i+1:]...)
		o.vals = append(o.vals[:i], o.vals[i+1:]...)
	}
}

var errTooDeep = errors.New("schema nests too deep")

func parseOrdered(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after schema")
	}
	return v, nil
}

func parseValue(dec *json.Decoder, depth int) (any, error) {
	if depth > maxSchemaDepth {
		return nil, errTooDeep
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := &orderedObject{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				v, err := parseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				obj.set(key, v)
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, err
			}
			return obj, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := parseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return arr, nil
		default:
			return nil, errors.New("unexpected delimiter")
		}
	default:
		return t, nil // string, json.Number, bool, nil
	}
}

func writeOrdered(buf *bytes.Buffer, v any) {
	switch t := v.(type) {
	case *orderedObject:
		buf.WriteByte('{')
		for i, k := range t.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			writeOrdered(buf, t.vals[i])
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeOrdered(buf, e)
		}
		buf.WriteByte(']')
	case string:
		writeString(buf, t)
	case json.Number:
		buf.WriteString(t.String())
	case bool:
		if t {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	default:
		buf.WriteString("null")
	}
}

// writeString writes s as a JSON string without HTML escaping (schemas are
// not HTML, and \u003c costs five extra bytes per character).
func writeString(buf *bytes.Buffer, s string) {
	if plainASCII(s) {
		buf.WriteByte('"')
		buf.WriteString(s)
		buf.WriteByte('"')
		return
	}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)           // cannot fail for a string
	buf.Truncate(buf.Len() - 1) // Encode appends '\n'
}

// plainASCII reports whether s needs no escaping at all in JSON.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
