package secrets

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testService keeps test items apart from the app's "kirodesk" items, so
// running the tests on a developer's desktop never touches real accounts.
const testService = "kirodesk-test"

// keychainRecipe is how to get a real, unlocked keychain on Linux.
const keychainRecipe = `mkdir -p ~/.local/share/keyrings && chmod 700 ~/.local/share/keyrings; ` +
	`dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; go test -race ./internal/secrets/'`

// ciOn reports whether we run in CI, where environment-dependent tests must
// not skip silently.
func ciOn() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "false" && v != "0"
}

// skipOrFail skips on a developer machine and fails in CI.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if ciOn() {
		t.Fatalf("CI is set, so this test must run, but %s", why)
	}
	t.Skip(why)
}

// requireKeychain skips a test that needs the real keychain when none is
// reachable on a developer machine, and fails it in CI (CI=true). On Linux
// that means a D-Bus session bus with an unlocked Secret Service.
func requireKeychain(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "linux" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		skipOrFail(t, "DBUS_SESSION_BUS_ADDRESS is not set, so there is no Secret Service to test against; run:\n\t"+keychainRecipe)
	}
	k := NewKeyring(testService, WithTimeout(5*time.Second))
	_, err := k.Get(context.Background(), "probe-"+uniqueSuffix())
	switch {
	case errors.Is(err, ErrNotFound):
	case errors.Is(err, ErrUnavailable), errors.Is(err, ErrTimeout):
		skipOrFail(t, "the keychain is not usable ("+err.Error()+"); on Linux run:\n\t"+keychainRecipe)
	default:
		require.NoError(t, err, "probing the keychain")
	}
}

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
