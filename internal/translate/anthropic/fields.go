package anthropic

import (
	"encoding/json"
	"fmt"
	"strconv"

	"kirodesk/internal/translate/jsontree"
)

// RequestError is a client mistake in a request body. Message names the
// field (for example "messages[3].content[1].source.media_type: ...") and,
// for malformed JSON or a value of the wrong type, the position. The server
// answers it as a 400 invalid_request_error with Message as the text.
type RequestError struct {
	Message string
}

func (e *RequestError) Error() string { return e.Message }

// fieldPath is a location in the request, written as clients read it:
// messages[3].content[1].source.
type fieldPath string

func (p fieldPath) key(k string) fieldPath {
	if p == "" {
		return fieldPath(k)
	}
	return p + "." + fieldPath(k)
}

func (p fieldPath) idx(i int) fieldPath { return p + "[" + fieldPath(strconv.Itoa(i)) + "]" }

// doc carries the body so that errors can quote positions.
type doc struct {
	body []byte
}

func (d *doc) errf(p fieldPath, format string, args ...any) error {
	return &RequestError{Message: string(p) + ": " + fmt.Sprintf(format, args...)}
}

// typeErr reports a value of the wrong JSON type, with its position.
func (d *doc) typeErr(p fieldPath, v *value, want string) error {
	return &RequestError{Message: fmt.Sprintf("%s: expected %s, got %s (at %s)", p, want, v.Describe(), position(d.body, v.Off))}
}

func (d *doc) required(p fieldPath) error { return d.errf(p, "field required") }

// object checks that v is an object.
func (d *doc) object(v *value, p fieldPath) error {
	if v.Kind != jsonObject {
		return d.typeErr(p, v, "an object")
	}
	return nil
}

// reqString returns the required string member key of obj.
func (d *doc) reqString(obj *value, p fieldPath, key string) (string, error) {
	v := obj.Get(key)
	if !present(v) {
		return "", d.required(p.key(key))
	}
	if v.Kind != jsonString {
		return "", d.typeErr(p.key(key), v, "a string")
	}
	return v.Str, nil
}

// optString returns the optional string member key of obj; null counts as absent.
func (d *doc) optString(obj *value, p fieldPath, key string) (string, error) {
	v := obj.Get(key)
	if !present(v) {
		return "", nil
	}
	if v.Kind != jsonString {
		return "", d.typeErr(p.key(key), v, "a string")
	}
	return v.Str, nil
}

// optBool returns the optional boolean member key of obj; null counts as false.
func (d *doc) optBool(obj *value, p fieldPath, key string) (bool, error) {
	v := obj.Get(key)
	if !present(v) {
		return false, nil
	}
	if v.Kind != jsonBool {
		return false, d.typeErr(p.key(key), v, "a boolean")
	}
	return v.B, nil
}

// integer returns v as an integer.
func (d *doc) integer(v *value, p fieldPath) (int64, error) {
	n, ok := v.Int()
	if !ok {
		return 0, d.typeErr(p, v, "an integer")
	}
	return n, nil
}

// rawObject returns v's bytes, compacted, after checking it is an object.
func (d *doc) rawObject(v *value, p fieldPath) (json.RawMessage, error) {
	if err := d.object(v, p); err != nil {
		return nil, err
	}
	return json.RawMessage(jsontree.Compact(d.body, v)), nil
}
