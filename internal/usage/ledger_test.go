package usage

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/store"
)

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	return st
}

// sent is a fixed mix of requests; the figures the tests expect are
// counted from it.
func sent(at time.Time) []Record {
	return []Record{
		{Start: at, Account: "acc1", Model: "claude-sonnet-4.5", UserAgent: "claude-cli/1.0.98 (external, cli)", API: APIMessages,
			Status: 200, Input: 100, Output: 20, CacheRead: 7, Credits: 0.5, Latency: 800 * time.Millisecond, FirstByte: 90 * time.Millisecond},
		{Start: at.Add(time.Minute), Account: "acc1", Model: "claude-sonnet-4.5", UserAgent: "claude-cli/1.0.98", API: APIMessages,
			Status: 429, Latency: 30 * time.Millisecond},
		{Start: at.Add(2 * time.Minute), Account: "acc2", Model: "claude-haiku-4.5", UserAgent: "curl/8.5.0", API: APIChat,
			Status: 200, Input: 40, Output: 4, Estimated: true, Credits: 0.25, Latency: 3 * time.Second, FirstByte: time.Second},
		{Start: at.Add(time.Hour), Account: "acc2", Model: "claude-haiku-4.5", UserAgent: "codex_cli_rs/0.42.0", API: APIResponses,
			Status: 502, Latency: 70 * time.Second},
		{Start: at.Add(time.Hour), API: "", Status: 200}, // not a counted API: ignored
	}
}

func TestLedgerCountsIntoTheStoreAndSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	l := New(st.Usage, Options{})
	at := time.Now().Add(-3 * time.Hour).Truncate(time.Hour)
	for _, r := range sent(at) {
		l.Add(r)
	}
	require.NoError(t, l.Sync(context.Background()))
	q := Query{Since: at.Add(-time.Hour), Until: at.Add(5 * time.Hour), By: ByAccount}
	before := Build(st.Usage.Snapshot(), q, time.UTC)
	check := func(rep Report) {
		require.Len(t, rep.Rows, 2)
		a1, a2 := rep.Rows[0], rep.Rows[1]
		if a1.Key != "acc1" {
			a1, a2 = a2, a1
		}
		assert.Equal(t, "acc1", a1.Key)
		assert.EqualValues(t, 2, a1.Requests)
		assert.EqualValues(t, 1, a1.Errors)
		assert.Equal(t, map[string]int64{ErrRateLimit: 1}, a1.ErrorsByClass)
		assert.EqualValues(t, 100, a1.InputTokens)
		assert.EqualValues(t, 7, a1.CacheRead)
		assert.InDelta(t, 0.5, a1.Credits, 1e-9)
		assert.EqualValues(t, 1000, a1.P95Ms, "800 ms falls in the ≤1000 ms bucket")
		assert.EqualValues(t, 100, a1.FirstByteP50Ms)
		assert.EqualValues(t, 2, a2.Requests)
		assert.EqualValues(t, 1, a2.Estimated)
		assert.Equal(t, map[string]int64{ErrUpstream: 1}, a2.ErrorsByClass)
		assert.EqualValues(t, 4, rep.Total.Requests)
		assert.EqualValues(t, 2, rep.Total.Errors)
		assert.EqualValues(t, 140, rep.Total.InputTokens)
		assert.InDelta(t, 0.75, rep.Total.Credits, 1e-9)
	}
	check(before)

	l.Close()
	l.Add(sent(at)[0]) // after Close: dropped into the channel, never merged, never panics
	require.NoError(t, st.Close(context.Background()))
	st = openStore(t, dir)
	defer st.Close(context.Background())
	after := Build(st.Usage.Snapshot(), q, time.UTC)
	check(after)
	assert.Equal(t, before.Rows, after.Rows)
}

// hoursOf is the usage a ledger flushes for recs: each one that reached an
// API counted into its hour.
func hoursOf(recs []Record) *store.Usage {
	u := store.NewUsage()
	l := &Ledger{pending: map[store.UsageKey]*store.UsageCounts{}}
	for _, r := range recs {
		if r.API != "" {
			l.count(r)
		}
	}
	idx := u.UsageIndex()
	for k, c := range l.pending {
		u.AddHour(idx, k, c)
	}
	return u
}

