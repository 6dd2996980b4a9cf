package app

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"time"

	"kirodesk/internal/core"
	"kirodesk/internal/store"
)

// quotaWarnAt is the share of the credits used from which the person is
// told (once per account and reset period) that an account is nearly out.
const quotaWarnAt = 0.9

// RefreshQuota asks Kiro for the account's plan and credits now.
func (a *App) RefreshQuota(id string) (store.Quota, error) {
	c, err := a.ready()
	if err != nil {
		return store.Quota{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q, err := c.Pool.RefreshQuota(ctx, id)
	a.emitAccounts()
	if err == nil {
		a.checkQuota(c)
	}
	return q, err
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

// quotaNote is the tray's short quota text: "93% used".
func quotaNote(q *store.Quota) string {
	s := quotaShare(q)
	if s < 0 {
		return ""
	}
	return fmt.Sprintf("%d%% used", int(math.Min(100, math.Floor(s*100))))
}

// checkQuota tells the person when an account has used quotaWarnAt of its
// credits: once per account and reset period (the reset date names the
// period), not again after each refresh.
func (a *App) checkQuota(c *core.Core) {
	type warn struct{ id, label, note, period string }
	var due []warn
	a.mu.Lock()
	if a.quotaWarned == nil {
		a.quotaWarned = loadQuotaWarned(c.ConfigDir)
	}
	for _, acc := range c.Store.Pool.Snapshot().Accounts {
		if acc.Disabled || quotaShare(acc.Quota) < quotaWarnAt {
			continue
		}
		period := acc.Quota.ResetAt.UTC().Format(time.RFC3339)
		if acc.Quota.ResetAt.IsZero() { // no reset date: the month it was seen in
			period = acc.Quota.CheckedAt.UTC().Format("2006-01")
		}
		if a.quotaWarned[acc.ID] == period {
			continue
		}
		a.quotaWarned[acc.ID] = period
		due = append(due, warn{acc.ID, acc.Label, quotaNote(acc.Quota), period})
	}
	var keep map[string]string
	if len(due) > 0 {
		keep = maps.Clone(a.quotaWarned)
	}
	a.mu.Unlock()
	if keep != nil {
		if err := saveQuotaWarned(c.ConfigDir, keep); err != nil {
			a.log.Debug("quota notices not saved", "err", err)
		}
	}
	for _, w := range due {
		a.notify("Kirodesk: quota nearly used", fmt.Sprintf("%s has %s of its credits.", w.label, w.note))
	}
}

// quotaNoticesFile keeps, per account, the reset period it was last told
// about, so that a restart does not repeat the notification. Losing it
// costs one repeated notification, so it needs no backup or schema.
const quotaNoticesFile = "quota-notices.json"

func loadQuotaWarned(dir string) map[string]string {
	m := map[string]string{}
	if b, err := os.ReadFile(filepath.Join(dir, quotaNoticesFile)); err == nil {
		_ = json.Unmarshal(b, &m) // a damaged file only means telling again
	}
	return m
}

func saveQuotaWarned(dir string, m map[string]string) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return store.WriteFileAtomic(filepath.Join(dir, quotaNoticesFile), b)
}
