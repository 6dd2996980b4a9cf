package eventstream

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// FuzzContentOnly: whenever the fast path reads a payload, encoding/json
// reads the same text from it; and the plain frames Kiro sends take it.
func FuzzContentOnly(f *testing.F) {
	for _, s := range []string{`{"content":"word0 "}`, `{"content":""}`, `{"content":"a\nb\t\"q\" \\ \/"}`, `{"content":"\u00e9"}`,
		`{"content":"x","modelId":"m"}`, `{"content":"x\"}`, `{"content":"x\\"}`, `{"content":"é 😀"}`, `{"content":"a"b"}`,
		`{"content": "x"}`, "{\"content\":\"\xff\"}", `{"content":"\x"}`, `{"content":"tab	"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		got, ok := contentOnly(payload)
		if !ok {
			return
		}
		var p struct {
			Content string `json:"content"`
		}
		if err := json.Unmarshal(payload, &p); err != nil {
			t.Fatalf("contentOnly(%q) = %q, but encoding/json refuses it: %v", payload, got, err)
		}
		if got != p.Content {
			t.Fatalf("contentOnly(%q) = %q, encoding/json reads %q", payload, got, p.Content)
		}
	})
}

func TestContentOnlyTakesPlainFrames(t *testing.T) {
	for payload, want := range map[string]string{
		`{"content":"word0 "}`: "word0 ", `{"content":""}`: "", `{"content":"a\nb \"q\" \\ \/"}`: "a\nb \"q\" \\ /", `{"content":"x\\"}`: `x\`,
	} {
		got, ok := contentOnly([]byte(payload))
		assert.True(t, ok, payload)
		assert.Equal(t, want, got, payload)
	}
	for _, payload := range []string{`{"content":"\u00e9"}`, `{"content":"x","modelId":"m"}`, `{"content":"x\"}`, `{"content":"a"b"}`, `{"content": "x"}`} {
		_, ok := contentOnly([]byte(payload))
		assert.False(t, ok, "%s is left to encoding/json", payload)
	}
}
