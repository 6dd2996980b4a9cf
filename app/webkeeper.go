package app

import (
	"sync"
	"time"
)

// webReleaseAfter is how long the window stays hidden before its web page
// is dropped: long enough that closing and reopening it soon costs nothing,
// short enough that a day in the tray does not hold the page.
const webReleaseAfter = 30 * time.Second

// webKeeper drops the window's web page (its web process, see
// webViewOps) once the window has been hidden for a while, and loads it
// again just before the window shows. The page keeps no state of its own:
// on load it asks the app for everything it shows, as it does at start.
type webKeeper struct {
	after            time.Duration
	release, restore func()
	afterFunc        func(time.Duration, func()) // time.AfterFunc; tests fire it themselves

	mu       sync.Mutex
	gen      int // bumped by every hide and show: a timer of an older one does nothing
	released bool
}

func newWebKeeper(after time.Duration, release, restore func()) *webKeeper {
	return &webKeeper{after: after, release: release, restore: restore,
		afterFunc: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
}

// hidden starts the countdown to dropping the page.
func (k *webKeeper) hidden() {
	k.next(func() {
		if k.released {
			return
		}
		gen := k.gen
		k.afterFunc(k.after, func() {
			k.mu.Lock()
			defer k.mu.Unlock()
			if gen != k.gen || k.released {
				return // shown (or hidden again) since
			}
			k.released = true
			k.release()
		})
	})
}

// shown stops the countdown, and loads the page again if it was dropped;
// call it before showing the window.
func (k *webKeeper) shown() {
	k.next(func() {
		if k.released {
			k.released = false
			k.restore()
		}
	})
}

// next runs f with k locked in a new generation, which voids a countdown
// already running; a nil keeper, or one with nothing to release, does
// nothing.
func (k *webKeeper) next(f func()) {
	if k == nil || k.release == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.gen++
	f()
}
