package usage

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"kirodesk/internal/store"
	"kirodesk/internal/uitext"
)

// Ranges are the spans the Usage view offers, and the bucket each is drawn
// with: hours up to a week, days beyond.
var Ranges = []string{"24h", "7d", "30d", "90d"}

// Stacks are what a chart's bars can be split by.
var Stacks = []string{ByAccount, ByModel, ByClient}

// Series is the history as the Usage view draws it: one point per bucket
// (Query.By: hour or day) from Since to Until, the requests and tokens
// split by Stack, errors by class and latency percentiles over time.
type Series struct {
	Query
	Range  string        `json:"range"`
	Stack  string        `json:"stack"`
	Times  []int64       `json:"times"` // bucket starts, Unix seconds
	Groups []SeriesGroup `json:"groups"`
	// Errors[i] counts ErrorClasses[i] per bucket.
	ErrorClasses []string  `json:"errorClasses"`
	Errors       [][]int64 `json:"errors"`
	P50Ms        []int64   `json:"p50Ms"` // 0 where a bucket had no request
	P95Ms        []int64   `json:"p95Ms"`
	// Table is the same span per bucket (with totals), for the table
	// under the chart and the CSV export.
	Table Report `json:"table"`
}

// SeriesGroup is one stacked part of the chart.
type SeriesGroup struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	// LabelText names a group the window translates (the clients no one
	// recognised, no account or model); empty for a name of the person's.
	LabelText uitext.Text `json:"labelText,omitzero"`
	Requests  []int64     `json:"requests"`
	Tokens    []int64     `json:"tokens"` // input + output
}

// SeriesQuery turns a range of Ranges into the Query a Series is built from.
func SeriesQuery(rng string, now time.Time) (Query, error) {
	by := ByHour
	if rng == "30d" || rng == "90d" {
		by = ByDay
	}
	if !slices.Contains(Ranges, rng) {
		return Query{}, fmt.Errorf("range %q: use one of %s", rng, strings.Join(Ranges, ", "))
	}
	return ParseQuery(rng, "", by, now)
}

// BuildSeries draws u over q (By: hour or day) split by stack. label names
// a group for people (an account's label); nil keeps the key.
func BuildSeries(u *store.Usage, q Query, rng, stack string, loc *time.Location, label func(string) string) (Series, error) {
	if !slices.Contains(Stacks, stack) {
		return Series{}, fmt.Errorf("stack %q: use one of %s", stack, strings.Join(Stacks, ", "))
	}
	if loc == nil {
		loc = time.Local
	}
	if label == nil {
		label = func(k string) string { return k }
	}
	s := Series{Query: q, Range: rng, Stack: stack, ErrorClasses: ErrorClasses, Table: Build(u, q, loc)}
	// Buckets: whole hours or local days covering [Since, Until).
	start := q.Since.In(loc).Truncate(time.Hour)
	if q.By == ByDay {
		t := q.Since.In(loc)
		start = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	for t := start; t.Before(q.Until); t = next(t, q.By) {
		s.Times = append(s.Times, t.Unix())
	}
	n := len(s.Times)
	at := func(t time.Time) int { // the bucket of t, or -1
		i, found := slices.BinarySearch(s.Times, t.Unix())
		if !found {
			i--
		}
		if i < 0 || i >= n {
			return -1
		}
		return i
	}
	groups := map[string]*SeriesGroup{}
	hist := make([]store.UsageCounts, n)
	for p, part := range [][]store.UsageRow{u.Hours, u.Days} {
		for i := range part {
			r := &part[i]
			when := r.Start
			if p == 1 {
				// A folded day is a UTC day: it goes to the local day of
				// the same date, as in Build (in a time zone west of UTC
				// its start falls on the evening before).
				d := r.Start.UTC()
				when = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
			}
			if !when.Before(q.Until) || when.Before(start) {
				continue
			}
			b := at(when)
			if b < 0 {
				continue
			}
			key := groupKey(r, stack, time.Hour, loc)
			g := groups[key]
			if g == nil {
				g = &SeriesGroup{Key: key, Label: cmp.Or(label(key), key), LabelText: specialLabel(stack, key),
					Requests: make([]int64, n), Tokens: make([]int64, n)}
				groups[key] = g
			}
			g.Requests[b] += r.Requests
			g.Tokens[b] += r.Input + r.Output
			hist[b].Add(&r.UsageCounts)
		}
	}
	for _, g := range groups {
		s.Groups = append(s.Groups, *g)
	}
	sum := func(v []int64) (t int64) {
		for _, x := range v {
			t += x
		}
		return t
	}
	slices.SortFunc(s.Groups, func(a, b SeriesGroup) int {
		return cmp.Or(cmp.Compare(sum(b.Requests), sum(a.Requests)), strings.Compare(a.Key, b.Key))
	})
	s.Errors = make([][]int64, len(ErrorClasses))
	for c, class := range ErrorClasses {
		s.Errors[c] = make([]int64, n)
		for b := range hist {
			s.Errors[c][b] = hist[b].Errors[class]
		}
	}
	s.P50Ms, s.P95Ms = make([]int64, n), make([]int64, n)
	for b := range hist {
		s.P50Ms[b], s.P95Ms[b] = percentile(hist[b].Latency, 0.5), percentile(hist[b].Latency, 0.95)
	}
	if s.Groups == nil {
		s.Groups = []SeriesGroup{}
	}
	return s, nil
}

func next(t time.Time, by string) time.Time {
	if by == ByDay {
		return t.AddDate(0, 0, 1)
	}
	return t.Add(time.Hour)
}

// The groups with a name of ours rather than the person's, with codes the
// window translates (frontend/src/i18n, "gotext.usage").
var (
	msgOtherClient = uitext.Define("usage.otherClient", "other")
	msgNone        = uitext.Define("usage.none", "(none)")
)

// specialLabel is the code of a group named by us: "other" among clients,
// "(none)" among accounts and models.
func specialLabel(stack, key string) uitext.Text {
	switch {
	case stack == ByClient && key == "other":
		return msgOtherClient.With()
	case stack != ByClient && key == "(none)":
		return msgNone.With()
	}
	return uitext.Text{}
}
