package pool

import (
	"context"
	"errors"
	"fmt"
	"time"

	"kirodesk/internal/kiro"
	"kirodesk/internal/store"
)

// DefaultQuotaTTL is how long a quota answer is trusted without a setting.
const DefaultQuotaTTL = 5 * time.Minute

// QuotaSource reads an account's credits (kiro.Client in production).
type QuotaSource interface {
	UsageLimits(ctx context.Context, cr kiro.Credentials, machineID string) (kiro.Usage, error)
}

// RefreshQuota asks Kiro for the account's plan, email and credits now,
// keeps the answer on the account, and takes the account out until its
// reset date when every credit is used (or puts it back when credits came
// back early, e.g. a bonus). For the UI and CLI; the background refresher
// calls it when the cached answer is older than the TTL.
func (p *Pool) RefreshQuota(ctx context.Context, id string) (store.Quota, error) {
	if p.quota == nil {
		return store.Quota{}, errors.New("quota checks are off in this build")
	}
	cr, err := p.Credentials(ctx, id)
	if err != nil {
		return store.Quota{}, err
	}
	u, err := p.quota.UsageLimits(ctx, cr, kiro.MachineID(id))
	var ue *kiro.UpstreamError
	if errors.As(err, &ue) && ue.Class == kiro.ClassAuth {
		if cr, err = p.Reauthorize(ctx, id, cr.AccessToken); err != nil {
			return store.Quota{}, err
		}
		u, err = p.quota.UsageLimits(ctx, cr, kiro.MachineID(id))
	}
	if err != nil {
		if errors.As(err, &ue) && ue.Class == kiro.ClassSuspended {
			p.setState(ctx, id, store.StatusSuspended, store.ReasonSuspended.With("message", ue.Message), time.Time{})
		}
		return store.Quota{}, fmt.Errorf("check account %s's credits: %w", id, err)
	}
	now := p.now()
	q := store.Quota{Plan: u.Plan, Used: u.Used, Limit: u.Limit, BaseLimit: u.BaseLimit, TrialLimit: u.TrialLimit,
		BonusLimit: u.BonusLimit, ResetAt: u.ResetAt, CheckedAt: now.UTC()}
	// Kiro's answer is a fact whether or not the disk takes it (Record).
	err = p.file.Record(ctx, func(pl *store.Pool) error {
		a := pl.Account(id)
		if a == nil {
			return nil
		}
		kept := q
		a.Quota = &kept
		if u.Email != "" {
			a.Email = u.Email
		}
		switch {
		case q.AtLimit() && (a.State.Status == store.StatusReady || a.State.Status == store.StatusCooling ||
			a.State.Status == store.StatusExhausted || a.State.Status == store.StatusModelUnavailable):
			until := q.ResetAt
			if !until.After(now) {
				until = nextMonth(now)
			}
			a.State = store.AccountState{Status: store.StatusExhausted, Until: until}.WithReason(
				store.ReasonCreditsUsed.With("used", fmt.Sprintf("%.2f", q.Used), "limit", fmt.Sprintf("%.2f", q.Limit)))
		case !q.AtLimit() && a.State.Status == store.StatusExhausted:
			a.State = store.AccountState{Status: store.StatusReady}
		}
		return nil
	})
	return q, err
}

// refreshQuotaDue checks the credits of every usable account whose last
// answer is older than the TTL.
func (p *Pool) refreshQuotaDue(ctx context.Context) {
	if p.quota == nil {
		return
	}
	ttl := p.quotaTTL()
	now := p.now()
	for _, a := range p.file.Snapshot().Accounts {
		if ctx.Err() != nil {
			return
		}
		if a.Disabled || a.State.Status == store.StatusLoginNeeded || a.State.Status == store.StatusSuspended {
			continue
		}
		if a.Quota != nil && now.Sub(a.Quota.CheckedAt) < ttl {
			continue
		}
		if _, err := p.RefreshQuota(ctx, a.ID); err != nil && ctx.Err() == nil {
			p.log.Warn("could not check an account's credits", "account", a.ID, "err", err)
		}
	}
}
