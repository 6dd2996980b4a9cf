package jsontree

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPathReadsAsClientsWriteIt(t *testing.T) {
	assert.Equal(t, Path("messages[3].content[1].image_url"), Path("").Key("messages").Idx(3).Key("content").Idx(1).Key("image_url"))
}

func TestDocReportsFieldErrorsWithParamAndPosition(t *testing.T) {
	body := []byte(`{"a": 1, "s": "", "n": 2.5, "b": null}`)
	d, root, err := ParseBody(body, ParseOptions{})
	require.NoError(t, err)

	_, err = d.ReqString(root, "x", "a")
	var fe *FieldError
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, "x.a: expected a string, got a number (at line 1, column 7 (byte 6))", fe.Message)
	assert.Equal(t, "x.a", fe.Param)

	_, err = d.NonEmptyString(root, "", "s")
	assert.EqualError(t, err, "s: must not be empty")
	_, err = d.ReqString(root, "", "missing")
	assert.EqualError(t, err, "missing: field required")
	assert.EqualError(t, d.OptNumber(root, "", "a", 2, 3), "a: must be between 2 and 3, got 1")

	ok, err := d.OptBool(root, "", "b")
	assert.NoError(t, err, "null counts as absent")
	assert.False(t, ok)
	_, set, err := d.OptInt(root, "", "n")
	assert.False(t, set)
	assert.ErrorContains(t, err, "n: expected an integer")
	n, set, err := d.OptInt(root, "", "a")
	require.NoError(t, err)
	assert.True(t, set)
	assert.EqualValues(t, 1, n)

	_, err = d.RawObject(root.Get("a"), "a")
	assert.ErrorContains(t, err, "a: expected an object")
	raw, err := d.RawObject(root, "")
	require.NoError(t, err)
	assert.Equal(t, `{"a":1,"s":"","n":2.5,"b":null}`, string(raw))
}

func TestParseBodyReportsBadJSONAsAFieldError(t *testing.T) {
	_, _, err := ParseBody([]byte(`{"a":`), ParseOptions{InPlace: true})
	var fe *FieldError
	require.True(t, errors.As(err, &fe))
	assert.Empty(t, fe.Param)
	assert.Contains(t, fe.Message, "invalid JSON")
}

func TestDocStringArrays(t *testing.T) {
	body := []byte(`{"a": ["x", "y"], "b": "x", "c": ["x", 1], "d": null}`)
	d, root, err := ParseBody(body, ParseOptions{})
	require.NoError(t, err)
	var seen []string
	require.NoError(t, d.OptStringArray(root, "", "a", func(p Path, s string) error {
		seen = append(seen, string(p)+"="+s)
		return nil
	}))
	assert.Equal(t, []string{"a[0]=x", "a[1]=y"}, seen)
	assert.ErrorContains(t, d.OptStringArray(root, "", "b", nil), "b: expected an array of strings")
	assert.ErrorContains(t, d.OptStringArray(root, "", "c", nil), "c[1]: expected a string")
	assert.NoError(t, d.OptStringArray(root, "", "d", nil), "null counts as absent")
	assert.EqualError(t, d.OptStringArray(root, "", "a", func(p Path, s string) error {
		return d.Errf(p, "no %s", s)
	}), "a[0]: no x")
}

func TestDocObjects(t *testing.T) {
	body := []byte(`{"o": {}, "n": null, "s": "x"}`)
	d, root, err := ParseBody(body, ParseOptions{})
	require.NoError(t, err)
	ok, err := d.OptObject(root.Get("o"), "o")
	assert.True(t, ok)
	assert.NoError(t, err)
	ok, err = d.OptObject(root.Get("n"), "n")
	assert.False(t, ok, "null counts as absent")
	assert.NoError(t, err)
	ok, err = d.OptObject(root.Get("s"), "s")
	assert.False(t, ok)
	assert.ErrorContains(t, err, "s: expected an object")

	v, p, err := d.ReqObject(root, "x", "o")
	require.NoError(t, err)
	assert.Same(t, root.Get("o"), v)
	assert.Equal(t, Path("x.o"), p)
	_, _, err = d.ReqObject(root, "x", "missing")
	assert.EqualError(t, err, "x.missing: field required")
	_, _, err = d.ReqObject(root, "", "s")
	assert.ErrorContains(t, err, "s: expected an object")
}

