package testenv

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// EncodingJSON is what encoding/json's Encoder writes for v without HTML
// escaping, its trailing newline cut: the bytes the hand-written JSON
// writers (internal/jsonw, Kiro's payload) must match.
func EncodingJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
