package jsontree

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseKeepsSpansAndOrder(t *testing.T) {
	body := []byte(`{"b":1,"a":{"x":[true,null,"s"]},"b":2.5}`)
	v, err := Parse(body)
	require.NoError(t, err)
	assert.Equal(t, Object, v.Kind)
	assert.Equal(t, []string{"b", "a", "b"}, v.Keys)
	n, ok := v.Get("b").Int()
	assert.False(t, ok, "the last duplicate wins, and 2.5 is not an integer")
	assert.Zero(t, n)
	x := v.Get("a").Get("x")
	require.Equal(t, Array, x.Kind)
	assert.Equal(t, `[true,null,"s"]`, string(body[x.Off:x.End]))
	assert.False(t, Present(x.Elems[1]))
	assert.Equal(t, "a string", x.Elems[2].Describe())
}

func TestParseErrorsSayWhere(t *testing.T) {
	for body, want := range map[string]string{
		"":                              "request body is empty",
		"{\"a\":\xff}":                  "not valid UTF-8 at line 1, column 6",
		`{"a":1} x`:                     "unexpected data after the top-level value",
		`{"a":`:                         "unexpected end of input",
		strings.Repeat("[", MaxDepth+1): "nests deeper than 64 levels",
		"{\n  \"a\": tru\n}":            "invalid JSON at line 2",
	} {
		_, err := Parse([]byte(body))
		var je *Error
		require.ErrorAs(t, err, &je, "%q", body)
		assert.Contains(t, je.Message, want, "%q", body)
	}
}
