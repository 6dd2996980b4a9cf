package openai

import (
	"encoding/json"
	"fmt"
	"strconv"

	"kirodesk/internal/translate/jsontree"
)

// RequestError is a client mistake in a request body. Message names the
// field (for example "messages[3].content[1].image_url.url: ...") and, for
// malformed JSON or a value of the wrong type, the position. Param is the
// field path alone ("messages[3].content[1].image_url.url"), empty when the
// body as a whole is at fault; the server answers the error as a 400 with
// {"error":{"message":Message,"type":"invalid_request_error","param":Param}}.
type RequestError struct {
	Message string
	Param   string
}

func (e *RequestError) Error() string { return e.Message }

// fieldPath is a location in the request, written as clients read it:
// messages[3].content[1].image_url.
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
	return &RequestError{Message: string(p) + ": " + fmt.Sprintf(format, args...), Param: string(p)}
}

// typeErr reports a value of the wrong JSON type, with its position.
func (d *doc) typeErr(p fieldPath, v *value, want string) error {
	return &RequestError{
		Message: fmt.Sprintf("%s: expected %s, got %s (at %s)", p, want, v.Describe(), position(d.body, v.Off)),
		Param:   string(p),
	}
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

// nonEmptyString returns the required, non-empty string member key of obj.
func (d *doc) nonEmptyString(obj *value, p fieldPath, key string) (string, error) {
	s, err := d.reqString(obj, p, key)
	if err == nil && s == "" {
		err = d.errf(p.key(key), "must not be empty")
	}
	return s, err
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

// optNumber checks that the optional member key of obj is a number in [lo, hi].
func (d *doc) optNumber(obj *value, p fieldPath, key string, lo, hi float64) error {
	v := obj.Get(key)
	if !present(v) {
		return nil
	}
	if v.Kind != jsonNumber {
		return d.typeErr(p.key(key), v, "a number")
	}
	f, err := v.Num.Float64()
	if err != nil || f < lo || f > hi {
		return d.errf(p.key(key), "must be between %g and %g, got %s", lo, hi, v.Num)
	}
	return nil
}

// optInt returns the optional integer member key of obj and whether it was set.
func (d *doc) optInt(obj *value, p fieldPath, key string) (int64, bool, error) {
	v := obj.Get(key)
	if !present(v) {
		return 0, false, nil
	}
	n, ok := v.Int()
	if !ok {
		return 0, false, d.typeErr(p.key(key), v, "an integer")
	}
	return n, true, nil
}

// compactRaw returns v's bytes, compacted.
func (d *doc) compactRaw(v *value) json.RawMessage {
	return json.RawMessage(jsontree.Compact(d.body, v))
}
