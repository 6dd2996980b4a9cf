//go:build !windows

package cli

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/core"
	"kirodesk/internal/secrets"
	"kirodesk/internal/testenv"
)

// The real command against the real keychain: a running serve blocks the
// reset, and once it has quit, reset deletes the folder and the API key
// that serve created.
func TestResetEndToEndWithTheRealKeychain(t *testing.T) {
	testenv.RequireKeychain(t)
	dir := filepath.Join(t.TempDir(), "cfg")
	s := startServe(t, dir)
	key := apiKeyFor(t, dir)
	require.NotEmpty(t, key)

	out, err := kirodesk(t, "reset", "--all", "--yes", "--config-dir", dir).CombinedOutput()
	require.Error(t, err, "reset must refuse while serve runs: %s", out)
	assert.Contains(t, string(out), "already running")

	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, s.cmd.Wait())

	cmd := kirodesk(t, "reset", "--all", "--config-dir", dir)
	cmd.Stdin = strings.NewReader("yes\n")
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "Type yes")
	assert.NoDirExists(t, dir)
	kr := secrets.NewKeyring(core.KeychainService(dir, func(string) string { return "" }))
	_, err = kr.Get(context.Background(), "apikey")
	assert.ErrorIs(t, err, secrets.ErrNotFound)
}
