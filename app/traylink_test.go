package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/app/trayproto"
	"kirodesk/internal/testenv"
)

// fakeTrayEnv marks the test binary run as a fake tray.
const fakeTrayEnv = "KIRODESK_FAKE_TRAY"

// TestHelperFakeTray is not a test: it is the fake tray the TrayLink tests
// start, this test binary run again with fakeTrayEnv set. It speaks the
// tray protocol and makes what it receives visible as clicks:
//   - on start: click "hello <pid>", then ready;
//   - for each state: click "echo <state as JSON>", then, if the state's
//     Error is "click <item>", click <item>;
//   - at the end of input: exit 0 ("ignore-eof" mode: stay until killed).
//
// Mode "exit-at-once" exits with status 3 right after hello.
func TestHelperFakeTray(t *testing.T) {
	if os.Getenv(fakeTrayEnv) != "1" {
		return
	}
	mode := ""
	if i := slices.Index(os.Args, "--"); i >= 0 && i+1 < len(os.Args) {
		mode = os.Args[i+1]
	}
	// Exit here: the testing package would print "PASS" on the protocol pipe.
	os.Exit(runFakeTray(os.Stdin, os.Stdout, os.Stderr, mode))
}

func runFakeTray(in io.Reader, out, errOut io.Writer, mode string) int {
	pid := os.Getpid()
	fmt.Fprintf(errOut, "fake tray %d: up\n", pid)
	w := trayproto.NewWriter(out)
	_ = w.Write(trayproto.Click{Item: fmt.Sprintf("hello %d", pid)})
	_ = w.Write(trayproto.Ready{})
	if mode == "exit-at-once" {
		return 3
	}
	r := trayproto.NewReader(in)
	for {
		m, err := r.Next()
		var lineErr *trayproto.LineError
		if errors.As(err, &lineErr) {
			fmt.Fprintf(errOut, "fake tray %d: %v\n", pid, err)
			continue
		}
		if err != nil {
			fmt.Fprintf(errOut, "fake tray %d: end of input\n", pid)
			if mode == "ignore-eof" {
				time.Sleep(time.Hour)
			}
			return 0
		}
		s, ok := m.(trayproto.State)
		if !ok {
			continue
		}
		b, _ := json.Marshal(s)
		_ = w.Write(trayproto.Click{Item: "echo " + string(b)})
		if item, ok := strings.CutPrefix(s.Error, "click "); ok {
			_ = w.Write(trayproto.Click{Item: item})
		}
	}
}

// fakeTray is a TrayLink running the fake tray.
type fakeTray struct {
	t      *testing.T
	link   *TrayLink
	clicks chan string
	logs   *testenv.Buffer
}

func startFakeTray(t *testing.T, ctx context.Context, mode string, tweak func(*TrayOptions)) *fakeTray {
	t.Helper()
	t.Setenv(fakeTrayEnv, "1") // inherited by the tray process
	// A -race binary sleeps a second at exit by default; the fake tray
	// exits often.
	t.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	exe, err := os.Executable()
	require.NoError(t, err)
	f := &fakeTray{t: t, clicks: make(chan string, 1000), logs: &testenv.Buffer{}}
	opts := TrayOptions{
		Path:    exe,
		Args:    []string{"-test.run=^TestHelperFakeTray$", "--", mode},
		Logger:  slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		OnClick: func(item string) { f.clicks <- item },

		minBackoff: 10 * time.Millisecond,
		maxBackoff: 100 * time.Millisecond,
		killAfter:  20 * time.Second, // a kill would show as a slow Close
	}
	if tweak != nil {
		tweak(&opts)
	}
	f.link = StartTray(ctx, opts)
	t.Cleanup(func() {
		f.link.Close()
		if t.Failed() {
			t.Logf("link log:\n%s", f.logs.String())
		}
	})
	return f
}

// next returns the next click the link delivered.
func (f *fakeTray) next() string {
	f.t.Helper()
	select {
	case item := <-f.clicks:
		return item
	case <-time.After(15 * time.Second):
		f.t.Fatal("no click from the tray")
		return ""
	}
}

// hello waits for a tray process to start and returns its pid.
func (f *fakeTray) hello() int {
	f.t.Helper()
	item := f.next()
	pid, ok := strings.CutPrefix(item, "hello ")
	require.True(f.t, ok, "want hello, got %q", item)
	n, err := strconv.Atoi(pid)
	require.NoError(f.t, err)
	return n
}

