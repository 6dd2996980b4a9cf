//go:build !windows

package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"kirodesk/internal/testenv"
)

// TestCrashHelper is not a test: the crash loop runs the test binary with
// KIRODESK_CRASH_DIR set, and this function then plays an app that adds
// accounts (acknowledging each on stdout once Update returned) and bumps
// counters as fast as it can, until it is killed.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv("KIRODESK_CRASH_DIR")
	if dir == "" {
		t.Skip("helper process for TestCrashLoop")
	}
	s, err := Open(dir, Options{FlushInterval: 2 * time.Millisecond})
	if err != nil {
		fmt.Println("OPEN-FAILED", err)
		os.Exit(3)
	}
	if n := len(s.Notices()); n > 0 {
		fmt.Println("NOTICES", s.Notices())
		os.Exit(4)
	}
	run := os.Getenv("KIRODESK_CRASH_RUN")
	fmt.Println("READY")
	go func() {
		for {
			s.Pool.Touch(func(p *Pool) {
				for i := range p.Accounts {
					p.Accounts[i].Counters.Requests++
				}
			})
		}
	}()
	ctx := context.Background()
	for i := 0; ; i++ {
		id := fmt.Sprintf("r%s-%d", run, i)
		if err := s.Pool.Update(ctx, addAccount(id)); err != nil {
			fmt.Println("UPDATE-FAILED", err)
			os.Exit(5)
		}
		if err := s.Config.Update(ctx, func(c *Config) error { c.Port = 1024 + i%1000; return nil }); err != nil {
			fmt.Println("UPDATE-FAILED", err)
			os.Exit(5)
		}
		// os.Stdout is unbuffered: once this line is written the parent may rely on it.
		fmt.Println("ACK", id)
	}
}

// TestCrashLoop kills a writing process with SIGKILL at random moments and
// checks, after every kill, that both files and the backup parse and that
// every acknowledged account is there. The next run loads the same folder,
// so loading after a crash is exercised too.
func TestCrashLoop(t *testing.T) {
	kills := 200
	if v, err := strconv.Atoi(os.Getenv("KIRODESK_CRASH_KILLS")); err == nil && v > 0 {
		kills = v
	} else if testing.Short() {
		kills = 40
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var dir string
	acked := map[string]bool{}
	checked, totalAcks := 0, 0
	for k := range kills {
		if k%25 == 0 { // a fresh folder now and then keeps the pool small and fast
			dir = t.TempDir()
			clear(acked)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), "KIRODESK_CRASH_DIR="+dir, "KIRODESK_CRASH_RUN="+strconv.Itoa(k))
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())

		output := testenv.ReadLines(out)
		// Kill anywhere from start-up (loading the previous run's files) to
		// well into the write loop.
		time.Sleep(time.Duration(rng.IntN(120)) * time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		lines := output()
		err = cmd.Wait()
		ws, ok := err.(*exec.ExitError)
		for _, l := range lines {
			if id, ok := strings.CutPrefix(l, "ACK "); ok {
				acked[id] = true
				totalAcks++
			} else if strings.HasSuffix(l, "FAILED") || strings.HasPrefix(l, "OPEN-FAILED") || strings.HasPrefix(l, "NOTICES") || strings.HasPrefix(l, "UPDATE-FAILED") {
				t.Fatalf("kill %d: helper reported %q", k, l)
			}
		}
		require.True(t, ok && ws.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL,
			"kill %d: helper should die by SIGKILL, got %v (output %q)", k, err, lines)

		checked += checkAfterCrash(t, dir, acked, k)
	}
	t.Logf("crash loop: %d SIGKILLs, %d files checked, %d acknowledged accounts verified, 0 failures", kills, checked, totalAcks)
}

// checkAfterCrash verifies the folder as the next start would find it and
// returns how many files it checked.
func checkAfterCrash(t *testing.T, dir string, acked map[string]bool, k int) int {
	t.Helper()
	n := 0
	for _, name := range []string{"pool.json", "pool.json.bak", "config.json", "config.json.bak"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) && (strings.HasSuffix(name, ".bak") || len(acked) == 0) {
			continue // no backup before the second write; no file if killed before Open wrote it
		}
		require.NoError(t, err, "kill %d: %s", k, name)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(b, &doc), "kill %d: %s must parse: %q", k, name, b)
		n++
		if strings.HasPrefix(name, "pool") {
			p := NewPool()
			require.NoError(t, json.Unmarshal(b, p))
			require.NoError(t, CheckPool(p), "kill %d: %s", k, name)
			if name == "pool.json" {
				have := map[string]bool{}
				for _, a := range p.Accounts {
					have[a.ID] = true
				}
				for id := range acked {
					require.True(t, have[id], "kill %d: acknowledged account %s is missing from pool.json", k, id)
				}
			}
		}
	}
	return n
}
