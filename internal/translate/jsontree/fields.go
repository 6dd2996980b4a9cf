package jsontree

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// FieldError is a client mistake in a request body, as both client-API
// translators report it (each names it RequestError). Message names the
// field (for example "messages[3].content[1].image_url.url: ...") and, for
// malformed JSON or a value of the wrong type, the position. Param is the
// field path alone ("messages[3].content[1].image_url.url"), empty when the
// body as a whole is at fault; OpenAI routes send it as the error's param,
// Anthropic routes only the Message. The server answers it as a 400
// invalid_request_error.
type FieldError struct {
	Message string
	Param   string
}

func (e *FieldError) Error() string { return e.Message }

// ParseBody parses a request body under opts, reporting bad JSON as a
// *FieldError; the Doc reads the tree's fields.
func ParseBody(body []byte, opts ParseOptions) (Doc, *Value, error) {
	d, v, err := ParseDoc(body, opts)
	var je *Error
	if errors.As(err, &je) {
		return Doc{}, nil, &FieldError{Message: je.Message}
	}
	return d, v, err
}

// ParseObject parses a request body that must be a JSON object.
func ParseObject(body []byte, opts ParseOptions) (Doc, *Value, error) {
	d, v, err := ParseBody(body, opts)
	if err != nil {
		return Doc{}, nil, err
	}
	if v.Kind != Object {
		return Doc{}, nil, &FieldError{Message: "request body: expected a JSON object, got " + v.Describe()}
	}
	return d, v, nil
}

// Path is a location in the request, written as clients read it:
// messages[3].content[1].image_url.
type Path string

// Key is the member k of p.
func (p Path) Key(k string) Path {
	if p == "" {
		return Path(k)
	}
	return p + "." + Path(k)
}

// Idx is the element i of p.
func (p Path) Idx(i int) Path { return p + "[" + Path(strconv.Itoa(i)) + "]" }

// Doc reads the fields of one parsed request body (ParseBody, ParseDoc),
// checking types and reporting each mistake as a *FieldError at its Path
// (with the position, when the type is wrong). It carries what Position
// needs to know of a body parsed in place.
type Doc struct {
	Body  []byte
	edits []edit // the spans an in-place parse rewrote, in body order (owned.go)
}

// Position is Position for d's body, as the client sent it: in a body
// parsed in place, the newlines of the strings unquoted are not counted.
func (d *Doc) Position(off int) string { return position(d.Body, d.edits, off) }

// Errf reports a mistake at p.
func (d *Doc) Errf(p Path, format string, args ...any) error {
	return &FieldError{Message: string(p) + ": " + fmt.Sprintf(format, args...), Param: string(p)}
}

// TypeErr reports a value of the wrong JSON type, with its position.
func (d *Doc) TypeErr(p Path, v *Value, want string) error {
	return &FieldError{
		Message: fmt.Sprintf("%s: expected %s, got %s (at %s)", p, want, v.Describe(), d.Position(v.Off)),
		Param:   string(p),
	}
}

// Required reports a missing field.
func (d *Doc) Required(p Path) error { return d.Errf(p, "field required") }

// Object checks that v is an object.
func (d *Doc) Object(v *Value, p Path) error {
	if v.Kind != Object {
		return d.TypeErr(p, v, "an object")
	}
	return nil
}

// OptObject reports whether v is a present object; absent (or null) is
// false with no error, and anything but an object an error.
func (d *Doc) OptObject(v *Value, p Path) (bool, error) {
	if !Present(v) {
		return false, nil
	}
	if err := d.Object(v, p); err != nil {
		return false, err
	}
	return true, nil
}

// ReqObject returns the required object member key of obj, and its path.
func (d *Doc) ReqObject(obj *Value, p Path, key string) (*Value, Path, error) {
	v, kp, err := d.ReqValue(obj, p, key)
	if err != nil {
		return nil, kp, err
	}
	return v, kp, d.Object(v, kp)
}

// ReqValue returns the required member key of obj, of any kind, and its
// path.
func (d *Doc) ReqValue(obj *Value, p Path, key string) (*Value, Path, error) {
	kp := p.Key(key)
	v := obj.Get(key)
	if !Present(v) {
		return nil, kp, d.Required(kp)
	}
	return v, kp, nil
}

// ReqString returns the required string member key of obj.
func (d *Doc) ReqString(obj *Value, p Path, key string) (string, error) {
	v := obj.Get(key)
	if !Present(v) {
		return "", d.Required(p.Key(key))
	}
	if v.Kind != String {
		return "", d.TypeErr(p.Key(key), v, "a string")
	}
	return v.Str, nil
}

// NonEmptyString returns the required, non-empty string member key of obj.
func (d *Doc) NonEmptyString(obj *Value, p Path, key string) (string, error) {
	s, err := d.ReqString(obj, p, key)
	if err == nil && s == "" {
		err = d.Errf(p.Key(key), "must not be empty")
	}
	return s, err
}

// OptString returns the optional string member key of obj; null counts as absent.
func (d *Doc) OptString(obj *Value, p Path, key string) (string, error) {
	v := obj.Get(key)
	if !Present(v) {
		return "", nil
	}
	if v.Kind != String {
		return "", d.TypeErr(p.Key(key), v, "a string")
	}
	return v.Str, nil
}

// OptBool returns the optional boolean member key of obj; null counts as false.
func (d *Doc) OptBool(obj *Value, p Path, key string) (bool, error) {
	v := obj.Get(key)
	if !Present(v) {
		return false, nil
	}
	if v.Kind != Bool {
		return false, d.TypeErr(p.Key(key), v, "a boolean")
	}
	return v.B, nil
}