// echo returns the state the tray echoed next.
func (f *fakeTray) echo() trayproto.State {
	f.t.Helper()
	item := f.next()
	js, ok := strings.CutPrefix(item, "echo ")
	require.True(f.t, ok, "want echo, got %q", item)
	var s trayproto.State
	require.NoError(f.t, json.Unmarshal([]byte(js), &s))
	return s
}

func (f *fakeTray) quiet(d time.Duration) {
	f.t.Helper()
	select {
	case item := <-f.clicks:
		f.t.Fatalf("unexpected click %q", item)
	case <-time.After(d):
	}
}

func TestTrayLinkDeliversStatesAndClicks(t *testing.T) {
	f := startFakeTray(t, context.Background(), "", nil)
	pid := f.hello()

	on := trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", StartAtLogin: true}
	f.link.Send(on)
	assert.Equal(t, on, f.echo())

	f.link.Send(trayproto.State{Error: "click " + trayproto.ItemOpen})
	assert.Equal(t, trayproto.State{Error: "click open"}, f.echo())
	assert.Equal(t, trayproto.ItemOpen, f.next())
	f.link.Send(trayproto.State{Error: "click " + trayproto.ItemQuit})
	f.echo()
	assert.Equal(t, trayproto.ItemQuit, f.next())

	// A burst is coalesced, never reordered: the newest state arrives last.
	for i := range 200 {
		f.link.Send(trayproto.State{Endpoint: fmt.Sprint(i)})
	}
	last := -1
	for last != 199 {
		n, err := strconv.Atoi(f.echo().Endpoint)
		require.NoError(t, err)
		require.Greater(t, n, last, "an older state after a newer one")
		last = n
	}
	f.quiet(100 * time.Millisecond)

	assert.Eventually(t, func() bool {
		return strings.Contains(f.logs.String(), fmt.Sprintf(`msg="tray stderr" component=tray line="fake tray %d: up"`, pid))
	}, 5*time.Second, 10*time.Millisecond, "the tray's stderr goes to the logger")
}

func TestTrayLinkSendsStateToANewTray(t *testing.T) {
	f := startFakeTray(t, context.Background(), "", nil)
	// Sent before the tray is up: it gets the state once it starts reading.
	st := trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:1"}
	f.link.Send(st)
	f.hello()
	assert.Equal(t, st, f.echo())
	f.quiet(100 * time.Millisecond)
}

func TestTrayLinkRestartsCrashedTray(t *testing.T) {
	f := startFakeTray(t, context.Background(), "", nil)
	pid1 := f.hello()
	st := trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990"}
	f.link.Send(st)
	require.Equal(t, st, f.echo())

	p, err := os.FindProcess(pid1)
	require.NoError(t, err)
	require.NoError(t, p.Kill())

	pid2 := f.hello()
	assert.NotEqual(t, pid1, pid2, "a new process")
	assert.Equal(t, st, f.echo(), "the last state is sent again without a new Send")
	assert.Contains(t, f.logs.String(), "tray process ended; restarting it")

	f.link.Send(trayproto.State{})
	assert.Equal(t, trayproto.State{}, f.echo(), "and the link goes on")
}

func TestTrayLinkBacksOffWhileTrayKeepsDying(t *testing.T) {
	f := startFakeTray(t, context.Background(), "exit-at-once", func(o *TrayOptions) {
		o.minBackoff = 40 * time.Millisecond
		o.maxBackoff = 160 * time.Millisecond
	})
	var starts []time.Time
	for range 6 {
		f.hello()
		starts = append(starts, time.Now())
	}
	// Each hello comes after the previous tray exited plus the delay, so
	// the gaps are at least 40, 80, 160, 160, 160 ms.
	want := []time.Duration{40, 80, 160, 160, 160}
	for i, w := range want {
		gap := starts[i+1].Sub(starts[i])
		assert.GreaterOrEqual(t, gap, w*time.Millisecond, "restart %d", i+1)
	}
}

func TestTrayBackoff(t *testing.T) {
	const minD, maxD, stable = time.Second, 30 * time.Second, time.Minute
	for _, tc := range []struct {
		last, uptime, want time.Duration
	}{
		{0, 0, time.Second},                              // first failure
		{0, time.Hour, time.Second},                      // first failure after a long run
		{time.Second, 0, 2 * time.Second},                // doubles
		{8 * time.Second, time.Second, 16 * time.Second}, // doubles
		{16 * time.Second, 0, 30 * time.Second},          // capped
		{30 * time.Second, 59 * time.Second, 30 * time.Second},
		{30 * time.Second, time.Minute, time.Second}, // stayed up a minute: reset
	} {
		assert.Equal(t, tc.want, nextTrayBackoff(tc.last, tc.uptime, minD, maxD, stable), "last %v, up %v", tc.last, tc.uptime)
	}
}

