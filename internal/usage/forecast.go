package usage

import (
	"cmp"
	"fmt"
	"time"

	"kirodesk/internal/store"
)

// ForecastWindow is how far back the credit rate of a forecast looks.
const ForecastWindow = 7 * 24 * time.Hour

// Forecast is when an account's credits run out at its recent rate.
type Forecast struct {
	Account string    `json:"account"` // id
	Label   string    `json:"label"`
	Used    float64   `json:"used"`
	Limit   float64   `json:"limit"`
	ResetAt time.Time `json:"resetAt,omitzero"` // when Kiro reported one
	// PerDay is the credits per day over the last ForecastWindow, from the
	// usage history.
	PerDay float64 `json:"perDay"`
	// ReachesAt is when Used reaches Limit at PerDay; zero if it never
	// does (no use) or not before ResetAt.
	ReachesAt time.Time `json:"reachesAt,omitzero"`
	Text      string    `json:"text"`
}

// Forecast texts.
const (
	forecastReaches    = "at the last 7 days' rate, %s reaches its limit on %s"
	forecastReachedNow = "%s has reached its limit"
	forecastNotBefore  = "at the last 7 days' rate, %s does not reach its limit before it resets on %s"
	forecastIdle       = "%s has used no credits in the last 7 days"
)

// ForecastFor forecasts one account from its quota and the credits it used
// in the last ForecastWindow. Dates are written in loc.
func ForecastFor(a store.Account, recent float64, now time.Time, loc *time.Location) (Forecast, bool) {
	q := a.Quota
	if q == nil || q.Limit <= 0 {
		return Forecast{}, false
	}
	name := cmp.Or(a.Label, a.ID)
	f := Forecast{Account: a.ID, Label: name, Used: q.Used, Limit: q.Limit, ResetAt: q.ResetAt,
		PerDay: recent / (ForecastWindow.Hours() / 24)}
	day := func(t time.Time) string { return t.In(loc).Format("2 Jan 2006") }
	switch {
	case q.Used >= q.Limit:
		f.ReachesAt = now
		f.Text = fmt.Sprintf(forecastReachedNow, name)
	case f.PerDay <= 0:
		f.Text = fmt.Sprintf(forecastIdle, name)
	default:
		days := (q.Limit - q.Used) / f.PerDay
		at := now.Add(time.Duration(days * 24 * float64(time.Hour)))
		if !q.ResetAt.IsZero() && !at.Before(q.ResetAt) {
			f.Text = fmt.Sprintf(forecastNotBefore, name, day(q.ResetAt))
		} else {
			f.ReachesAt = at
			f.Text = fmt.Sprintf(forecastReaches, name, day(at))
		}
	}
	return f, true
}

// WithForecasts adds a forecast per account of pool with a known limit to
// rep, reading each account's recent credits from u.
func WithForecasts(rep Report, u *store.Usage, pool *store.Pool, now time.Time, loc *time.Location) Report {
	if loc == nil {
		loc = time.Local
	}
	recent := map[string]float64{}
	for _, r := range Build(u, Query{Since: now.Add(-ForecastWindow), Until: now.Add(time.Hour), By: ByAccount}, loc).Rows {
		recent[r.Key] = r.Credits
	}
	for _, a := range pool.Accounts {
		if f, ok := ForecastFor(a, recent[a.ID], now, loc); ok {
			rep.Forecasts = append(rep.Forecasts, f)
		}
	}
	return rep
}
