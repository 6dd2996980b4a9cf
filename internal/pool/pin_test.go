package pool

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/kiro"
)

func TestPinnedRequestsUseTheirAccountOnly(t *testing.T) {
	f := newFixture(t, 3, time.Now().Add(time.Hour))
	ctx := context.Background()
	pinned := Pin(ctx, f.ids[1])
	assert.Equal(t, f.ids[1], Pinned(pinned))
	assert.Empty(t, Pinned(ctx))
	for _, strategy := range []string{StrategySticky, StrategyRoundRobin, StrategyFillFirst, StrategyLeastUsed} {
		f.pool.strategy = func() string { return strategy }
		for range 3 {
			a, release, err := f.pool.Acquire(pinned, nil, "conv", "")
			require.NoError(t, err)
			release()
			assert.Equal(t, f.ids[1], a.ID, strategy)
		}
	}

	// Tried once already: no other account is offered, and the reason
	// names only the pinned one.
	_, _, err := f.pool.Acquire(pinned, map[string]bool{f.ids[1]: true}, "", "")
	var none *ErrNoAccount
	require.ErrorAs(t, err, &none)
	assert.Equal(t, "no Kiro account can take this request now: B: already failed for this request", none.Reason)

	// Resting (out of credits): still the pinned account's own answer.
	f.pool.Report(ctx, f.ids[1], Outcome{Err: &kiro.UpstreamError{Status: 402, Class: kiro.ClassQuota}})
	_, _, err = f.pool.Acquire(pinned, nil, "", "")
	require.ErrorAs(t, err, &none)
	assert.NotContains(t, none.Reason, "A")
	a, release, err := f.pool.Acquire(ctx, nil, "", "")
	require.NoError(t, err, "an unpinned request still finds another account")
	release()
	assert.NotEqual(t, f.ids[1], a.ID)

	// With a per-account limit the same holds.
	f.pool.limits = func() Limits { return Limits{PerAccount: 1, MaxWait: time.Second} }
	_, _, err = f.pool.Acquire(pinned, nil, "", "")
	require.ErrorAs(t, err, &none, "the other accounts' free slots do not serve it")
	a, release, err = f.pool.Acquire(Pin(ctx, f.ids[2]), nil, "", "")
	require.NoError(t, err)
	assert.Equal(t, f.ids[2], a.ID)
	start := time.Now()
	_, _, err = f.pool.Acquire(Pin(ctx, f.ids[2]), nil, "", "")
	require.ErrorAs(t, err, &none, "its slot is taken: it waits, then says so")
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond)
	release()
}

func TestCheckPinRefusesUnknownAndDisabledAccounts(t *testing.T) {
	f := newFixture(t, 2, time.Now().Add(time.Hour))
	require.NoError(t, f.pool.CheckPin(f.ids[0]))

	var pe *PinError
	require.ErrorAs(t, f.pool.CheckPin("nope"), &pe)
	assert.Equal(t, "nope", pe.ID)
	assert.Contains(t, pe.Error(), `account "nope", which is not set up`)
	require.ErrorAs(t, f.pool.CheckPin(" "), &pe)
	assert.Contains(t, pe.Error(), "is empty")

	require.NoError(t, f.pool.SetDisabled(context.Background(), f.ids[0], true))
	require.ErrorAs(t, f.pool.CheckPin(f.ids[0]), &pe)
	assert.Contains(t, pe.Error(), "is turned off")

	// Removed between the check and the pick: refused the same way.
	_, _, err := f.pool.Acquire(Pin(context.Background(), "gone"), nil, "", "")
	require.ErrorAs(t, err, &pe)
}
