package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"kirodesk/internal/accounts"
	"kirodesk/internal/apikey"
	"kirodesk/internal/core"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// processOptions size the process measurement.
type processOptions struct {
	Runs   int           // timed cold starts (after one warm-up start)
	Settle time.Duration // idle time before the idle RSS is read
	Load   time.Duration // 64 clients back to back on the last start
}

var fullProcess = processOptions{Runs: 5, Settle: 2 * time.Second, Load: 8 * time.Second}

// processResult is the release binary measured from outside: `kirodesk
// serve` as a person starts it, in its own process, so its memory and CPU
// are its own and not the benchmark's. The command (cmd/kirodesk) links no
// GUI; the desktop app's executable, which also serves, is measured beside
// it when make bench names it, to show what linking GTK and WebKit costs.
type processResult struct {
	Binary string `json:"binary"`
	// Cold start: process start to "listening", and to the first answered
	// /v1/messages (median and worst of the runs).
	Runs             int     `json:"runs"`
	ListenMedianMs   float64 `json:"listening_median_ms"`
	FirstAnswerMedMs float64 `json:"first_answer_median_ms"`
	FirstAnswerMaxMs float64 `json:"first_answer_max_ms"`
	RSSIdleMB        float64 `json:"rss_idle_mb"`
	// Under load: 64 clients back to back, half streaming.
	LoadRequests int     `json:"load_requests"`
	LoadRPS      float64 `json:"load_requests_per_second"`
	RSSPeakMB    float64 `json:"rss_peak_mb"`
	RSSAfterMB   float64 `json:"rss_after_load_mb"`
	// CPU seconds per 1,000 requests: Kirodesk's process, and this one's
	// (the clients and the fake upstream), so the first reads as a ratio.
	KirodeskCPUPer1k float64 `json:"kirodesk_cpu_seconds_per_1000"`
	ClientFakeCPU1k  float64 `json:"client_and_fake_cpu_seconds_per_1000"`
	// The same serve from kirodesk-desktop (KIRODESK_BENCH_DESKTOP_BIN),
	// idle and after the same load; empty without it.
	DesktopBinary     string  `json:"desktop_binary,omitempty"`
	DesktopRSSIdleMB  float64 `json:"desktop_rss_idle_mb,omitempty"`
	DesktopRSSAfterMB float64 `json:"desktop_rss_after_load_mb,omitempty"`
}

// benchBinary is KIRODESK_BENCH_BIN (make bench passes the release build
// of the command), else a plain build of the command made here.
func benchBinary(tb testing.TB) string {
	if b := os.Getenv("KIRODESK_BENCH_BIN"); b != "" {
		abs, err := filepath.Abs(b)
		if err != nil {
			tb.Fatal(err)
		}
		return abs
	}
	out := filepath.Join(tb.TempDir(), "kirodesk")
	cmd := exec.Command("go", "build", "-o", out, "kirodesk/cmd/kirodesk")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as the Makefile builds it
	cmd.Dir = "../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// measureProcess starts the binary on a config folder with one account (its
// credentials and the API key in the session's keychain) in front of a fake
// Kiro: a warm-up start, then timed cold starts, then load on the last one.
func measureProcess(tb testing.TB, o processOptions) processResult {
	tb.Helper()
	dir, key, fake := processFolder(tb)
	bin := benchBinary(tb)
	res := processResult{Binary: bin}
	client := newEnvClient(tb)

	runs := o.Runs
	var listen, first []time.Duration
	for i := range runs + 1 {
		p := startServe(tb, bin, dir, fake.URL)
		l, f := p.listening, p.firstAnswer(tb, client, key.Reveal())
		if i > 0 { // the first start warms the page cache: not a cold start of the code, but of the disk
			listen, first = append(listen, l), append(first, f)
		}
		if i < runs {
			p.stop(tb)
			continue
		}
		time.Sleep(o.Settle) // idle is after start-up's work
		res.RSSIdleMB = p.status("VmRSS") / 1024
		cpu0, mine0 := p.cpu(), processCPU()
		n, secs := loadProcess(tb, client, p.url, key.Reveal(), 64, o.Load)
		cpu1, mine1 := p.cpu(), processCPU()
		res.LoadRequests, res.LoadRPS = n, float64(n)/secs
		res.RSSPeakMB = p.status("VmHWM") / 1024
		res.RSSAfterMB = p.status("VmRSS") / 1024
		if n > 0 {
			res.KirodeskCPUPer1k = (cpu1 - cpu0).Seconds() * 1000 / float64(n)
			res.ClientFakeCPU1k = (mine1 - mine0).Seconds() * 1000 / float64(n)
		}
		p.stop(tb)
	}
	if d := os.Getenv("KIRODESK_BENCH_DESKTOP_BIN"); d != "" {
		p := startServe(tb, d, dir, fake.URL)
		p.firstAnswer(tb, client, key.Reveal())
		time.Sleep(o.Settle)
		res.DesktopBinary, res.DesktopRSSIdleMB = d, p.status("VmRSS")/1024
		loadProcess(tb, client, p.url, key.Reveal(), 64, o.Load)
		res.DesktopRSSAfterMB = p.status("VmRSS") / 1024
		p.stop(tb)
	}
	res.Runs = len(first)
	slices.Sort(listen)
	slices.Sort(first)
	res.ListenMedianMs = msOf(listen[len(listen)/2])
	res.FirstAnswerMedMs = msOf(first[len(first)/2])
	res.FirstAnswerMaxMs = msOf(first[len(first)-1])
	return res
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

type served struct {
	cmd       *exec.Cmd
	url       string
	started   time.Time
	listening time.Duration
	done      chan error
}

func startServe(tb testing.TB, bin, dir, fakeURL string) *served {
	tb.Helper()
	cmd := exec.Command(bin, "serve", "--config-dir", dir, "--host", "127.0.0.1", "--port", "0")
	cmd.Env = append(os.Environ(), store.EnvAPIBase+"="+fakeURL, store.EnvAuthBase+"="+fakeURL, store.EnvOIDCBase+"="+fakeURL)
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	p := &served{cmd: cmd, started: time.Now(), done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				urls <- u
			}
		}
		close(urls)
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case u, ok := <-urls:
		if !ok {
			_ = cmd.Wait()
			tb.Fatalf("serve exited before listening: %s", stderr.String())
		}
		p.url, p.listening = u, time.Since(p.started)
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		tb.Fatalf("serve did not listen within 20s: %s", stderr.String())
	}
	go func() { p.done <- cmd.Wait() }()
	return p
}

