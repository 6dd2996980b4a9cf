package pool

import (
	"container/list"
	"sync"
	"sync/atomic"

	"kirodesk/internal/store"
)

// Strategies (config.json "strategy").
const (
	StrategySticky     = "sticky"      // a conversation stays on one account while it is usable; new ones go to the least used
	StrategyRoundRobin = "round-robin" // each request to the next account
	StrategyLeastUsed  = "least-used"  // the account with the fewest requests so far
	StrategyFillFirst  = "fill-first"  // the first usable account until it fails
)

// selector picks one of the usable candidates (in pool order, never empty)
// for a request of conversation key.
type selector interface {
	pick(candidates []*store.Account, key string) *store.Account
}

type roundRobin struct{ next atomic.Uint64 }

func (r *roundRobin) pick(c []*store.Account, _ string) *store.Account {
	return c[int((r.next.Add(1)-1)%uint64(len(c)))]
}

type fillFirst struct{}

func (fillFirst) pick(c []*store.Account, _ string) *store.Account { return c[0] }

type leastUsed struct{}

// pick takes the fewest requests; on a tie, the one used longest ago, so
// fresh accounts share the load evenly.
func (leastUsed) pick(c []*store.Account, _ string) *store.Account {
	best := c[0]
	for _, a := range c[1:] {
		if a.Counters.Requests < best.Counters.Requests ||
			(a.Counters.Requests == best.Counters.Requests && a.Counters.LastUsed.Before(best.Counters.LastUsed)) {
			best = a
		}
	}
	return best
}

// stickyMax bounds the conversations remembered; the oldest are forgotten.
const stickyMax = 4096

// sticky keeps a conversation on its account, so Kiro's caches stay warm;
// conversations it has not seen, and those whose account is not usable now,
// go to the least-used account and stay there.
type sticky struct {
	mu    sync.Mutex
	order *list.List // of string keys, most recent at the front
	where map[string]stickyEntry
}

type stickyEntry struct {
	account string
	elem    *list.Element
}

func newSticky() *sticky { return &sticky{order: list.New(), where: map[string]stickyEntry{}} }

func (s *sticky) pick(c []*store.Account, key string) *store.Account {
	if key == "" {
		return leastUsed{}.pick(c, key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.where[key]; ok {
		for _, a := range c {
			if a.ID == e.account {
				s.order.MoveToFront(e.elem)
				return a
			}
		}
		s.order.Remove(e.elem)
		delete(s.where, key)
	}
	a := leastUsed{}.pick(c, key)
	s.where[key] = stickyEntry{account: a.ID, elem: s.order.PushFront(key)}
	if s.order.Len() > stickyMax {
		old := s.order.Back()
		s.order.Remove(old)
		delete(s.where, old.Value.(string))
	}
	return a
}
