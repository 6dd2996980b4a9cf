package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkFailedWriteKeepsEverything runs the scenario both fault tests share:
// with writes failing, an Update reports a SaveError and changes nothing, in
// memory or on disk; a Record and a Touch (facts and counters) stay in
// memory; once writes work again the batch writer saves those without being
// asked, and the refused Update never appears.
//
// recordFails says whether the Record's small write must fail too: on a full
// disk it may fit in the pages the refused write freed.
func checkFailedWriteKeepsEverything(t *testing.T, s *Store, dir string, recordFails bool, breakWrites, mendWrites func()) {
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
	var se *SaveError
	require.ErrorAs(t, err, &se)
	assert.Regexp(t, `^could not save pool.json in `+regexp.QuoteMeta(dir)+`: [a-z -]+; nothing was changed$`, err.Error(),
		"the error names the file and folder, the system's reason, and that nothing changed")
	assert.Len(t, s.Pool.Snapshot().Accounts, 1, "a refused change is not in effect")
	now, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, good, now, "a failed write must leave the old file intact")
	s.Pool.Touch(func(p *Pool) { p.Account("before").Counters.Requests = 5 })
	err = s.Pool.Record(ctx, func(p *Pool) error {
		p.Account("before").State = AccountState{Status: StatusCooling, Reason: "cooling down after 1 throttle(s) (429)"}
		return nil
	})
	if recordFails || err != nil {
		require.ErrorIs(t, err, ErrNotSaved, "a fact is kept in memory though not saved")
		assert.NotErrorAs(t, err, &se, "and is not reported as not made")
	}
	assert.Equal(t, StatusCooling, s.Pool.Snapshot().Account("before").State.Status)

	if recordFails {
		time.Sleep(100 * time.Millisecond) // the batch writer retries meanwhile, and fails
		now, err = os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, good, now)
	}

	mendWrites()
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(path)
		if err != nil {
			return false
		}
		p := NewPool()
		if p.UnmarshalJSON(b) != nil || len(p.Accounts) != 1 {
			return false
		}
		a := p.Account("before")
		return a.Counters.Requests == 5 && a.State.Status == StatusCooling
	}, 10*time.Second, 20*time.Millisecond, "the kept counters and facts must be written once the disk works again")
	assert.Len(t, s.Pool.Snapshot().Accounts, 1)
}

func TestFailedWriteKeepsOldFileAndRetries(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	var restore func()
	checkFailedWriteKeepsEverything(t, s, dir, true,
		func() { restore = failWrites(t, s.Pool, syscall.ENOSPC) },
		func() { restore() })
}
