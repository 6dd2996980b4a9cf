package secrets

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// testService keeps test items apart from the app's "kirodesk" items, so
// running the tests on a developer's desktop never touches real accounts.
const testService = "kirodesk-test"

// uniqueSuffix makes keys unique per test run, so parallel or aborted runs
// against a real keychain do not see each other's items.
func uniqueSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// tokenLike returns n bytes of random base64url text, shaped like the JWTs
// and opaque tokens this package stores.
func tokenLike(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// requireNoSecretIn fails if msg contains secret or any 12-byte piece of it,
// which would catch a chunk or a truncated value as well as the whole.
func requireNoSecretIn(t *testing.T, msg, secret string) {
	t.Helper()
	const window = 12
	if len(secret) < window {
		require.NotContains(t, msg, secret)
		return
	}
	for i := 0; i+window <= len(secret); i++ {
		if strings.Contains(msg, secret[i:i+window]) {
			t.Fatalf("message contains bytes %d..%d of the secret: %s", i, i+window, msg)
		}
	}
}
