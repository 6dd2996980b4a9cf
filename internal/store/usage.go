package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// UsageVersion is the usage.json schema version this build writes.
const UsageVersion = 1

// UsageName is the usage history's file name in the config folder.
const UsageName = "usage.json"

// UsageFlushInterval spaces usage.json's writes: the history is written at
// most this often (and at shutdown), so a crash loses at most the counts of
// this last stretch (and of the write under way): the usage ledger hands its
// pending counts over just before each write (File.SetBeforeBatch).
const UsageFlushInterval = 10 * time.Second

// Retention of the usage history: hours older than HourRetention are
// folded into days, days older than DayRetention are dropped.
const (
	HourRetention = 14 * 24 * time.Hour
	DayRetention  = 400 * 24 * time.Hour
)

// LatencyBoundsMs are the upper bounds (milliseconds) of the latency
// histogram's buckets; the last bucket, beyond the last bound, is open.
// Coarse on purpose: p50/p95 are read from it per hour, and a dozen
// integers per row keep the file small.
var LatencyBoundsMs = []int64{100, 250, 500, 1000, 2000, 5000, 10000, 20000, 40000, 80000, 160000}

// LatencyBuckets is the histogram's length: one per bound and the open one.
var LatencyBuckets = len(LatencyBoundsMs) + 1

// Usage is the durable usage history (usage.json): requests, tokens,
// credits, errors and latency per hour (recent) or day (older), account,
// model, client and API. Only counts and names: no prompt, no header.
type Usage struct {
	Version int        `json:"version"`
	Hours   []UsageRow `json:"hours"`
	Days    []UsageRow `json:"days"`
	Extra   Extra      `json:"-"`
}

// UsageKey is what a row counts: one hour or day (its start, UTC) of one
// account × model × client × API.
type UsageKey struct {
	Start   time.Time `json:"start"`
	Account string    `json:"account,omitempty"` // account id
	Model   string    `json:"model,omitempty"`
	Client  string    `json:"client,omitempty"` // see internal/clientname
	API     string    `json:"api,omitempty"`    // messages, chat, responses, other
	// Requested is the client's model name when a model alias sent the
	// requests to Model; "" when none did (older files have no such rows).
	Requested string `json:"requested,omitempty"`
}

// UsageCounts are a row's figures.
type UsageCounts struct {
	Requests int64            `json:"requests"`
	Errors   map[string]int64 `json:"errors,omitempty"` // by class
	Input    int64            `json:"inputTokens"`
	Output   int64            `json:"outputTokens"`
	CacheRd  int64            `json:"cacheReadTokens,omitempty"`
	CacheWr  int64            `json:"cacheWriteTokens,omitempty"`
	// Estimated counts the requests whose tokens were counted locally
	// because Kiro sent no figures.
	Estimated int64   `json:"estimated,omitempty"`
	Credits   float64 `json:"credits"`
	// Latency and FirstByte are histograms over LatencyBoundsMs (total
	// time, and time to the first byte of the answer).
	Latency   []int64 `json:"latency,omitempty"`
	FirstByte []int64 `json:"firstByte,omitempty"`
}

// UsageRow is one row of the history.
type UsageRow struct {
	UsageKey
	UsageCounts
}

// Add adds o's figures to c.
func (c *UsageCounts) Add(o *UsageCounts) {
	c.Requests += o.Requests
	for k, v := range o.Errors {
		if c.Errors == nil {
			c.Errors = map[string]int64{}
		}
		c.Errors[k] += v
	}
	c.Input += o.Input
	c.Output += o.Output
	c.CacheRd += o.CacheRd
	c.CacheWr += o.CacheWr
	c.Estimated += o.Estimated
	c.Credits += o.Credits
	c.Latency = addHist(c.Latency, o.Latency)
	c.FirstByte = addHist(c.FirstByte, o.FirstByte)
}

func addHist(a, b []int64) []int64 {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		a = make([]int64, LatencyBuckets)
	}
	for i := range min(len(a), len(b)) {
		a[i] += b[i]
	}
	return a
}

// ErrorCount is the row's failed requests, all classes together.
func (c *UsageCounts) ErrorCount() int64 {
	var n int64
	for _, v := range c.Errors {
		n += v
	}
	return n
}

func cloneRow(r UsageRow) UsageRow {
	r.Errors = maps.Clone(r.Errors)
	r.Latency = slices.Clone(r.Latency)
	r.FirstByte = slices.Clone(r.FirstByte)
	return r
}

// NewUsage returns an empty history.
func NewUsage() *Usage { return &Usage{Version: UsageVersion, Hours: []UsageRow{}, Days: []UsageRow{}} }

// CloneUsage returns a deep copy.
func CloneUsage(u *Usage) *Usage {
	c := &Usage{Version: u.Version, Hours: make([]UsageRow, len(u.Hours)), Days: make([]UsageRow, len(u.Days)),
		Extra: maps.Clone(u.Extra)}
	for i, r := range u.Hours {
		c.Hours[i] = cloneRow(r)
	}
	for i, r := range u.Days {
		c.Days[i] = cloneRow(r)
	}
	return c
}

