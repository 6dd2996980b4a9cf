package core

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

func TestKeychainServicePerFolder(t *testing.T) {
	env := func(string) string { return "" }
	def, err := DefaultConfigDir(env)
	require.NoError(t, err)
	assert.Equal(t, "kirodesk", KeychainService(def, env))
	a := KeychainService(t.TempDir(), env)
	b := KeychainService(t.TempDir(), env)
	assert.Regexp(t, `^kirodesk-[0-9a-f]{12}$`, a)
	assert.NotEqual(t, a, b, "two folders never share keychain items")
	// KIRODESK_CONFIG_DIR moves the folder but not what "default" means.
	other := t.TempDir()
	withEnv := func(k string) string {
		if k == "KIRODESK_CONFIG_DIR" {
			return other
		}
		return ""
	}
	assert.Equal(t, "kirodesk", KeychainService(def, withEnv))
	assert.NotEqual(t, "kirodesk", KeychainService(other, withEnv))
}

func TestOpenReconcilesInTheBackground(t *testing.T) {
	dir := t.TempDir()
	mem := secrets.NewMemory()
	ctx := context.Background()
	// A folder as a crash mid-add leaves it: a pending id with its item.
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	require.NoError(t, st.Pool.Update(ctx, func(p *store.Pool) error {
		p.PendingSecrets = []string{"acc-orphan"}
		return nil
	}))
	require.NoError(t, st.Close(ctx))
	require.NoError(t, mem.Set(ctx, accounts.SecretKey("acc-orphan"), secrets.New("x")))

	c, err := Open(ctx, Options{ConfigDir: dir, Secrets: mem})
	require.NoError(t, err)
	<-c.Reconciled()
	require.NoError(t, c.Close(ctx))
	_, err = mem.Get(ctx, accounts.SecretKey("acc-orphan"))
	assert.ErrorIs(t, err, secrets.ErrNotFound)
}

func TestOpenRefusesABadEnvironmentURLAndUnlocks(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(context.Background(), Options{ConfigDir: dir, Secrets: secrets.NewMemory(),
		Getenv: func(k string) string {
			if k == store.EnvAPIBase {
				return "not a url"
			}
			return ""
		}})
	require.ErrorContains(t, err, store.EnvAPIBase)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err, "a failed Open must release the folder")
	require.NoError(t, st.Close(context.Background()))
	_, err = os.Stat(filepath.Join(dir, "pool.json"))
	assert.NoError(t, err)
}
