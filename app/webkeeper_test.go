package app

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keeperHarness runs a webKeeper whose countdowns are fired by the test.
type keeperHarness struct {
	k                  *webKeeper
	mu                 sync.Mutex
	timers             []func()
	released, restored int
}

func newKeeperHarness() *keeperHarness {
	h := &keeperHarness{}
	h.k = newWebKeeper(time.Minute, func() { h.released++ }, func() { h.restored++ })
	h.k.afterFunc = func(d time.Duration, f func()) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.timers = append(h.timers, f)
	}
	return h
}

// fire runs the n-th countdown started so far, as its timer would.
func (h *keeperHarness) fire(t *testing.T, n int) {
	h.mu.Lock()
	require.Greater(t, len(h.timers), n, "countdown %d never started", n)
	f := h.timers[n]
	h.mu.Unlock()
	f()
}

func TestWebKeeperDropsThePageOfAWindowHiddenForAWhile(t *testing.T) {
	h := newKeeperHarness()
	h.k.hidden()
	h.fire(t, 0)
	assert.Equal(t, 1, h.released)
	h.k.hidden() // hidden again while dropped: nothing more to drop
	assert.Len(t, h.timers, 1)
	assert.Equal(t, 0, h.restored)

	h.k.shown()
	assert.Equal(t, 1, h.restored, "the page is loaded again before the window shows")
	h.k.shown()
	assert.Equal(t, 1, h.restored, "a page that is there is not reloaded")
}

func TestWebKeeperKeepsThePageOfAWindowShownSoon(t *testing.T) {
	h := newKeeperHarness()
	h.k.hidden()
	h.k.shown()
	h.k.hidden() // a fresh countdown
	h.fire(t, 0)
	assert.Equal(t, 0, h.released, "the first countdown, from before the window was shown, fired it")
	h.fire(t, 1)
	assert.Equal(t, 1, h.released)
	assert.Equal(t, 0, h.restored)
}

func TestWebKeeperUsesARealTimer(t *testing.T) {
	var mu sync.Mutex
	released := 0
	k := newWebKeeper(10*time.Millisecond, func() { mu.Lock(); released++; mu.Unlock() }, func() {})
	k.hidden()
	assert.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return released == 1 }, 5*time.Second, 5*time.Millisecond)
}

func TestWebKeeperWithoutAWebViewDoesNothing(t *testing.T) {
	var nilKeeper *webKeeper
	nilKeeper.hidden()
	nilKeeper.shown()
	k := newWebKeeper(time.Millisecond, nil, nil)
	k.hidden()
	time.Sleep(10 * time.Millisecond)
	k.shown()
	assert.False(t, k.released)
}
