package core

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/outbound"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// A settings change the disk refuses is not in effect anywhere: not in the
// settings read back, not in the log level, not in the keychain (a proxy
// password), and not after a restart.
func TestRefusedSettingsChangeChangesNothing(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	mem := secrets.NewMemory()
	c, err := Open(ctx, Options{ConfigDir: dir, Secrets: mem})
	require.NoError(t, err)
	<-c.Reconciled()
	require.NoError(t, c.SetProxy(ctx, "", "http://me:old-pass@127.0.0.1:3128"))
	require.NoError(t, c.UpdateConfig(ctx, func(cfg *store.Config) error { cfg.LogLevel = "info"; return nil }))
	before := c.Store.Config.Snapshot()
	level := c.logLevel.Level()

	// For root too: the backup kept before each write of config.json cannot
	// replace a directory that is not empty.
	block := []string{filepath.Join(dir, "config.json.bak.tmp"), filepath.Join(dir, "config.json.bak")}
	for _, p := range block {
		require.NoError(t, os.RemoveAll(p))
		require.NoError(t, os.MkdirAll(filepath.Join(p, "keep"), 0o700))
	}
	err = c.UpdateConfig(ctx, func(cfg *store.Config) error {
		cfg.LogLevel = "debug"
		cfg.MaxAttempts = 5
		return nil
	})
	require.ErrorIs(t, err, store.ErrNotSaved)
	assert.Regexp(t, `^could not save config\.json in .+; nothing was changed$`, err.Error())
	assert.Equal(t, before, c.Store.Config.Snapshot())
	assert.Equal(t, level, c.logLevel.Level(), "the log level is not switched")

	err = c.SetProxy(ctx, "", "http://me:new-pass@127.0.0.1:3129")
	require.ErrorIs(t, err, store.ErrNotSaved)
	assert.Equal(t, before.Outbound.Proxy, c.Store.Config.Snapshot().Outbound.Proxy)
	pw, err := mem.Get(ctx, outbound.PasswordKey(""))
	require.NoError(t, err)
	assert.Equal(t, "old-pass", pw.Reveal(), "the previous password is put back")

	require.NoError(t, c.Close(ctx))
	for _, p := range block {
		require.NoError(t, os.RemoveAll(p))
	}
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	defer st.Close(ctx)
	assert.Equal(t, before, st.Config.Snapshot(), "after a restart")
}
