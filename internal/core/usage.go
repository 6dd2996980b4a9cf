package core

import (
	"context"
	"time"

	"kirodesk/internal/control"
	"kirodesk/internal/store"
	"kirodesk/internal/usage"
)

// Usage answers a usage-history question (usage.ParseQuery's words) with
// the requests counted so far and a forecast per account with a known
// limit: for the Usage view, `kirodesk usage` and GET /v1/kirodesk/usage.
func (c *Core) Usage(ctx context.Context, since, until, by string) (usage.Report, error) {
	now := c.now()
	q, err := usage.ParseQuery(since, until, by, now)
	if err != nil {
		return usage.Report{}, err
	}
	if err := c.Ledger.Sync(ctx); err != nil {
		return usage.Report{}, err
	}
	u := c.Store.Usage.Snapshot()
	rep := usage.Build(u, q, time.Local)
	return usage.WithForecasts(rep, u, c.Store.Pool.Snapshot(), now, time.Local), nil
}

// RequestsToday is the API requests counted since local midnight, from the
// usage history: unlike the request log's live counters it survives a
// restart (the tray's usage line).
func (c *Core) RequestsToday(ctx context.Context) (int64, error) {
	if err := c.Ledger.Sync(ctx); err != nil {
		return 0, err
	}
	now := c.now()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	var n int64
	c.Store.Usage.View(func(u *store.Usage) { n = usage.RequestsSince(u, midnight) })
	return n, nil
}

func (c *Core) now() time.Time {
	if c.clock != nil {
		return c.clock()
	}
	return time.Now()
}

// controlAPI is what the control socket serves: the accounts, and the
// usage history.
type controlAPI struct {
	*control.Local
	core *Core
}

func (a controlAPI) Usage(ctx context.Context, since, until, by string) (usage.Report, error) {
	return a.core.Usage(ctx, since, until, by)
}

var _ control.UsageAPI = controlAPI{}

// UsageSeries is the usage history as the Usage view draws it: rng one of
// usage.Ranges, stacked by stack (account, model or client), accounts
// named by their labels, with the table and the forecasts.
func (c *Core) UsageSeries(ctx context.Context, rng, stack string) (usage.Series, error) {
	now := c.now()
	q, err := usage.SeriesQuery(rng, now)
	if err != nil {
		return usage.Series{}, err
	}
	if err := c.Ledger.Sync(ctx); err != nil {
		return usage.Series{}, err
	}
	u, pool := c.Store.Usage.Snapshot(), c.Store.Pool.Snapshot()
	labels := map[string]string{}
	for _, a := range pool.Accounts {
		labels[a.ID] = a.Label
	}
	label := func(k string) string {
		if stack == usage.ByAccount {
			return labels[k]
		}
		return k
	}
	s, err := usage.BuildSeries(u, q, rng, stack, time.Local, label)
	if err != nil {
		return usage.Series{}, err
	}
	s.Table = usage.WithForecasts(s.Table, u, pool, now, time.Local)
	return s, nil
}
