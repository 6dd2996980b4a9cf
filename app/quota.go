package app

import (
	"context"
	"errors"
	"math"
	"time"

	"kirodesk/app/i18n"
	"kirodesk/internal/core"
	"kirodesk/internal/locale"
	"kirodesk/internal/store"
)

// quotaWarnAt is the share of the credits used from which the person is
// told (once per account and reset period) that an account is nearly out.
const quotaWarnAt = 0.9

// RefreshQuota asks Kiro for the account's plan and credits now.
func (a *App) RefreshQuota(id string) (store.Quota, error) {
	return withCore(a, 30*time.Second, func(ctx context.Context, c *core.Core) (store.Quota, error) {
		q, err := c.Pool.RefreshQuota(ctx, id)
		a.emitAccounts()
		if err == nil {
			a.checkQuota(c)
		}
		return q, err
	})
}

// RetryAccount ("Try again now") puts a suspended, cooling or exhausted
// account back in service at once; the next request tells whether it is.
func (a *App) RetryAccount(id string) error {
	return a.editAccount(func(ctx context.Context, c *core.Core) error { return c.Pool.Reset(ctx, id) })
}

// quotaShare is the share of the credits used, or -1 when unknown.
func quotaShare(q *store.Quota) float64 {
	if q == nil || q.Limit <= 0 {
		return -1
	}
	return q.Used / q.Limit
}

// quotaPercent is the whole percentage of the credits used, or -1.
func quotaPercent(q *store.Quota) int {
	s := quotaShare(q)
	if s < 0 {
		return -1
	}
	return int(math.Min(100, math.Floor(s*100)))
}

// quotaNote is the tray's short quota text, "93% used", in l. The app
// writes it (the tray is sent the note, not the figures).
func quotaNote(l locale.Lang, q *store.Quota) string {
	p := quotaPercent(q)
	if p < 0 {
		return ""
	}
	return i18n.App.T(l, "QuotaUsed", "Percent", p)
}

// errNothingDue ends a notices update that has nothing to record.
var errNothingDue = errors.New("no quota notice due")

// checkQuota tells the person when an account has used quotaWarnAt of its
// credits: once per account and reset period (the reset date names the
// period), not again after each refresh or restart. The periods already
// told live in the store's quota-notices.json; deciding and recording
// happen in one Update, so two checks at once cannot both warn.
func (a *App) checkQuota(c *core.Core) {
	type warn struct {
		label   string
		percent int
	}
	var due []warn
	accounts := c.Store.Pool.Snapshot().Accounts
	err := c.Store.QuotaNotices.Update(context.Background(), func(n *store.QuotaNotices) error {
		due = due[:0] // start clean, whatever an earlier call of fn collected
		for _, acc := range accounts {
			if acc.Disabled || quotaShare(acc.Quota) < quotaWarnAt {
				continue
			}
			period := acc.Quota.ResetAt.UTC().Format(time.RFC3339)
			if acc.Quota.ResetAt.IsZero() { // no reset date: the month it was seen in
				period = acc.Quota.CheckedAt.UTC().Format("2006-01")
			}
			if n.Told[acc.ID] == period {
				continue
			}
			n.Told[acc.ID] = period
			due = append(due, warn{acc.Label, quotaPercent(acc.Quota)})
		}
		if len(due) == 0 {
			return errNothingDue
		}
		return nil
	})
	switch {
	case errors.Is(err, errNothingDue):
		return
	case errors.Is(err, store.ErrNotSaved):
		// Remembered in memory, so not repeated before a restart.
		a.log.Warn("quota notices not saved", "err", err)
	case err != nil:
		// Not recorded: warning now would repeat at every check.
		a.log.Warn("quota notices not recorded", "err", err)
		return
	}
	for _, w := range due {
		a.notify(a.tr("NotifyQuotaTitle"), a.tr("NotifyQuotaBody", "Account", w.label, "Percent", w.percent))
	}
}
