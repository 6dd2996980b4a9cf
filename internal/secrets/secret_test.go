package secrets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plain is the secret under test. Its parts are distinctive so that any
// rendering that leaks even a hex or numeric form of it is caught below.
const plain = "sk-live-TOKEN-3141592653"

func TestSecretReveal(t *testing.T) {
	assert.Equal(t, plain, New(plain).Reveal())
	assert.False(t, New(plain).IsZero())
	assert.True(t, New("").IsZero())
	var zero Secret
	assert.True(t, zero.IsZero())
	assert.Equal(t, "", zero.Reveal())
}

// leakForms are renderings of plain that must never appear: the text itself
// and the encodings %x, %X and %q would produce.
func leakForms() []string {
	return []string{
		plain, "TOKEN",
		fmt.Sprintf("%x", plain), fmt.Sprintf("%X", plain),
		fmt.Sprintf("% x", plain)[:20],
		"115 107 45", // %d of the bytes
	}
}

func requireNoLeak(t *testing.T, out string) {
	t.Helper()
	for _, f := range leakForms() {
		require.NotContains(t, out, f)
	}
}

func TestSecretFormatsRedacted(t *testing.T) {
	s := New(plain)
	type exported struct{ Token Secret }
	type unexported struct{ token Secret }
	type deep struct{ inner *unexported }
	operands := []struct {
		name string
		v    any
	}{
		{"value", s},
		{"pointer", &s},
		{"exported-field", exported{s}},
		{"unexported-field", unexported{s}},
		{"pointer-to-unexported-field", &unexported{s}},
		{"nested", deep{&unexported{s}}},
		{"slice", []Secret{s, s}},
		{"map", map[string]Secret{"k": s}},
		{"any-slice", []any{s}},
	}
	verbs := []string{
		"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "% x", "%d", "%b", "%o",
		"%c", "%U", "%e", "%t", "%p", "%10s", "%-30v", "%08d", "%.3s", "%!",
	}
	for _, op := range operands {
		t.Run(op.name, func(t *testing.T) {
			for _, verb := range verbs {
				out := fmt.Sprintf(verb, op.v)
				requireNoLeak(t, out)
			}
			requireNoLeak(t, fmt.Sprint(op.v))
			requireNoLeak(t, fmt.Sprintln(op.v))
		})
	}

	// The direct renderings are exactly "[redacted]".
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		assert.Equal(t, "[redacted]", fmt.Sprintf(verb, s), verb)
	}
	assert.Equal(t, "[redacted]", s.String())
	assert.Equal(t, "[redacted]", s.GoString())
	assert.Equal(t, "[redacted]", fmt.Sprint(s))
}

func TestSecretSlogRedacted(t *testing.T) {
	s := New(plain)
	type holder struct {
		Token Secret
		other Secret
	}
	handlers := []struct {
		name string
		new  func(*bytes.Buffer) slog.Handler
	}{
		{"json", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
		{"text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
	}
	for _, h := range handlers {
		t.Run(h.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(h.new(&buf))
			log.Info("login", "token", s)
			log.Info("login", slog.Any("token", &s))
			log.Info("login", slog.Group("account", "token", s))
			log.With("token", s).Info("with")
			log.Info("struct", "holder", holder{Token: s, other: s})
			log.Info("slice", "tokens", []Secret{s})
			requireNoLeak(t, buf.String())
			assert.Contains(t, buf.String(), "[redacted]")
		})
	}
}

func TestSecretJSONAndTextRedacted(t *testing.T) {
	s := New(plain)
	type account struct {
		ID    string `json:"id"`
		Token Secret `json:"token"`
	}
	out, err := json.Marshal(account{ID: "a1", Token: s})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"a1","token":"[redacted]"}`, string(out))

	out, err = json.Marshal(map[Secret]Secret{s: s})
	require.NoError(t, err)
	requireNoLeak(t, string(out))

	out, err = json.Marshal(&s)
	require.NoError(t, err)
	assert.Equal(t, `"[redacted]"`, string(out))

	txt, err := s.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "[redacted]", string(txt))
}

// TestSecretErrorWrapping covers the case of a Secret passed to fmt.Errorf
// by mistake.
func TestSecretErrorWrapping(t *testing.T) {
	s := New(plain)
	err := fmt.Errorf("refresh failed for token %v (%q, %x)", s, s, s)
	requireNoLeak(t, err.Error())
}
