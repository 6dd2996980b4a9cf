package secrets

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		name string
		v    string
		size int
		want []string
	}{
		{"empty", "", 4, []string{""}},
		{"fits", "abcd", 4, []string{"abcd"}},
		{"exact-multiple", "abcdefgh", 4, []string{"abcd", "efgh"}},
		{"remainder", "abcdefghi", 4, []string{"abcd", "efgh", "i"}},
		// "aé" is 3 bytes; cutting at 2 would split é.
		{"rune-boundary", "aébc", 2, []string{"a", "é", "bc"}},
		{"four-byte-rune", "a🔑", 4, []string{"a", "🔑"}},
		// A rune longer than the size cannot be kept whole; cut at size.
		{"rune-longer-than-size", "🔑", 2, []string{"\xf0\x9f", "\x94\x91"}},
		{"invalid-utf8", "\x80\x80\x80\x80\x80", 2, []string{"\x80\x80", "\x80\x80", "\x80"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := split(tc.v, tc.size)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.v, strings.Join(got, ""))
		})
	}
}

func TestSplitKeepsRunesWhole(t *testing.T) {
	v := "a" + strings.Repeat("é€🔑", 1200)
	pieces := split(v, chunkSize)
	require.Greater(t, len(pieces), 1)
	for i, p := range pieces {
		assert.LessOrEqual(t, len(p), chunkSize)
		assert.True(t, utf8.ValidString(p), "piece %d cuts a rune", i)
	}
	assert.Equal(t, v, strings.Join(pieces, ""))
}

func TestParseHeaderRoundTrip(t *testing.T) {
	h, err := parseHeader(encodeInline("v"))
	require.NoError(t, err)
	assert.Nil(t, h.chunked)
	assert.Equal(t, "v", h.inline)

	m := manifest{Chunks: 3, Gen: newGen(), Size: 5000, SHA256: checksum("x")}
	h, err = parseHeader(encodeManifest(m))
	require.NoError(t, err)
	require.NotNil(t, h.chunked)
	assert.Equal(t, m, *h.chunked)
}

func TestNewGenIsFresh(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		g := newGen()
		require.True(t, isHex(g, genLen), g)
		require.False(t, seen[g])
		seen[g] = true
	}
}

func TestValidateKey(t *testing.T) {
	valid := []string{"a", "acct-1", "acct_1.v2", "user@example.com", "idc:client-secret", strings.Repeat("k", maxKeyLen)}
	for _, k := range valid {
		assert.NoError(t, validateKey(k), k)
	}
	invalid := []struct{ key, msg string }{
		{"", "empty"},
		{strings.Repeat("k", maxKeyLen+1), "129 bytes long"},
		{"a#b", `byte 1 of the key is '#'`},
		{"a b", `byte 1 of the key is ' '`},
		{"ä", "byte 0 of the key is 0xc3"},
		{"a\x00", "byte 1 of the key is 0x00"},
	}
	for _, tc := range invalid {
		err := validateKey(tc.key)
		require.ErrorIs(t, err, ErrInvalidKey, "%q", tc.key)
		assert.Contains(t, err.Error(), tc.msg)
	}
}
