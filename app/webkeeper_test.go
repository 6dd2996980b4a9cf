package app

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func newCountingKeeper(after time.Duration) (*webKeeper, *atomic.Int32, *atomic.Int32) {
	var released, restored atomic.Int32
	k := newWebKeeper(after, func() { released.Add(1) }, func() { restored.Add(1) })
	return k, &released, &restored
}

func TestWebKeeperDropsThePageOfAWindowHiddenForAWhile(t *testing.T) {
	k, released, restored := newCountingKeeper(20 * time.Millisecond)
	k.hidden()
	assert.Eventually(t, func() bool { return released.Load() == 1 }, time.Second, 5*time.Millisecond)
	k.hidden() // hidden again while dropped: nothing more to drop
	time.Sleep(60 * time.Millisecond)
	assert.Equal(t, int32(1), released.Load())
	assert.Equal(t, int32(0), restored.Load())

	k.shown()
	assert.Equal(t, int32(1), restored.Load(), "the page is loaded again before the window shows")
	k.shown()
	assert.Equal(t, int32(1), restored.Load(), "a page that is there is not reloaded")
}

func TestWebKeeperKeepsThePageOfAWindowShownSoon(t *testing.T) {
	k, released, restored := newCountingKeeper(80 * time.Millisecond)
	k.hidden()
	time.Sleep(40 * time.Millisecond)
	k.shown()
	k.hidden() // a fresh countdown: the first one's timer must not fire it early
	time.Sleep(60 * time.Millisecond)
	assert.Equal(t, int32(0), released.Load(), "released before the window had been hidden for the whole time")
	assert.Eventually(t, func() bool { return released.Load() == 1 }, time.Second, 5*time.Millisecond)
	assert.Equal(t, int32(0), restored.Load())
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
