package usage

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"kirodesk/internal/store"
)

// Groupings a Query can ask for.
const (
	ByHour    = "hour"
	ByDay     = "day"
	ByAccount = "account"
	ByModel   = "model"
	ByClient  = "client"
)

// Groupings lists them, for flags and messages.
var Groupings = []string{ByDay, ByHour, ByAccount, ByModel, ByClient}

// Query asks for the history between Since (inclusive) and Until
// (exclusive), grouped By one of Groupings.
type Query struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	By    string    `json:"by"`
}

// ParseQuery reads the CLI's and the HTTP API's words: since is a span
// back from now ("24h", "7d", "90d") or a date (2006-01-02, local time),
// "" meaning 7 days; until is a date (exclusive: the day before it is the
// last one counted), "" meaning now; by is one of Groupings, "" meaning day.
// Its errors are *QueryError: the caller's words were wrong.
func ParseQuery(since, until, by string, now time.Time) (Query, error) {
	q, err := parseQuery(since, until, by, now)
	if err != nil {
		return Query{}, &QueryError{err}
	}
	return q, nil
}

// QueryError is a refusal of a usage query's words, which the one who
// asked can mend (the HTTP API answers it 400 with its text); any other
// error of a usage report is a failure of Kirodesk's.
type QueryError struct{ Err error }

func (e *QueryError) Error() string { return e.Err.Error() }
func (e *QueryError) Unwrap() error { return e.Err }

func parseQuery(since, until, by string, now time.Time) (Query, error) {
	q := Query{Since: now.Add(-7 * 24 * time.Hour), Until: now, By: cmp.Or(by, ByDay)}
	if !slices.Contains(Groupings, q.By) {
		return Query{}, fmt.Errorf("by %q: use one of %s", by, strings.Join(Groupings, ", "))
	}
	if since != "" {
		t, err := parseWhen(since, now)
		if err != nil {
			return Query{}, fmt.Errorf("since %q: %w", since, err)
		}
		q.Since = t
	}
	if until != "" {
		t, err := parseWhen(until, now)
		if err != nil {
			return Query{}, fmt.Errorf("until %q: %w", until, err)
		}
		q.Until = t
	}
	if !q.Since.Before(q.Until) {
		return Query{}, errors.New("since must be before until")
	}
	return q, nil
}

func parseWhen(s string, now time.Time) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, now.Location()); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d > 0 {
			return now.AddDate(0, 0, -d), nil
		}
	}
	if n, ok := strings.CutSuffix(s, "h"); ok {
		if h, err := strconv.Atoi(n); err == nil && h > 0 {
			return now.Add(-time.Duration(h) * time.Hour), nil
		}
	}
	return time.Time{}, errors.New("use a span such as 24h, 7d or 90d, or a date such as 2026-12-01")
}

// Row is the figures of one group (an hour, a day, an account, ...).
type Row struct {
	Key           string           `json:"key"` // RFC 3339 start for hour/day, else the name
	Requests      int64            `json:"requests"`
	Errors        int64            `json:"errors"`
	ErrorsByClass map[string]int64 `json:"errorsByClass,omitempty"`
	InputTokens   int64            `json:"inputTokens"`
	OutputTokens  int64            `json:"outputTokens"`
	CacheRead     int64            `json:"cacheReadTokens"`
	CacheWrite    int64            `json:"cacheWriteTokens"`
	// Estimated is how many of the requests had their tokens counted
	// locally (Kiro sent no figures).
	Estimated int64   `json:"estimatedRequests"`
	Credits   float64 `json:"credits"`
	// Latency percentiles, read from a histogram: the upper bound of the
	// bucket the percentile falls in (0 when there is nothing to read).
	P50Ms          int64 `json:"p50Ms"`
	P95Ms          int64 `json:"p95Ms"`
	FirstByteP50Ms int64 `json:"firstByteP50Ms"`
	FirstByteP95Ms int64 `json:"firstByteP95Ms"`

	sum store.UsageCounts
}

// Report is a Query's answer.
type Report struct {
	Query
	Rows  []Row `json:"rows"`
	Total Row   `json:"total"`
	// Forecasts, one per account with a known limit (WithForecasts).
	Forecasts []Forecast `json:"forecasts,omitempty"`
}

