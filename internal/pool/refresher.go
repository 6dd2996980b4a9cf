package pool

import (
	"context"
	"math/rand/v2"
	"time"
)

// RunRefresher renews tokens before they expire, so requests rarely wait
// for a refresh, and re-checks each account's credits once its quota
// answer is older than the TTL: every interval it refreshes each enabled account whose
// token ends within a jittered 5-10 minutes (spread so many accounts do not
// refresh at once). It uses the same single-flight path as requests. It
// returns when ctx ends.
func (p *Pool) RunRefresher(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		p.refreshDue(ctx)
		p.refreshQuotaDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// refreshDue runs one pass of the background refresher.
func (p *Pool) refreshDue(ctx context.Context) {
	for _, a := range p.file.Snapshot().Accounts {
		if ctx.Err() != nil {
			return
		}
		if a.Disabled || a.State.Status == "login_needed" {
			continue
		}
		window := RefreshBefore + time.Duration(rand.Int64N(int64(RefreshBefore)))
		e := p.entry(a.ID)
		e.mu.Lock()
		err := p.loadLocked(ctx, a.ID, e)
		if err == nil && e.cr.ExpiresWithin(p.now(), window) {
			err = p.refreshLocked(ctx, a.ID, e)
		}
		e.mu.Unlock()
		if err != nil && ctx.Err() == nil {
			p.log.Warn("background token refresh failed", "account", a.ID, "err", err)
		}
	}
}
