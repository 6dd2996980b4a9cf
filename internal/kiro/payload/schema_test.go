package payload

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCleanSchema(t *testing.T) {
	const empty = `{"type":"object","properties":{}}`
	tests := []struct {
		name, in, want string
	}{
		{"nil", ``, empty},
		{"invalid JSON", `{"type":`, empty},
		{"not an object", `[1,2]`, empty},
		{"boolean schema", `true`, empty},
		{"trailing garbage", `{} {}`, empty},
		{"empty object gets type and properties", `{}`, empty},
		{"drops $schema and additionalProperties, keeps order",
			`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"b":{"type":"string"},"a":{"type":"number"}},"required":["b"],"additionalProperties":false}`,
			`{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"number"}},"required":["b"]}`},
		{"drops empty required, keeps non-empty",
			`{"type":"object","properties":{"x":{"type":"object","required":[]}},"required":[]}`,
			`{"type":"object","properties":{"x":{"type":"object","properties":{}}}}`},
		{"properties without type get type object",
			`{"properties":{"p":{"properties":{"q":{"type":"string"}}}}}`,
			`{"type":"object","properties":{"p":{"type":"object","properties":{"q":{"type":"string"}}}}}`},
		{"recurses into items, anyOf, oneOf, allOf, not, $defs",
			`{"type":"object","properties":{"l":{"type":"array","items":{"type":"object","additionalProperties":{"type":"string"}}},"u":{"anyOf":[{"type":"object","additionalProperties":false},{"type":"null"}]},"o":{"oneOf":[{"$schema":"x","type":"string"}]},"a":{"allOf":[{"type":"object","required":[]}]},"n":{"not":{"type":"object","additionalProperties":true}}},"$defs":{"D":{"type":"object","additionalProperties":false}}}`,
			`{"type":"object","properties":{"l":{"type":"array","items":{"type":"object","properties":{}}},"u":{"anyOf":[{"type":"object","properties":{}},{"type":"null"}]},"o":{"oneOf":[{"type":"string"}]},"a":{"allOf":[{"type":"object","properties":{}}]},"n":{"not":{"type":"object","properties":{}}}},"$defs":{"D":{"type":"object","properties":{}}}}`},
		{"tuple items array",
			`{"type":"object","properties":{"t":{"type":"array","items":[{"type":"object","additionalProperties":false},{"type":"string"}]}}}`,
			`{"type":"object","properties":{"t":{"type":"array","items":[{"type":"object","properties":{}},{"type":"string"}]}}}`},
		{"property named like a keyword survives",
			`{"type":"object","properties":{"$schema":{"type":"string"},"additionalProperties":{"type":"boolean"},"required":{"type":"array","items":{"type":"string"}}}}`,
			`{"type":"object","properties":{"$schema":{"type":"string"},"additionalProperties":{"type":"boolean"},"required":{"type":"array","items":{"type":"string"}}}}`},
		{"numbers, unicode and html kept verbatim",
			`{"type":"object","properties":{"n":{"type":"integer","maximum":1e3,"minimum":-0.5,"description":"<b>größe</b> \"q\"\n"}}}`,
			`{"type":"object","properties":{"n":{"type":"integer","maximum":1e3,"minimum":-0.5,"description":"<b>größe</b> \"q\"\n"}}}`},
		{"duplicate key: last value, first position",
			`{"type":"object","properties":{"a":{"type":"string"}},"type":"object","description":"d"}`,
			`{"type":"object","properties":{"a":{"type":"string"}},"description":"d"}`},
		{"non-object root type kept", `{"type":"string"}`, `{"type":"string"}`},
		{"type list kept, no properties added", `{"type":["object","null"]}`, `{"type":["object","null"]}`},
		{"too deep", `{"items":` + strings.Repeat(`[`, 200) + strings.Repeat(`]`, 200) + `}`, empty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := CleanSchema(json.RawMessage(tc.in))
			if string(got) != tc.want {
				t.Errorf("CleanSchema(%s)\n got %s\nwant %s", tc.in, got, tc.want)
			}
			if !json.Valid(got) {
				t.Errorf("output is not valid JSON: %s", got)
			}
			if again := CleanSchema(got); string(again) != string(got) {
				t.Errorf("not idempotent: %s -> %s", got, again)
			}
		})
	}
}

// The returned default must not alias package state a caller could modify.
func TestCleanSchemaDefaultIsACopy(t *testing.T) {
	a := CleanSchema(nil)
	a[0] = 'X'
	if b := CleanSchema(nil); b[0] != '{' {
		t.Fatal("CleanSchema returned shared bytes")
	}
}

func FuzzCleanSchema(f *testing.F) {
	f.Add([]byte(`{"$schema":"x","type":"object","properties":{"a":{"type":"array","items":{"additionalProperties":false}}},"required":[]}`))
	f.Add([]byte(`{"anyOf":[{"properties":{}},true,1]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := CleanSchema(in)
		if !json.Valid(out) {
			t.Fatalf("CleanSchema(%q) = %q, not valid JSON", in, out)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("output is not an object: %s", out)
		}
		if _, ok := m["type"]; !ok {
			t.Fatalf("output has no type: %s", out)
		}
	})
}

// The memory of cleaned schemas answers what CleanSchema answers, and
// stays within its bounds however many distinct schemas come by.
func TestCleanSchemaMemo(t *testing.T) {
	schema := json.RawMessage(`{"$schema":"x","type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}`)
	want := CleanSchema(schema)
	assert.JSONEq(t, string(want), string(cleanSchemaCached(schema)))
	assert.Equal(t, string(want), string(cleanSchemaCached(schema)), "remembered")
	big := strings.Repeat("x", 16<<10) // 512 of them pass the byte bound
	for i := range schemaMemoMax + 8 {
		s := json.RawMessage(fmt.Sprintf(`{"type":"object","description":%q,"properties":{"n%d":{"type":"integer"}}}`, big, i))
		assert.Equal(t, string(CleanSchema(s)), string(cleanSchemaCached(s)))
		schemaMemo.Lock()
		n, b := len(schemaMemo.m), schemaMemo.bytes
		schemaMemo.Unlock()
		require.LessOrEqual(t, n, schemaMemoMax)
		require.LessOrEqual(t, b, schemaMemoBytes)
	}
}
