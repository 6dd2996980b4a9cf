package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/secrets"
)

// A state file from a newer Kirodesk stops `serve` with a message that says
// which file and what to do, and the file stays as it was (the store's own
// tests cover every release's files; this is what the person sees).
func TestServeRefusesStateFromANewerRelease(t *testing.T) {
	dir := t.TempDir()
	newer, err := os.ReadFile("../store/testdata/future/pool.json")
	require.NoError(t, err)
	path := filepath.Join(dir, "pool.json")
	require.NoError(t, os.WriteFile(path, newer, 0o600))

	code, _, stderr := run(t, Env{Secrets: secrets.NewMemory()}, "serve", "--config-dir", dir, "--port", "0")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, path)
	assert.Contains(t, stderr, "written by a newer Kirodesk (file version 2; this build reads up to 1)")
	assert.Contains(t, stderr, "run a newer Kirodesk, or restore a backup written by this version")
	now, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, newer, now)
}