func TestBuildGroupsByEveryGrouping(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	u := hoursOf(sent(at))
	q := Query{Since: at, Until: at.Add(2 * time.Hour)}
	keys := func(by string) map[string]int64 {
		q.By = by
		out := map[string]int64{}
		for _, r := range Build(u, q, time.UTC).Rows {
			out[r.Key] = r.Requests
		}
		return out
	}
	assert.Equal(t, map[string]int64{"2026-12-06T10:00:00Z": 3, "2026-12-06T11:00:00Z": 1}, keys(ByHour))
	assert.Equal(t, map[string]int64{"2026-12-06T00:00:00Z": 4}, keys(ByDay))
	assert.Equal(t, map[string]int64{"acc1": 2, "acc2": 2}, keys(ByAccount))
	assert.Equal(t, map[string]int64{"claude-sonnet-4.5": 2, "claude-haiku-4.5": 2}, keys(ByModel))
	assert.Equal(t, map[string]int64{"Claude Code": 2, "curl": 1, "Codex": 1}, keys(ByClient))

	q.Since = at.Add(time.Hour) // the first hour is outside
	assert.Equal(t, map[string]int64{"2026-12-06T11:00:00Z": 1}, keys(ByHour))
}

func TestErrorClassAndAPI(t *testing.T) {
	for status, want := range map[int]string{200: "", 0: ErrCanceled, 400: ErrInvalid, 413: ErrInvalid, 401: ErrAuth,
		403: ErrAuth, 429: ErrRateLimit, 503: ErrOverloaded, 529: ErrOverloaded, 502: ErrUpstream, 500: ErrUpstream} {
		assert.Equal(t, want, ErrorClass(status), status)
	}
	assert.Equal(t, APIMessages, API("/v1/messages"))
	assert.Equal(t, APIChat, API("/v1/chat/completions"))
	assert.Equal(t, APIResponses, API("/v1/responses"))
	assert.Empty(t, API("/v1/messages/count_tokens"))
	assert.Empty(t, API("/v1/kirodesk/usage"))
}

func TestParseQuery(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	q, err := ParseQuery("", "", "", now)
	require.NoError(t, err)
	assert.Equal(t, Query{Since: now.AddDate(0, 0, -7), Until: now, By: ByDay}, q)
	q, err = ParseQuery("24h", "", "hour", now)
	require.NoError(t, err)
	assert.Equal(t, now.Add(-24*time.Hour), q.Since)
	q, err = ParseQuery("2026-11-01", "2026-12-01", "model", now)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), q.Since)
	assert.Equal(t, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), q.Until)
	for _, bad := range [][3]string{{"yesterday", "", ""}, {"", "soon", ""}, {"", "", "week"}, {"2026-12-05", "2026-12-01", ""}, {"-3d", "", ""}} {
		_, err := ParseQuery(bad[0], bad[1], bad[2], now)
		assert.Error(t, err, bad)
	}
}

func TestForecastWithAFixedClock(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	acct := func(used, limit float64, reset time.Time) store.Account {
		return store.Account{ID: "acc1", Label: "work@example.com", Quota: &store.Quota{Used: used, Limit: limit, ResetAt: reset}}
	}
	// 70 credits in 7 days is 10 a day; 110 left is 11 days: 12 Dec.
	f, ok := ForecastFor(acct(390, 500, time.Time{}), 70, now, time.UTC)
	require.True(t, ok)
	assert.InDelta(t, 10, f.PerDay, 1e-9)
	assert.Equal(t, time.Date(2026, 12, 12, 12, 0, 0, 0, time.UTC), f.ReachesAt)
	assert.Equal(t, "at the last 7 days' rate, work@example.com reaches its limit on 12 Dec 2026", f.Text)

	f, _ = ForecastFor(acct(390, 500, time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)), 70, now, time.UTC)
	assert.True(t, f.ReachesAt.IsZero())
	assert.Equal(t, "at the last 7 days' rate, work@example.com does not reach its limit before it resets on 10 Dec 2026", f.Text)

	f, _ = ForecastFor(acct(10, 500, time.Time{}), 0, now, time.UTC)
	assert.Equal(t, "work@example.com has used no credits in the last 7 days", f.Text)
	f, _ = ForecastFor(acct(500, 500, time.Time{}), 5, now, time.UTC)
	assert.Equal(t, "work@example.com has reached its limit", f.Text)
	_, ok = ForecastFor(store.Account{ID: "acc2"}, 5, now, time.UTC)
	assert.False(t, ok, "no quota known, no forecast")

	// From the history: WithForecasts reads the last 7 days' credits.
	u := store.NewUsage()
	idx := u.UsageIndex()
	u.AddHour(idx, store.UsageKey{Start: now.Add(-2 * 24 * time.Hour), Account: "acc1", API: APIMessages},
		&store.UsageCounts{Requests: 5, Credits: 60})
	u.AddHour(idx, store.UsageKey{Start: now.Add(-time.Hour), Account: "acc1", API: APIMessages},
		&store.UsageCounts{Requests: 1, Credits: 10})
	u.AddHour(idx, store.UsageKey{Start: now.Add(-9 * 24 * time.Hour), Account: "acc1", API: APIMessages},
		&store.UsageCounts{Requests: 1, Credits: 1000}) // older than the window
	rep := WithForecasts(Report{}, u, &store.Pool{Accounts: []store.Account{acct(390, 500, time.Time{}), {ID: "acc2"}}}, now, time.UTC)
	require.Len(t, rep.Forecasts, 1)
	assert.Equal(t, time.Date(2026, 12, 12, 12, 0, 0, 0, time.UTC), rep.Forecasts[0].ReachesAt)
}