// CheckUsage validates a whole history.
func CheckUsage(u *Usage) error {
	var errs []error
	if u.Version != UsageVersion {
		errs = append(errs, fmt.Errorf("version %d, want %d", u.Version, UsageVersion))
	}
	check := func(part string, rows []UsageRow) {
		for i, r := range rows {
			switch {
			case r.Start.IsZero():
				errs = append(errs, fmt.Errorf("%s[%d]: no start time", part, i))
			case r.Requests < 0 || r.Input < 0 || r.Output < 0 || r.CacheRd < 0 || r.CacheWr < 0 || r.Estimated < 0:
				errs = append(errs, fmt.Errorf("%s[%d]: negative count", part, i))
			case len(r.Latency) != 0 && len(r.Latency) != LatencyBuckets,
				len(r.FirstByte) != 0 && len(r.FirstByte) != LatencyBuckets:
				errs = append(errs, fmt.Errorf("%s[%d]: latency histogram of the wrong length", part, i))
			}
		}
	}
	check("hours", u.Hours)
	check("days", u.Days)
	return errors.Join(errs...)
}

// UsageSchema describes usage.json to a File.
func UsageSchema() Schema[Usage] {
	return Schema[Usage]{Name: UsageName, Version: UsageVersion, New: NewUsage, Clone: CloneUsage, Check: CheckUsage}
}

type usageJSON Usage

func (u Usage) MarshalJSON() ([]byte, error) { return encodeKeeping(usageJSON(u), u.Extra) }

func (u *Usage) UnmarshalJSON(b []byte) error {
	err := decodeKeeping(b, (*usageJSON)(u), &u.Extra)
	if u.Hours == nil {
		u.Hours = []UsageRow{}
	}
	if u.Days == nil {
		u.Days = []UsageRow{}
	}
	return err
}

// Fold applies the retention rules as of now: hour rows older than
// HourRetention are added into their (UTC) day's rows, day rows older than
// DayRetention are dropped. It reports whether anything changed.
func (u *Usage) Fold(now time.Time) bool {
	hourCut, dayCut := retentionCuts(now)
	changed := false
	keep := u.Hours[:0]
	var index map[UsageKey]int
	for _, r := range u.Hours {
		if !r.Start.Before(hourCut) {
			keep = append(keep, r)
			continue
		}
		if index == nil {
			index = make(map[UsageKey]int, len(u.Days))
			for i, d := range u.Days {
				index[keyOf(d.UsageKey)] = i
			}
		}
		changed = true
		k := r.UsageKey
		k.Start = r.Start.UTC().Truncate(24 * time.Hour)
		if i, ok := index[keyOf(k)]; ok {
			u.Days[i].Add(&r.UsageCounts)
		} else {
			index[keyOf(k)] = len(u.Days)
			u.Days = append(u.Days, UsageRow{UsageKey: k, UsageCounts: r.UsageCounts})
		}
	}
	clear(u.Hours[len(keep):])
	u.Hours = keep
	n := len(u.Days)
	u.Days = slices.DeleteFunc(u.Days, func(r UsageRow) bool { return r.Start.Before(dayCut) })
	return changed || n != len(u.Days)
}

// retentionCuts are the starts before which an hour row is folded and a day
// row dropped.
func retentionCuts(now time.Time) (hourCut, dayCut time.Time) {
	return now.Add(-HourRetention).Truncate(time.Hour), now.Add(-DayRetention).UTC().Truncate(24 * time.Hour)
}

// FoldDue reports whether Fold(now) would change anything, without
// changing anything (for a reader under File.View).
func (u *Usage) FoldDue(now time.Time) bool {
	hourCut, dayCut := retentionCuts(now)
	old := func(cut time.Time) func(UsageRow) bool {
		return func(r UsageRow) bool { return r.Start.Before(cut) }
	}
	return slices.ContainsFunc(u.Hours, old(hourCut)) || slices.ContainsFunc(u.Days, old(dayCut))
}

// keyOf normalises a key for use in a map (a time.Time's location pointer
// would make equal instants different keys).
func keyOf(k UsageKey) UsageKey {
	k.Start = time.Unix(k.Start.Unix(), 0).UTC()
	return k
}

// UsageIndex maps the hour rows' keys to their position, for merging.
func (u *Usage) UsageIndex() map[UsageKey]int {
	m := make(map[UsageKey]int, len(u.Hours))
	for i, r := range u.Hours {
		m[keyOf(r.UsageKey)] = i
	}
	return m
}

// AddHour adds counts to the hour row of k (k.Start is truncated to the
// hour), keeping index (from UsageIndex) up to date.
func (u *Usage) AddHour(index map[UsageKey]int, k UsageKey, c *UsageCounts) {
	k.Start = k.Start.UTC().Truncate(time.Hour)
	k = keyOf(k)
	if i, ok := index[k]; ok {
		u.Hours[i].Add(c)
		return
	}
	index[k] = len(u.Hours)
	row := UsageRow{UsageKey: k}
	row.Add(c)
	u.Hours = append(u.Hours, row)
}