// Build answers q from a history. Hours are grouped in loc's hours and
// days; rows already folded into days (older than two weeks) are UTC days.
func Build(u *store.Usage, q Query, loc *time.Location) Report {
	if loc == nil {
		loc = time.Local
	}
	groups := map[string]*Row{}
	add := func(r *store.UsageRow, span time.Duration) {
		if r.Start.Add(span).Before(q.Since) || r.Start.Add(span).Equal(q.Since) || !r.Start.Before(q.Until) {
			return
		}
		key := groupKey(r, q.By, span, loc)
		g := groups[key]
		if g == nil {
			g = &Row{Key: key}
			groups[key] = g
		}
		g.sum.Add(&r.UsageCounts)
	}
	for i := range u.Hours {
		add(&u.Hours[i], time.Hour)
	}
	for i := range u.Days {
		add(&u.Days[i], 24*time.Hour)
	}
	rep := Report{Query: q, Rows: make([]Row, 0, len(groups)), Total: Row{Key: "total"}}
	for _, g := range groups {
		rep.Total.sum.Add(&g.sum)
		rep.Rows = append(rep.Rows, finish(*g))
	}
	rep.Total = finish(rep.Total)
	if q.By == ByHour || q.By == ByDay {
		slices.SortFunc(rep.Rows, func(a, b Row) int { return strings.Compare(a.Key, b.Key) })
	} else {
		slices.SortFunc(rep.Rows, func(a, b Row) int {
			return cmp.Or(cmp.Compare(b.Requests, a.Requests), strings.Compare(a.Key, b.Key))
		})
	}
	return rep
}

func groupKey(r *store.UsageRow, by string, span time.Duration, loc *time.Location) string {
	switch by {
	case ByHour:
		return r.Start.In(loc).Format(time.RFC3339)
	case ByDay:
		t := r.Start.In(loc)
		if span > time.Hour {
			t = r.Start.UTC() // a folded day is a UTC day
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).Format(time.RFC3339)
		}
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).Format(time.RFC3339)
	case ByAccount:
		return cmp.Or(r.Account, "(none)")
	case ByModel:
		if r.Requested != "" {
			// Both names: what the client asked for, and what served it.
			return r.Requested + " → " + cmp.Or(r.Model, "(none)")
		}
		return cmp.Or(r.Model, "(none)")
	}
	return cmp.Or(r.Client, "other")
}

func finish(g Row) Row {
	c := &g.sum
	g.Requests, g.Errors, g.ErrorsByClass = c.Requests, c.ErrorCount(), maps.Clone(c.Errors)
	g.InputTokens, g.OutputTokens, g.CacheRead, g.CacheWrite = c.Input, c.Output, c.CacheRd, c.CacheWr
	g.Estimated, g.Credits = c.Estimated, c.Credits
	g.P50Ms, g.P95Ms = percentile(c.Latency, 0.50), percentile(c.Latency, 0.95)
	g.FirstByteP50Ms, g.FirstByteP95Ms = percentile(c.FirstByte, 0.50), percentile(c.FirstByte, 0.95)
	return g
}

// percentile reads the p-th percentile from a histogram over
// store.LatencyBoundsMs: the bound of the bucket it falls in (the open
// last bucket reads as twice the last bound).
func percentile(h []int64, p float64) int64 {
	var total int64
	for _, n := range h {
		total += n
	}
	if total == 0 {
		return 0
	}
	want := int64(float64(total)*p + 0.999999)
	var seen int64
	for i, n := range h {
		seen += n
		if seen >= want {
			if i < len(store.LatencyBoundsMs) {
				return store.LatencyBoundsMs[i]
			}
			break
		}
	}
	return 2 * store.LatencyBoundsMs[len(store.LatencyBoundsMs)-1]
}

// RequestsSince is the requests counted from since on (the hour holding
// since included: rows are whole UTC hours, and a half-hour time zone's
// midnight falls inside one).
func RequestsSince(u *store.Usage, since time.Time) int64 {
	var n int64
	for _, rows := range [][]store.UsageRow{u.Hours, u.Days} {
		for _, r := range rows {
			if r.Start.After(since.Add(-time.Hour)) {
				n += r.Requests
			}
		}
	}
	return n
}
