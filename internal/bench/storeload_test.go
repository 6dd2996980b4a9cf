package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// storeResult is the state store's cost while Kirodesk serves: every
// request touches its account's counters, and pool.json (all accounts) is
// rewritten at most once a second, atomically and durably.
type storeResult struct {
	Accounts    int     `json:"accounts"`
	Seconds     float64 `json:"seconds"`
	Requests    int     `json:"requests"`
	RPS         float64 `json:"requests_per_second"`
	Writes      int64   `json:"writes"`
	FileBytes   int64   `json:"file_bytes"`
	BytesPerSec float64 `json:"bytes_written_per_second"`
	FlushAvgMs  float64 `json:"flush_avg_ms"`
	FlushMaxMs  float64 `json:"flush_max_ms"`
}

// measureStore runs 16 clients back to back for d against a Kirodesk with
// n accounts (round-robin, so every account's counters move) and reads the
// pool file's write statistics.
func measureStore(tb testing.TB, n int, d time.Duration) storeResult {
	tb.Helper()
	e := newEnvWith(tb, fixedAnswer, envOptions{Accounts: n, Strategy: "round-robin"})
	e.checkAnswers(tb)
	ctx := context.Background()
	body := anthropicBody(false)
	req := func() *http.Request { return e.newProxied(ctx, body) }
	var warm samples
	e.run(16, 200, 0, time.Now().Add(time.Minute), req, false, &warm)

	pool := e.core.Store.Pool
	before := pool.Stats()
	var s samples
	e.run(16, 1_000_000, 0, time.Now().Add(d), req, false, &s)
	after := pool.Stats()
	if s.errs > 0 {
		tb.Errorf("store load with %d accounts: %d failed requests, first: %v", n, s.errs, s.firstErr)
	}
	r := storeResult{Accounts: n, Seconds: s.wall.Seconds(), Requests: len(s.lat), Writes: after.Writes - before.Writes}
	r.RPS = float64(r.Requests) / r.Seconds
	bytes := after.Bytes - before.Bytes
	r.BytesPerSec = float64(bytes) / r.Seconds
	if r.Writes > 0 {
		r.FileBytes = bytes / r.Writes
		r.FlushAvgMs = float64(after.Total-before.Total) / float64(r.Writes) / float64(time.Millisecond)
	}
	r.FlushMaxMs = float64(after.Max) / float64(time.Millisecond)
	if r.Writes == 0 {
		tb.Errorf("store load with %d accounts: pool.json was never written in %v of load", n, d)
	}
	return r
}

func printStore(w io.Writer, rs []storeResult) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintln(w, "\nState store under load (16 clients back to back, round-robin; pool.json rewritten atomically at most once a second)")
	tw := table(w, "accounts\treq/s\twrites\tfile KB\tKB written/s\tflush avg ms\tflush max ms\t")
	for _, r := range rs {
		fmt.Fprintf(tw, "%d\t%.0f\t%d\t%.1f\t%.1f\t%.2f\t%.2f\t\n", r.Accounts, r.RPS, r.Writes,
			float64(r.FileBytes)/1024, r.BytesPerSec/1024, r.FlushAvgMs, r.FlushMaxMs)
	}
	tw.Flush()
}
