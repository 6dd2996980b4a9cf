package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkFailedWriteKeepsEverything runs the scenario both fault tests share:
// with writes failing, an acknowledged change reports ErrNotSaved, the old
// file stays intact, the change stays in memory; once writes work again the
// batch writer saves it without being asked.
func checkFailedWriteKeepsEverything(t *testing.T, s *Store, dir string, breakWrites, mendWrites func()) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, s.Pool.Update(ctx, addAccount("before")))
	path := filepath.Join(dir, "pool.json")
	good, err := os.ReadFile(path)
	require.NoError(t, err)

	breakWrites()
	// The change grows the file by several pages: on a full disk the pages
	// freed by replacing the old backup must not be enough for it.
	err = s.Pool.Update(ctx, func(p *Pool) error {
		for i := range 60 {
			addAccount(fmt.Sprintf("during-%02d", i))(p)
		}
		return nil
	})
	require.ErrorIs(t, err, ErrNotSaved)
	assert.Contains(t, err.Error(), path, "the error names the file")
	s.Pool.Touch(func(p *Pool) { p.Account("before").Counters.Requests = 5 })

	now, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, good, now, "a failed write must leave the old file intact")
	assert.Len(t, s.Pool.Snapshot().Accounts, 61, "the change is kept in memory")
	time.Sleep(100 * time.Millisecond) // the batch writer retries meanwhile, and fails
	now, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, good, now)

	mendWrites()
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(path)
		if err != nil {
			return false
		}
		p := NewPool()
		if p.UnmarshalJSON(b) != nil || len(p.Accounts) != 61 {
			return false
		}
		return p.Account("before").Counters.Requests == 5
	}, 10*time.Second, 20*time.Millisecond, "the kept change must be written once the disk works again")
}

func TestFailedWriteKeepsOldFileAndRetries(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	var restore func()
	checkFailedWriteKeepsEverything(t, s, dir,
		func() { restore = failWrites(t, s.Pool, syscall.ENOSPC) },
		func() { restore() })
}
