package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

func runWithInput(t *testing.T, env Env, input string, args ...string) (int, string, string) {
	t.Helper()
	env.Stdin = strings.NewReader(input)
	return run(t, env, args...)
}

// configWithAccount leaves a folder with one account and its keychain item.
func configWithAccount(t *testing.T, mem *secrets.Memory) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cfg")
	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	require.NoError(t, s.Pool.Update(context.Background(), func(p *store.Pool) error {
		p.Accounts = append(p.Accounts, store.Account{ID: "acc1", AuthMethod: store.AuthSocial,
			State: store.AccountState{Status: store.StatusReady}})
		return nil
	}))
	require.NoError(t, s.Close(context.Background()))
	require.NoError(t, mem.Set(context.Background(), "apikey", secrets.New("kd-x")))
	require.NoError(t, mem.Set(context.Background(), "account:acc1", secrets.New("tokens")))
	return dir
}

func TestResetNeedsAll(t *testing.T) {
	code, _, stderr := run(t, Env{Secrets: secrets.NewMemory()}, "reset", "--config-dir", t.TempDir())
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--all")
}

func TestResetAsksAndOnlyYesDeletes(t *testing.T) {
	mem := secrets.NewMemory()
	dir := configWithAccount(t, mem)
	for _, answer := range []string{"no\n", "\n", "y\n", ""} {
		code, out, stderr := runWithInput(t, Env{Secrets: mem}, answer, "reset", "--all", "--config-dir", dir)
		assert.Equal(t, 1, code, "answer %q", answer)
		assert.Contains(t, out, dir, "the question names the folder")
		assert.Contains(t, out, "1 account(s)")
		assert.Contains(t, stderr, "nothing was deleted")
		assert.FileExists(t, filepath.Join(dir, "pool.json"))
		_, err := mem.Get(context.Background(), "account:acc1")
		require.NoError(t, err)
	}
	code, out, _ := runWithInput(t, Env{Secrets: mem}, "yes\n", "reset", "--all", "--config-dir", dir)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "deleted 2 keychain item(s)")
	assert.NoDirExists(t, dir)
	for _, k := range []string{"apikey", "account:acc1"} {
		_, err := mem.Get(context.Background(), k)
		assert.ErrorIs(t, err, secrets.ErrNotFound, k)
	}
}

func TestResetWithoutTerminalNeedsYes(t *testing.T) {
	mem := secrets.NewMemory()
	dir := configWithAccount(t, mem)
	code, _, stderr := run(t, Env{Secrets: mem}, "reset", "--all", "--config-dir", dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "--yes")
	assert.DirExists(t, dir)

	code, out, _ := run(t, Env{Secrets: mem}, "reset", "--all", "--yes", "--config-dir", dir)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "removed "+dir)
	assert.NoDirExists(t, dir)
}

func TestResetRefusesWhileRunning(t *testing.T) {
	mem := secrets.NewMemory()
	dir := configWithAccount(t, mem)
	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	defer s.Close(context.Background())
	var out bytes.Buffer
	code := Main(context.Background(), []string{"reset", "--all", "--yes", "--config-dir", dir},
		Env{Secrets: mem, Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }})
	assert.Equal(t, 1, code)
	assert.Contains(t, out.String(), "already running")
	_, err = os.Stat(filepath.Join(dir, "pool.json"))
	assert.NoError(t, err)
}
