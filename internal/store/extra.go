package store

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Extra holds the JSON members of an object that this build does not know.
// They are written back unchanged, so a file touched by an older Kirodesk
// keeps what a newer one (or the user) put there.
type Extra map[string]json.RawMessage

// knownNames caches, per struct type, the JSON member names its fields use.
var knownNames sync.Map // reflect.Type -> map[string]bool

func jsonNames(t reflect.Type) map[string]bool {
	if v, ok := knownNames.Load(t); ok {
		return v.(map[string]bool)
	}
	names := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		names[name] = true
	}
	knownNames.Store(t, names)
	return names
}

// decodeKeeping decodes data into v (a pointer to a struct without custom
// JSON methods, usually an alias type) and sets *extra to the members v has
// no field for (nil when there are none, or on error). Matching is exact,
// unlike encoding/json's case-insensitive fallback, which is fine: our own
// files always use the exact names.
func decodeKeeping(data []byte, v any, extra *Extra) error {
	*extra = nil
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	known := jsonNames(reflect.TypeOf(v).Elem())
	for name := range all {
		if known[name] {
			delete(all, name)
		}
	}
	if len(all) > 0 {
		*extra = Extra(all)
	}
	return nil
}

// encodeKeeping encodes v (a struct, usually an alias type) and appends the
// extra members in a stable order.
func encodeKeeping(v any, extra Extra) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	known := jsonNames(reflect.TypeOf(v))
	var buf bytes.Buffer
	buf.Grow(len(b) + 64*len(extra))
	buf.Write(b[:len(b)-1]) // without the closing brace
	first := len(b) == 2    // "{}"
	for _, name := range slices.Sorted(maps.Keys(extra)) {
		if known[name] {
			continue // a known field always wins over a stale extra
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		key, _ := json.Marshal(name)
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(extra[name])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