func TestTrayLinkCloseEndsTrayCleanly(t *testing.T) {
	f := startFakeTray(t, context.Background(), "", nil)
	pid := f.hello()
	f.link.Send(trayproto.State{ProxyOn: true})
	f.echo()

	start := time.Now()
	f.link.Close()
	assert.Less(t, time.Since(start), 5*time.Second, "the tray quit on its own; no kill after 20 s")
	logs := f.logs.String()
	assert.Contains(t, logs, fmt.Sprintf("fake tray %d: end of input", pid))
	assert.Contains(t, logs, `msg="tray stopped" component=tray err=<nil>`, "exit status 0")
	assert.NotContains(t, logs, "killing")
	assert.NotContains(t, logs, "restarting")

	f.link.Close() // again: only waits
	f.link.Send(trayproto.State{})
	f.quiet(200 * time.Millisecond)
}

func TestTrayLinkStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := startFakeTray(t, ctx, "", nil)
	pid := f.hello()
	cancel()
	assert.Eventually(t, func() bool {
		return strings.Contains(f.logs.String(), `msg="tray stopped" component=tray err=<nil>`)
	}, 5*time.Second, 10*time.Millisecond)
	assert.Contains(t, f.logs.String(), fmt.Sprintf("fake tray %d: end of input", pid))
	f.quiet(200 * time.Millisecond)
}

func TestTrayLinkKillsTrayThatIgnoresEndOfInput(t *testing.T) {
	f := startFakeTray(t, context.Background(), "ignore-eof", func(o *TrayOptions) {
		o.killAfter = 300 * time.Millisecond
	})
	f.hello()
	start := time.Now()
	f.link.Close()
	elapsed := time.Since(start)
	assert.GreaterOrEqual(t, elapsed, 300*time.Millisecond)
	assert.Less(t, elapsed, 5*time.Second)
	assert.Contains(t, f.logs.String(), "tray did not exit after its input closed; killing it")
}

func TestTrayLinkRetriesMissingExecutable(t *testing.T) {
	logs := &testenv.Buffer{}
	l := StartTray(context.Background(), TrayOptions{
		Path:       filepath.Join(t.TempDir(), "kirodesk-tray"),
		Logger:     slog.New(slog.NewTextHandler(logs, nil)),
		minBackoff: 5 * time.Millisecond,
	})
	l.Send(trayproto.State{ProxyOn: true})
	assert.Eventually(t, func() bool {
		return strings.Count(logs.String(), "restarting it") >= 3
	}, 5*time.Second, 5*time.Millisecond)
	start := time.Now()
	l.Close()
	assert.Less(t, time.Since(start), time.Second)
	assert.Contains(t, logs.String(), "kirodesk-tray", "the log names what is missing")
}

func TestTrayPath(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "kirodesk")
	require.NoError(t, os.WriteFile(exe, nil, 0o755))

	_, err := trayPathNextTo(exe, "linux")
	assert.ErrorIs(t, err, os.ErrNotExist, "no tray installed")

	tray := filepath.Join(dir, "kirodesk-tray")
	require.NoError(t, os.WriteFile(tray, nil, 0o755))
	got, err := trayPathNextTo(exe, "linux")
	require.NoError(t, err)
	assert.Equal(t, tray, got)

	_, err = trayPathNextTo(exe, "windows")
	assert.ErrorIs(t, err, os.ErrNotExist, "Windows wants the .exe")
	require.NoError(t, os.WriteFile(tray+".exe", nil, 0o755))
	got, err = trayPathNextTo(exe, "windows")
	require.NoError(t, err)
	assert.Equal(t, tray+".exe", got)

	// A link to the program (say in ~/bin) finds the install folder.
	bin := t.TempDir()
	link := filepath.Join(bin, "kirodesk")
	if err := os.Symlink(exe, link); err == nil {
		got, err = trayPathNextTo(link, "linux")
		require.NoError(t, err)
		assert.Equal(t, tray, got)
	}

	self, err := TrayPath()
	if err == nil {
		assert.Equal(t, "kirodesk-tray", strings.TrimSuffix(filepath.Base(self), ".exe"))
	}
}

func TestClipUTF8(t *testing.T) {
	assert.Equal(t, "abc", clipUTF8("abc", 3))
	assert.Equal(t, "ab", clipUTF8("abc", 2))
	assert.Equal(t, "a", clipUTF8("aé", 2), "é is two bytes: not split")
	assert.Equal(t, "aé", clipUTF8("aéb", 3))
}