// OptNumber checks that the optional member key of obj is a number in [lo, hi].
func (d *Doc) OptNumber(obj *Value, p Path, key string, lo, hi float64) error {
	v := obj.Get(key)
	if !Present(v) {
		return nil
	}
	if v.Kind != Number {
		return d.TypeErr(p.Key(key), v, "a number")
	}
	f, err := v.Num.Float64()
	if err != nil || f < lo || f > hi {
		return d.Errf(p.Key(key), "must be between %g and %g, got %s", lo, hi, v.Num)
	}
	return nil
}

// Integer returns v as an integer.
func (d *Doc) Integer(v *Value, p Path) (int64, error) {
	n, ok := v.Int()
	if !ok {
		return 0, d.TypeErr(p, v, "an integer")
	}
	return n, nil
}

// OptInt returns the optional integer member key of obj and whether it was set.
func (d *Doc) OptInt(obj *Value, p Path, key string) (int64, bool, error) {
	v := obj.Get(key)
	if !Present(v) {
		return 0, false, nil
	}
	n, ok := v.Int()
	if !ok {
		return 0, false, d.TypeErr(p.Key(key), v, "an integer")
	}
	return n, true, nil
}

// OptStringArray checks the optional member key of obj, an array of
// strings; null counts as absent. each, if not nil, vets every string in
// order, with its path.
func (d *Doc) OptStringArray(obj *Value, p Path, key string, each func(Path, string) error) error {
	v := obj.Get(key)
	if !Present(v) {
		return nil
	}
	return d.StringArray(v, p.Key(key), each)
}

// StringArray checks that v is an array of strings, as OptStringArray.
func (d *Doc) StringArray(v *Value, p Path, each func(Path, string) error) error {
	if v.Kind != Array {
		return d.TypeErr(p, v, "an array of strings")
	}
	for i, e := range v.Elems {
		if e.Kind != String {
			return d.TypeErr(p.Idx(i), e, "a string")
		}
		if each != nil {
			if err := each(p.Idx(i), e.Str); err != nil {
				return err
			}
		}
	}
	return nil
}

// Fields reads members of the object obj at p as the Doc's readers do,
// keeping the first error in Err: once a read fails, the later ones return
// zero values and report nothing, so a run of reads needs one check and
// fails as its first failing read would alone.
type Fields struct {
	d   *Doc
	obj *Value
	p   Path
	Err error
}

// Fields starts reading the members of obj at p.
func (d *Doc) Fields(obj *Value, p Path) Fields { return Fields{d: d, obj: obj, p: p} }

// ReqString is Doc.ReqString.
func (f *Fields) ReqString(key string) string { return f.str(key, f.d.ReqString) }

// OptString is Doc.OptString.
func (f *Fields) OptString(key string) string { return f.str(key, f.d.OptString) }

// NonEmptyString is Doc.NonEmptyString.
func (f *Fields) NonEmptyString(key string) string { return f.str(key, f.d.NonEmptyString) }

func (f *Fields) str(key string, read func(*Value, Path, string) (string, error)) string {
	if f.Err != nil {
		return ""
	}
	var s string
	s, f.Err = read(f.obj, f.p, key)
	return s
}

// OptBool is Doc.OptBool.
func (f *Fields) OptBool(key string) bool {
	if f.Err != nil {
		return false
	}
	var b bool
	b, f.Err = f.d.OptBool(f.obj, f.p, key)
	return b
}

// Object reads the required object member key (Doc.ReqObject) and starts
// reading its members; a failure, this one or an earlier one, is the
// returned Fields' Err.
func (f *Fields) Object(key string) Fields {
	o := Fields{d: f.d, Err: f.Err}
	if f.Err == nil {
		o.obj, o.p, o.Err = f.d.ReqObject(f.obj, f.p, key)
		f.Err = o.Err
	}
	return o
}

// Value is the object the Fields read.
func (f *Fields) Value() *Value { return f.obj }

// Path is where the object the Fields read stands.
func (f *Fields) Path() Path { return f.p }

// ReqValue is Doc.ReqValue.
func (f *Fields) ReqValue(key string) (*Value, Path) {
	if f.Err != nil {
		return nil, ""
	}
	var v *Value
	var kp Path
	v, kp, f.Err = f.d.ReqValue(f.obj, f.p, key)
	return v, kp
}

// EachObject walks the array v at p (the caller has checked its kind),
// whose elements must be objects: fn gets each, in order, with its index
// and path. The first error stops the walk.
func (d *Doc) EachObject(v *Value, p Path, fn func(i int, ev *Value, ep Path) error) error {
	for i, ev := range v.Elems {
		ep := p.Idx(i)
		if err := d.Object(ev, ep); err != nil {
			return err
		}
		if err := fn(i, ev, ep); err != nil {
			return err
		}
	}
	return nil
}

// ObjectArray checks that v is an array (want words the error if not, as
// "an array of tools") and walks it as EachObject.
func (d *Doc) ObjectArray(v *Value, p Path, want string, fn func(i int, ev *Value, ep Path) error) error {
	if v.Kind != Array {
		return d.TypeErr(p, v, want)
	}
	return d.EachObject(v, p, fn)
}

// CompactRaw returns v's bytes, compacted.
func (d *Doc) CompactRaw(v *Value) json.RawMessage {
	return json.RawMessage(Compact(d.Body, v))
}

// RawObject returns v's bytes, compacted, after checking it is an object.
func (d *Doc) RawObject(v *Value, p Path) (json.RawMessage, error) {
	if err := d.Object(v, p); err != nil {
		return nil, err
	}
	return d.CompactRaw(v), nil
}
