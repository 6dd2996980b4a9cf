//go:build linux

package usage

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// TestMain lets TestUsageSurvivesKill9 run this test binary as a child
// that counts requests into a ledger (KIRODESK_USAGE_CHILD=1).
func TestMain(m *testing.M) {
	if os.Getenv("KIRODESK_USAGE_CHILD") == "1" {
		os.Exit(crashChild(os.Getenv("KIRODESK_USAGE_DIR")))
	}
	os.Exit(m.Run())
}

// crashChild opens the folder as the app does (production intervals),
// adds requests from four goroutines as fast as a short pause allows, and
// every 50 ms prints "at <unix ns> <added> <dropped> <writes of usage.json>"
// until it is killed.
func crashChild(dir string) int {
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	l := New(st.Usage, Options{})
	var added atomic.Int64
	for i := range 4 {
		go func() {
			r := Record{Account: "acc" + strconv.Itoa(i), Model: "claude-sonnet-4.5", UserAgent: "curl/8.5.0",
				API: APIMessages, Status: 200, Input: 3, Output: 1, Latency: time.Second}
			for {
				r.Start = time.Now()
				l.Add(r)
				added.Add(1)
				time.Sleep(200 * time.Microsecond)
			}
		}()
	}
	out := bufio.NewWriter(os.Stdout)
	for {
		// Read dropped first: a record counted as added after this
		// line's dropped figure was read only makes the bound looser.
		d := l.Dropped()
		fmt.Fprintf(out, "at %d %d %d %d\n", time.Now().UnixNano(), added.Load(), d, st.Usage.Stats().Writes)
		_ = out.Flush()
		time.Sleep(50 * time.Millisecond)
	}
}

// onDisk is the requests usage.json holds, read as the next start would.
func onDisk(t *testing.T, dir string) int64 {
	t.Helper()
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err, "the folder does not open after SIGKILL")
	defer func() { require.NoError(t, st.Close(context.Background())) }()
	require.Empty(t, st.Notices(), "usage.json needed repair after SIGKILL")
	var n int64
	for _, r := range st.Usage.Snapshot().Hours {
		n += r.Requests
	}
	return n
}

// A SIGKILL under load loses at most the last 10 seconds of counts, never
// the history before them, and never the file.
func TestUsageSurvivesKill9(t *testing.T) {
	dir := t.TempDir()
	var before int64 // on disk after the previous cycle
	for cycle := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "KIRODESK_USAGE_CHILD=1", "KIRODESK_USAGE_DIR="+dir)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		type mark struct {
			at                     time.Time
			added, dropped, writes int64
		}
		output := testenv.ReadLines(stdout)
		// Long enough for counts older than MaxLoss to exist (the child
		// takes a moment to start: at exactly MaxLoss none might be), killed
		// at a random moment of the write cycle.
		started := time.Now()
		time.Sleep(MaxLoss + 2*time.Second + rand.N(store.UsageFlushInterval))
		killed := time.Now()
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		var marks []mark
		for _, l := range output() {
			var ns, a, d, w int64
			if _, err := fmt.Sscanf(l, "at %d %d %d %d", &ns, &a, &d, &w); err == nil {
				marks = append(marks, mark{time.Unix(0, ns), a, d, w})
			}
		}
		require.NotEmpty(t, marks, "the child said nothing: %s", stderr.String())

		last := marks[len(marks)-1]
		// What the child had counted MaxLoss before the kill must be on disk.
		var must int64
		for _, m := range marks {
			if m.at.Before(killed.Add(-MaxLoss)) {
				must = m.added - last.dropped
			}
		}
		got := onDisk(t, dir) - before
		t.Logf("cycle %d: %d requests counted, %d dropped, %d on disk, %d required (those %s before the kill); usage.json written %d times in %s",
			cycle, last.added, last.dropped, got, must, MaxLoss, last.writes, killed.Sub(started).Round(time.Millisecond))
		// Batched: thousands of requests a second, one write per
		// UsageFlushInterval at most (the first may come at once).
		assert.Positive(t, last.writes)
		assert.LessOrEqual(t, last.writes, int64(killed.Sub(started)/store.UsageFlushInterval)+1, "usage.json written more often than batched")
		assert.Positive(t, must)
		assert.GreaterOrEqual(t, got, must, "more than MaxLoss of counts were lost")
		assert.LessOrEqual(t, got, last.added+4*400, "more on disk than was counted (slack: what 50 ms of load adds after the last line)")
		before += got
	}
}