// The request path's cost: one non-blocking channel send of a value,
// handed over, never dropped. The merger is let catch up (untimed) every
// half buffer, as it does in production between bursts, so each timed Add
// is a real hand-over; a drop (cheaper) fails the benchmark.
func BenchmarkAdd(b *testing.B) {
	st, err := store.Open(b.TempDir(), store.Options{})
	require.NoError(b, err)
	defer st.Close(context.Background())
	const buffer = 8192
	l := New(st.Usage, Options{Buffer: buffer})
	defer l.Close()
	r := sent(time.Now())[0]
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%(buffer/2) == 0 {
			b.StopTimer()
			require.NoError(b, l.Sync(ctx))
			b.StartTimer()
		}
		l.Add(r)
	}
	b.StopTimer()
	require.Zero(b, l.Dropped(), "the benchmark measured drops, not hand-overs")
}

func TestAddDoesNotAllocate(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close(context.Background())
	l := New(st.Usage, Options{})
	defer l.Close()
	r := sent(time.Now())[0]
	assert.Zero(t, testing.AllocsPerRun(1000, func() { l.Add(r) }))
}

func TestSeriesStacksBucketsAndErrors(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 30, 0, 0, time.UTC)
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	u := hoursOf(sent(at))
	q, err := SeriesQuery("24h", now)
	require.NoError(t, err)
	s, err := BuildSeries(u, q, "24h", ByClient, time.UTC, nil)
	require.NoError(t, err)
	require.Len(t, s.Times, 25, "24 h from 12:30 touches 25 hours")
	i10 := slices.Index(s.Times, at.Unix())
	require.GreaterOrEqual(t, i10, 0)
	require.Len(t, s.Groups, 3)
	assert.Equal(t, "Claude Code", s.Groups[0].Key)
	assert.EqualValues(t, 2, s.Groups[0].Requests[i10])
	assert.EqualValues(t, 120, s.Groups[0].Tokens[i10])
	rate := slices.Index(s.ErrorClasses, ErrRateLimit)
	up := slices.Index(s.ErrorClasses, ErrUpstream)
	assert.EqualValues(t, 1, s.Errors[rate][i10])
	assert.EqualValues(t, 1, s.Errors[up][i10+1])
	assert.EqualValues(t, 5000, s.P95Ms[i10])
	assert.Zero(t, s.P50Ms[0], "no request, no latency")
	assert.EqualValues(t, 4, s.Table.Total.Requests)

	q, err = SeriesQuery("30d", now)
	require.NoError(t, err)
	s, err = BuildSeries(u, q, "30d", ByAccount, time.UTC, func(k string) string { return "label " + k })
	require.NoError(t, err)
	assert.Equal(t, ByDay, s.By)
	assert.Len(t, s.Times, 31)
	assert.Equal(t, "label acc1", s.Groups[0].Label)
	assert.EqualValues(t, 2, s.Groups[0].Requests[len(s.Times)-1])

	_, err = SeriesQuery("1y", now)
	assert.Error(t, err)
	_, err = BuildSeries(u, q, "30d", "api", time.UTC, nil)
	assert.Error(t, err)
}