func TestDocObjectArrays(t *testing.T) {
	body := []byte(`{"a": [{"k": 1}, {"k": 2}], "b": {}, "c": [{}, "x", {}]}`)
	d, root, err := ParseBody(body, ParseOptions{})
	require.NoError(t, err)
	var seen []string
	require.NoError(t, d.ObjectArray(root.Get("a"), "a", "an array of things", func(i int, ev *Value, ep Path) error {
		seen = append(seen, string(ep)+"="+string(ev.Get("k").Num))
		assert.Same(t, root.Get("a").Elems[i], ev)
		return nil
	}))
	assert.Equal(t, []string{"a[0]=1", "a[1]=2"}, seen)

	assert.EqualError(t, d.ObjectArray(root.Get("b"), "b", "an array of things", nil),
		"b: expected an array of things, got an object (at line 1, column 34 (byte 33))")

	calls := 0
	err = d.EachObject(root.Get("c"), "c", func(int, *Value, Path) error { calls++; return nil })
	assert.ErrorContains(t, err, "c[1]: expected an object, got a string")
	assert.Equal(t, 1, calls, "the walk stops at the first element that is not an object")

	err = d.EachObject(root.Get("a"), "a", func(i int, _ *Value, ep Path) error { return d.Errf(ep, "no %d", i) })
	assert.EqualError(t, err, "a[0]: no 0", "fn's error stops the walk")
}

func TestFieldsKeepTheFirstError(t *testing.T) {
	body := []byte(`{"s": "x", "e": "", "b": true, "n": 1, "o": {}}`)
	d, root, err := ParseBody(body, ParseOptions{})
	require.NoError(t, err)

	f := d.Fields(root, "r")
	s, e, missing, b := f.ReqString("s"), f.NonEmptyString("s"), f.OptString("missing"), f.OptBool("b")
	v, vp := f.ReqValue("o")
	require.NoError(t, f.Err)
	assert.Equal(t, []any{"x", "x", "", true}, []any{s, e, missing, b})
	assert.Same(t, root.Get("o"), v)
	assert.Equal(t, Path("r.o"), vp)

	f = d.Fields(root, "r")
	s = f.OptString("s")
	e = f.NonEmptyString("e")
	assert.EqualError(t, f.Err, "r.e: must not be empty")
	assert.Equal(t, "x", s)
	assert.Empty(t, f.ReqString("s"), "after an error, reads return zero values")
	assert.False(t, f.OptBool("b"))
	v, vp = f.ReqValue("o")
	assert.Nil(t, v)
	assert.Empty(t, vp)
	f.ReqString("n")
	assert.EqualError(t, f.Err, "r.e: must not be empty", "the first error stays")

	f = d.Fields(root, "r")
	f.OptBool("n")
	assert.ErrorContains(t, f.Err, "r.n: expected a boolean, got a number")
	f = d.Fields(root, "r")
	f.ReqValue("missing")
	assert.EqualError(t, f.Err, "r.missing: field required")
}

func TestFieldsObjectReadsANestedObject(t *testing.T) {
	body := []byte(`{"o": {"name": "n", "e": ""}, "s": "x"}`)
	d, root, err := ParseBody(body, ParseOptions{})
	require.NoError(t, err)

	f := d.Fields(root, "r")
	o := f.Object("o")
	assert.Equal(t, "n", o.NonEmptyString("name"))
	require.NoError(t, o.Err)
	assert.Same(t, root.Get("o"), o.Value())
	assert.Equal(t, Path("r.o"), o.Path())
	o.NonEmptyString("e")
	assert.EqualError(t, o.Err, "r.o.e: must not be empty")
	assert.NoError(t, f.Err, "an error inside the member is the member's")

	f = d.Fields(root, "r")
	o = f.Object("s")
	assert.ErrorContains(t, o.Err, "r.s: expected an object, got a string")
	assert.Equal(t, o.Err, f.Err, "the member's own failure is the parent's too")
	assert.Empty(t, o.ReqString("name"))

	f = d.Fields(root, "r")
	f.Object("missing")
	assert.EqualError(t, f.Err, "r.missing: field required")

	f = d.Fields(root, "r")
	f.NonEmptyString("missing")
	o = f.Object("o")
	assert.EqualError(t, o.Err, "r.missing: field required", "an earlier failure carries into the member")
	assert.Nil(t, o.Value())
}
