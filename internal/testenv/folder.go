package testenv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// ReleaseFolder is a new config folder (named kirodesk, as the real one
// is) holding copies of the state files in from, config.json and
// pool.json: a folder as a release left it (internal/store/testdata/releases).
func ReleaseFolder(t testing.TB, from string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "kirodesk")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	for _, name := range []string{"config.json", "pool.json"} {
		data, err := os.ReadFile(filepath.Join(from, name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o600))
	}
	return dir
}
