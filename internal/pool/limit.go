package pool

import (
	"context"
	"time"

	"kirodesk/internal/store"
)

// Limits caps requests in flight per account (0 = unlimited) and bounds how
// long a request waits for a free account when all are at their cap.
type Limits struct {
	PerAccount int
	MaxWait    time.Duration
}

// Acquire picks an account as Pick does, but only one with a free slot
// under the per-account limit; when every usable account is full it waits
// (bounded by Limits.MaxWait and ctx) for a slot. release must be called
// once the request no longer uses the account. A request pinned to an
// account (Pin) gets that account or an error, never another.
func (p *Pool) Acquire(ctx context.Context, tried map[string]bool, key, model string) (store.Account, func(), error) {
	lim := p.limits()
	only := Pinned(ctx)
	if lim.PerAccount <= 0 {
		a, err := p.pick(tried, key, model, true, only)
		return a, func() {}, err
	}
	deadline := time.Now().Add(lim.MaxWait)
	for {
		p.mu.Lock()
		full := map[string]bool{}
		for id, n := range p.inflight {
			if n >= lim.PerAccount {
				full[id] = true
			}
		}
		wake := p.freed
		p.mu.Unlock()

		skip := make(map[string]bool, len(full)+len(tried))
		for id := range full {
			skip[id] = true
		}
		for id := range tried {
			skip[id] = true
		}
		a, err := p.pick(skip, key, model, true, only)
		if err == nil {
			p.mu.Lock()
			if p.inflight[a.ID] < lim.PerAccount { // still free: take the slot
				p.inflight[a.ID]++
				p.mu.Unlock()
				return a, p.releaser(a.ID), nil
			}
			p.mu.Unlock()
			continue // taken meanwhile: pick again
		}
		if len(full) == 0 || (only != "" && !full[only]) {
			return store.Account{}, func() {}, err // not about slots: no account can serve
		}
		// Only full accounts are left: wait for a slot, boundedly.
		wait := time.Until(deadline)
		if wait <= 0 {
			return store.Account{}, func() {}, &ErrNoAccount{
				Reason:     "every Kiro account is busy with as many requests as the per-account limit allows",
				RetryAfter: time.Second,
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-wake:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return store.Account{}, func() {}, ctx.Err()
		}
		t.Stop()
	}
}

func (p *Pool) releaser(id string) func() {
	done := false
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if done {
			return
		}
		done = true
		if p.inflight[id]--; p.inflight[id] <= 0 {
			delete(p.inflight, id)
		}
		close(p.freed) // wake every waiter; each re-checks
		p.freed = make(chan struct{})
	}
}
