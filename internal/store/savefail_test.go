package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// blockBackup makes every write of name in dir fail on the real file system,
// for root too (which ignores permission bits): the backup kept before each
// write cannot replace a directory that is not empty.
func blockBackup(t *testing.T, dir, name string) (unblock func()) {
	t.Helper()
	for _, p := range []string{name + ".bak.tmp", name + ".bak"} {
		require.NoError(t, os.RemoveAll(filepath.Join(dir, p)))
		require.NoError(t, os.MkdirAll(filepath.Join(dir, p, "keep"), 0o700))
	}
	return func() {
		for _, p := range []string{name + ".bak.tmp", name + ".bak"} {
			require.NoError(t, os.RemoveAll(filepath.Join(dir, p)))
		}
	}
}

// A refused Update is in effect nowhere: not in memory, not on disk, not
// after a restart; the next Update works once the disk does.
func TestFailedUpdateChangesNothing(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(dir, Options{})
	require.NoError(t, err)
	require.NoError(t, s.Pool.Update(ctx, addAccount("a")))
	require.NoError(t, s.Pool.Update(ctx, addAccount("b"))) // a .bak exists from here on
	before := s.Pool.Snapshot()
	cfgBefore := s.Config.Snapshot()

	unblock := blockBackup(t, dir, "pool.json")
	unblockCfg := blockBackup(t, dir, "config.json")
	changes := map[string]func(*Pool) error{
		"rename":  func(p *Pool) error { p.Account("a").Label = "renamed"; return nil },
		"disable": func(p *Pool) error { p.Account("a").Disabled = true; return nil },
		"remove":  func(p *Pool) error { p.Remove("b"); return nil },
		"add":     addAccount("c"),
	}
	for name, fn := range changes {
		err := s.Pool.Update(ctx, fn)
		require.ErrorIs(t, err, ErrNotSaved, name)
		assert.Contains(t, err.Error(), "could not save pool.json in "+dir+": ", name)
		assert.Contains(t, err.Error(), "; nothing was changed", name)
		assert.Equal(t, before, s.Pool.Snapshot(), "%s: memory unchanged", name)
		assert.Equal(t, before.Accounts, readPool(t, filepath.Join(dir, "pool.json")).Accounts, "%s: file unchanged", name)
	}
	err = s.Config.Update(ctx, func(c *Config) error { c.Port = 4242; return nil })
	require.ErrorIs(t, err, ErrNotSaved)
	assert.Equal(t, cfgBefore, s.Config.Snapshot())

	// Closing flushes what is pending: nothing, so the refused changes stay out.
	require.NoError(t, s.Close(ctx))
	unblock()
	unblockCfg()
	s, err = Open(dir, Options{})
	require.NoError(t, err)
	defer s.Close(ctx)
	assert.Equal(t, before.Accounts, s.Pool.Snapshot().Accounts, "after a restart")
	assert.Equal(t, cfgBefore.Port, s.Config.Snapshot().Port)
	require.NoError(t, s.Pool.Update(ctx, changes["rename"]))
	assert.Equal(t, "renamed", s.Pool.Snapshot().Account("a").Label)
}

// A write that renamed the new file into place but could not sync the
// folder has changed the file: it is put back, since the caller is told
// nothing changed.
func TestUnsyncedUpdateIsUndone(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openT(t, dir)
	require.NoError(t, s.Pool.Update(ctx, addAccount("a")))
	path := filepath.Join(dir, "pool.json")
	good, err := os.ReadFile(path)
	require.NoError(t, err)

	calls := 0
	setWriter(s.Pool, func(p string, data []byte) error {
		calls++
		if err := writeFileAtomic(p, data); err != nil {
			return err
		}
		return errNotSynced // as if fsync of the folder failed after the rename
	})
	err = s.Pool.Update(ctx, addAccount("b"))
	require.ErrorIs(t, err, ErrNotSaved)
	assert.Len(t, s.Pool.Snapshot().Accounts, 1)
	now, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(good), string(now), "the previous content is back")
	assert.GreaterOrEqual(t, calls, 2, "written, then put back")
}

// Updates that share one write share its outcome: with the disk refusing,
// every one of them fails and none is in effect; one whose own fn fails
// drops out alone.
func TestConcurrentUpdatesFailTogether(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openT(t, dir)
	require.NoError(t, s.Pool.Update(ctx, addAccount("a")))
	require.NoError(t, s.Pool.Update(ctx, addAccount("b")))
	unblock := blockBackup(t, dir, "pool.json")
	errs := make(chan error, 20)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			errs <- s.Pool.Update(ctx, addAccount(fmt.Sprintf("c%02d", i)))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.ErrorIs(t, err, ErrNotSaved)
	}
	assert.Len(t, s.Pool.Snapshot().Accounts, 2)

	unblock()
	errs = make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			if i == 7 {
				errs <- s.Pool.Update(ctx, func(p *Pool) error { p.Remove("a"); return errors.New("changed my mind") })
				return
			}
			errs <- s.Pool.Update(ctx, addAccount(fmt.Sprintf("c%02d", i)))
		})
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			assert.EqualError(t, err, "changed my mind")
			failed++
		}
	}
	assert.Equal(t, 1, failed)
	p := s.Pool.Snapshot()
	assert.Len(t, p.Accounts, 21)
	assert.NotNil(t, p.Account("a"), "the failed fn's half change is not kept")
	assert.Equal(t, p.Accounts, readPool(t, filepath.Join(dir, "pool.json")).Accounts)
}
