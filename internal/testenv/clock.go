package testenv

import (
	"sync"
	"time"
)

// Clock is a time the test sets and moves by hand; the code under test,
// given Now as its clock, may read it from any goroutine.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a Clock that reads at.
func NewClock(at time.Time) *Clock { return &Clock{t: at} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d (back, when d is negative).
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
