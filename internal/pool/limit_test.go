package pool

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPerAccountLimitSpreadsThenQueuesThenRefuses(t *testing.T) {
	f := newFixture(t, 2, time.Now().Add(time.Hour))
	f.pool.limits = func() Limits { return Limits{PerAccount: 1, MaxWait: 300 * time.Millisecond} }
	ctx := context.Background()

	a, relA, err := f.pool.Acquire(ctx, nil, "same-conversation", "")
	require.NoError(t, err)
	b, relB, err := f.pool.Acquire(ctx, nil, "same-conversation", "")
	require.NoError(t, err)
	assert.NotEqual(t, a.ID, b.ID, "a full account hands the request to the other one")

	// Both full: the third waits, and gets the slot the first frees.
	got := make(chan string, 1)
	go func() {
		c, relC, err := f.pool.Acquire(ctx, nil, "", "")
		if err == nil {
			defer relC()
			got <- c.ID
		} else {
			got <- "error: " + err.Error()
		}
	}()
	time.Sleep(50 * time.Millisecond)
	select {
	case id := <-got:
		t.Fatalf("did not wait: %s", id)
	default:
	}
	relA()
	relA() // releasing twice is harmless
	assert.Equal(t, a.ID, <-got)

	// Still full (b held, c returned): a waiter gives up after MaxWait with a clear reason.
	_, relD, err := f.pool.Acquire(ctx, nil, "", "")
	require.NoError(t, err, "c released its slot")
	start := time.Now()
	_, _, err = f.pool.Acquire(ctx, nil, "", "")
	var none *ErrNoAccount
	require.ErrorAs(t, err, &none)
	assert.Contains(t, none.Reason, "busy")
	assert.Equal(t, time.Second, none.RetryAfter)
	assert.GreaterOrEqual(t, time.Since(start), 250*time.Millisecond)
	relB()
	relD()
}

// Without a per-account limit, requests never queue: 50 held at once all go
// to the one account. The same pool with a limit of 1 refuses the second at
// once (no queue time), so the first half proves the limit's absence.
// (core's TestConcurrencyLimitIsWhatKiroSees shows the same at the fake.)
func TestNoLimitMeansNoWaiting(t *testing.T) {
	f := newFixture(t, 1, time.Now().Add(time.Hour))
	f.pool.limits = func() Limits { return Limits{PerAccount: 0} }
	for range 50 {
		a, _, err := f.pool.Acquire(context.Background(), nil, "", "") // never released
		require.NoError(t, err)
		assert.Equal(t, f.ids[0], a.ID)
	}

	f.pool.limits = func() Limits { return Limits{PerAccount: 1} }
	_, rel, err := f.pool.Acquire(context.Background(), nil, "", "")
	require.NoError(t, err)
	_, _, err = f.pool.Acquire(context.Background(), nil, "", "")
	var none *ErrNoAccount
	require.ErrorAs(t, err, &none, "with a limit of 1 the second request finds the account full")
	assert.Contains(t, none.Reason, "busy")
	rel()
	_, _, err = f.pool.Acquire(context.Background(), nil, "", "")
	assert.NoError(t, err, "the freed slot is taken again")
}