// Requests an alias served are counted apart, under both names: the model
// grouping says "gpt-4o → claude-sonnet-4.5", the account grouping adds
// them to the rest.
func TestAliasedRequestsKeepBothNames(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	recs := sent(at)
	aliased := recs[0]
	aliased.Requested = "gpt-4o"
	u := hoursOf(append(recs, aliased, aliased))
	q := Query{Since: at, Until: at.Add(2 * time.Hour), By: ByModel}
	got := map[string]int64{}
	for _, r := range Build(u, q, time.UTC).Rows {
		got[r.Key] = r.Requests
	}
	assert.Equal(t, map[string]int64{"claude-sonnet-4.5": 2, "gpt-4o → claude-sonnet-4.5": 2, "claude-haiku-4.5": 2}, got)
	q.By = ByAccount
	assert.EqualValues(t, 4, Build(u, q, time.UTC).Rows[0].Requests, "acc1: its own two and the two aliased")
}

// A history opened after weeks without a request is folded at start, not
// at the first request: hours older than 14 days become days, days older
// than 400 days go, and the file is written so.
func TestAnIdleHistoryIsFoldedAtStart(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	st := openStore(t, dir)
	k := store.UsageKey{Account: "acc1", Model: "m", Client: "curl", API: APIChat}
	st.Usage.Touch(func(u *store.Usage) {
		idx := u.UsageIndex()
		old := now.Add(-20 * 24 * time.Hour).UTC().Truncate(24 * time.Hour).Add(time.Hour) // two hours of one UTC day
		for _, at := range []time.Time{now.Add(-time.Hour), old, old.Add(time.Hour)} {
			k.Start = at
			u.AddHour(idx, k, &store.UsageCounts{Requests: 2})
		}
		u.Days = append(u.Days, store.UsageRow{UsageKey: store.UsageKey{Start: now.Add(-500 * 24 * time.Hour).UTC().Truncate(24 * time.Hour)},
			UsageCounts: store.UsageCounts{Requests: 9}})
	})
	require.NoError(t, st.Close(context.Background()))

	st = openStore(t, dir)
	require.Len(t, st.Usage.Snapshot().Hours, 3, "opening alone folds nothing")
	l := New(st.Usage, Options{})
	l.Close() // no request was counted
	require.NoError(t, st.Close(context.Background()))

	st = openStore(t, dir)
	defer st.Close(context.Background())
	u := st.Usage.Snapshot()
	require.Len(t, u.Hours, 1)
	require.Len(t, u.Days, 1, "the two old hours are one day, the 500-day-old day is gone")
	assert.EqualValues(t, 4, u.Days[0].Requests)
	assert.False(t, u.FoldDue(now))
}

func TestRequestsSinceCountsFromTheHourOfSince(t *testing.T) {
	u := store.NewUsage()
	idx := u.UsageIndex()
	midnight := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for at, n := range map[time.Time]int64{
		midnight.Add(-time.Hour):      5, // yesterday's last hour
		midnight:                      2,
		midnight.Add(13 * time.Hour):  3,
		midnight.Add(-30 * time.Hour): 7,
	} {
		u.AddHour(idx, store.UsageKey{Start: at, Account: "a", API: APIChat}, &store.UsageCounts{Requests: n})
	}
	assert.EqualValues(t, 5, RequestsSince(u, midnight))
	// A midnight at half past a UTC hour (UTC+5:30) takes in the hour it falls in.
	assert.EqualValues(t, 10, RequestsSince(u, midnight.Add(-30*time.Minute)))
	assert.Zero(t, RequestsSince(u, midnight.Add(14*time.Hour)))
}

// A day folded from hours (a UTC day) is drawn on the day of its date, in
// a time zone west of UTC too, as the table counts it.
func TestSeriesPutsAFoldedDayOnItsDate(t *testing.T) {
	west := time.FixedZone("UTC-5", -5*3600)
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, west)
	u := store.NewUsage()
	day := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	u.Days = append(u.Days, store.UsageRow{UsageKey: store.UsageKey{Start: day, Account: "acc1", API: APIChat},
		UsageCounts: store.UsageCounts{Requests: 6}})
	q, err := SeriesQuery("30d", now)
	require.NoError(t, err)
	s, err := BuildSeries(u, q, "30d", ByAccount, west, nil)
	require.NoError(t, err)
	require.Len(t, s.Groups, 1)
	i := slices.Index(s.Times, time.Date(2026, 11, 10, 0, 0, 0, 0, west).Unix())
	require.GreaterOrEqual(t, i, 0)
	assert.EqualValues(t, 6, s.Groups[0].Requests[i], "10 Nov, not the 9th")
	require.Len(t, s.Table.Rows, 1)
	assert.Equal(t, "2026-11-10T00:00:00-05:00", s.Table.Rows[0].Key, "the table says the same day")
}
