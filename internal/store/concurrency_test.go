package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The old proxy lost updates because five writers did read-modify-write on
// one file. Here 64 goroutines count while accounts come and go and settings
// change; every increment and every account must be in the final file.
func TestNoLostUpdates(t *testing.T) {
	const (
		workers    = 64
		increments = 10_000
		churn      = 200
		settings   = 200
	)
	dir := t.TempDir()
	s := openT(t, dir)
	ctx := context.Background()
	require.NoError(t, s.Pool.Update(ctx, addAccount("hot")))

	var wg sync.WaitGroup
	errs := make(chan error, workers+2)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < increments; i += workers {
				if i%10 == 0 { // some through acknowledged updates, the rest batched
					err := s.Pool.Update(ctx, func(p *Pool) error { p.Account("hot").Counters.Requests++; return nil })
					if err != nil {
						errs <- err
						return
					}
					continue
				}
				s.Pool.Touch(func(p *Pool) {
					a := p.Account("hot")
					a.Counters.Requests++
					a.Counters.InputTokens += 2
				})
			}
		})
	}
	wg.Go(func() { // accounts come and go
		for i := range churn {
			id := fmt.Sprintf("acc-%03d", i)
			if err := s.Pool.Update(ctx, addAccount(id)); err != nil {
				errs <- err
				return
			}
			if i%2 == 0 {
				if err := s.Pool.Update(ctx, func(p *Pool) error { p.Remove(id); return nil }); err != nil {
					errs <- err
					return
				}
			}
		}
	})
	wg.Go(func() { // settings change meanwhile
		for i := range settings {
			err := s.Config.Update(ctx, func(c *Config) error {
				c.Port = 10000 + i
				c.ProxyDisabled = i%2 == 0
				return nil
			})
			if err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, s.Close(ctx))

	p := readPool(t, filepath.Join(dir, "pool.json"))
	hot := p.Account("hot")
	require.NotNil(t, hot)
	assert.EqualValues(t, increments, hot.Counters.Requests)
	assert.EqualValues(t, 2*(increments-increments/10), hot.Counters.InputTokens)
	want := []string{"hot"}
	for i := 1; i < churn; i += 2 {
		want = append(want, fmt.Sprintf("acc-%03d", i))
	}
	got := ids(p)
	slices.Sort(got)
	slices.Sort(want)
	assert.Equal(t, want, got)

	s2 := openT(t, dir)
	c := s2.Config.Snapshot()
	assert.Equal(t, 10000+settings-1, c.Port)
	assert.False(t, c.ProxyDisabled)
}