// firstAnswer asks until the first 200 and returns the time since start.
func (p *served) firstAnswer(tb testing.TB, client *http.Client, key string) time.Duration {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	e := &env{client: client, messages: p.url + "/v1/messages", key: key}
	for {
		resp, err := client.Do(e.newProxied(context.Background(), anthropicBody(false)))
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(p.started)
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no answer from serve within 20s (last: %v)", err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (p *served) stop(tb testing.TB) {
	tb.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			tb.Errorf("serve exited with %v after SIGTERM", err)
		}
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		tb.Errorf("serve did not exit within 15s of SIGTERM")
	}
}

// status reads a kB field of /proc/PID/status.
func (p *served) status(field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return n
		}
	}
	return -1
}

// cpu is the child's user+system time from /proc/PID/stat (clock ticks of
// 1/100 s, the Linux default USER_HZ).
func (p *served) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from 3 (state) on
	ut, _ := strconv.ParseInt(f[11], 10, 64)                 // field 14
	st, _ := strconv.ParseInt(f[12], 10, 64)                 // field 15
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// loadProcess sends conc clients back to back for d, alternating plain and
// streaming requests, and returns how many succeeded and the seconds taken.
func loadProcess(tb testing.TB, client *http.Client, url, key string, conc int, d time.Duration) (int, float64) {
	tb.Helper()
	e := &env{client: client, messages: url + "/v1/messages", key: key}
	ctx := context.Background()
	var n atomic.Int64
	req := func() *http.Request { return e.newProxied(ctx, anthropicBody(n.Add(1)%2 == 0)) }
	var s samples
	e.run(conc, 1_000_000, 0, time.Now().Add(d), req, false, &s)
	if s.errs > 0 {
		tb.Errorf("load on serve: %d failed requests, first: %v", s.errs, s.firstErr)
	}
	return len(s.lat), s.wall.Seconds()
}

func printProcess(w io.Writer, p *processResult) {
	if p == nil {
		return
	}
	fmt.Fprintf(w, "\nThe release binary as its own process (%s serve)\n", filepath.Base(p.Binary))
	tw := table(w, "cold start to listening ms\tto first answer ms (median/max)\tRSS idle MB\tload req/s (64 clients)\tRSS peak MB\tRSS after MB\tKirodesk CPU s/1k\tclients+fake CPU s/1k\t")
	fmt.Fprintf(tw, "%.1f\t%.1f/%.1f\t%.1f\t%.0f\t%.1f\t%.1f\t%.3f\t%.3f\t\n", p.ListenMedianMs, p.FirstAnswerMedMs, p.FirstAnswerMaxMs,
		p.RSSIdleMB, p.LoadRPS, p.RSSPeakMB, p.RSSAfterMB, p.KirodeskCPUPer1k, p.ClientFakeCPU1k)
	tw.Flush()
	if p.DesktopBinary != "" {
		fmt.Fprintf(w, "The same serve from the desktop app's executable (%s, GTK and WebKit linked): RSS idle %.1f MB, after load %.1f MB\n",
			filepath.Base(p.DesktopBinary), p.DesktopRSSIdleMB, p.DesktopRSSAfterMB)
	}
}

// processFolder is a config folder for the binary as its own process: one
// account on a fake Kiro that answers at once, its credentials and the API
// key in the session's keychain (removed after the test).
func processFolder(tb testing.TB) (dir string, key secrets.Secret, fake *fakekiro.Server) {
	tb.Helper()
	ctx := context.Background()
	dir = tb.TempDir()
	testenv.RequireKeychain(tb)
	kc := secrets.NewKeyring(core.KeychainService(dir, os.Getenv))
	key, err := apikey.Ensure(ctx, kc)
	if err != nil {
		tb.Fatalf("the process figures need the keychain: %v", err)
	}
	fake = fakekiro.New(fakekiro.Options{DefaultScript: fixedAnswer})
	tb.Cleanup(fake.Close)
	seedAccounts(tb, dir, kc, fake, envOptions{Accounts: 1})
	tb.Cleanup(func() {
		_ = kc.Delete(ctx, accounts.SecretKey("bench-0"))
		_ = kc.Delete(ctx, apikey.Item)
	})
	return dir, key, fake
}
