package jsontree

import (
	"encoding/json"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var stringLiterals = []string{
	`""`, `"plain"`, `"a\nb\tc\r\b\f"`, `"q\"uote \\ back \/ slash"`, `"\u00e9\u4e2d\u0041"`,
	`"\ud83d\ude00 pair"`, `"\ud83d lone high"`, `"\ude00 lone low"`, `"\ud83d\u0041 high then BMP"`,
	`"\ud83d\ud83d two highs"`, `"\uD83D\uDE00 upper hex"`, `"end \ud83d"`, `"héllo 中文 😀"`, `"\u0000 nul"`,
}

// unquote gives exactly what encoding/json gives, and the tree's strings
// keep their spans.
func TestStringsDecodeAsEncodingJSONDoes(t *testing.T) {
	for _, lit := range stringLiterals {
		var want string
		require.NoError(t, json.Unmarshal([]byte(lit), &want), lit)
		assert.Equal(t, want, unquote([]byte(lit)), lit)

		body := `{"k":[` + lit + `, ` + lit + `]}`
		v, err := Parse([]byte(body))
		require.NoError(t, err, body)
		for _, e := range v.Get("k").Elems {
			assert.Equal(t, String, e.Kind)
			assert.Equal(t, want, e.Str, lit)
			assert.Equal(t, lit, body[e.Off:e.End], "the span is the literal")
		}
	}
}

func FuzzUnquote(f *testing.F) {
	for _, lit := range stringLiterals {
		f.Add(lit[1 : len(lit)-1])
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // Parse refuses invalid UTF-8 before any string is read
		}
		lit := []byte(`"` + s + `"`)
		var want string
		if json.Unmarshal(lit, &want) != nil {
			return // not a literal encoding/json accepts: the parser refuses it first
		}
		if got := unquote(lit); got != want {
			t.Fatalf("unquote(%s) = %s, encoding/json: %s", lit, strconv.Quote(got), strconv.Quote(want))
		}
	})
}
