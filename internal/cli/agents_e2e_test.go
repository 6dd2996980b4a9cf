//go:build !windows

package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/testenv"
)

// The real coding agents (Codex, Cline, opencode, besides Claude Code) run
// unmodified against `kirodesk serve`, each installed from a lock file under
// test/<agent> by scripts/deps.sh --test. Every run has a fresh home, a
// timeout, stdin closed, and no way out but loopback: the agent talks to
// Kirodesk through a recording proxy, and its HTTP(S) proxy variables point
// at a listener that refuses and records every other destination.

// agentBinary is an agent's command from its test/<dir> install.
func agentBinary(t *testing.T, dir, bin string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("../../test", dir, "node_modules/.bin", bin))
	require.NoError(t, err)
	if _, err := os.Stat(p); err != nil {
		testenv.Missing(t, fmt.Sprintf("%s is not installed (%v): scripts/deps.sh --test installs it", bin, err))
	}
	return p
}

// clientCall is one request an agent sent to Kirodesk, with the status it got.
type clientCall struct {
	Method, Path string
	Body         []byte
	Status       int
	// Answer is the body of an error answer (status >= 400), for the log.
	Answer []byte
}

// clientRecorder sits between the agent and `kirodesk serve` and keeps every
// request the agent made and the status it got, so a test can assert what
// the agent really sent (its tool declarations) and that nothing was refused.
type clientRecorder struct {
	URL   string
	mu    sync.Mutex
	calls []clientCall
}

func newClientRecorder(t *testing.T, target string) *clientRecorder {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	rec := &clientRecorder{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.FlushInterval = -1 // streams pass through as they come
	rp.ModifyResponse = func(resp *http.Response) error {
		c := clientCall{Method: resp.Request.Method, Path: resp.Request.URL.Path, Status: resp.StatusCode}
		if b, ok := resp.Request.Context().Value(bodyKey{}).([]byte); ok {
			c.Body = b
		}
		if resp.StatusCode >= 400 {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			c.Answer = b
			resp.Body = io.NopCloser(bytes.NewReader(b))
		}
		rec.mu.Lock()
		rec.calls = append(rec.calls, c)
		rec.mu.Unlock()
		return nil
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), bodyKey{}, b)))
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	rec.URL = "http://" + ln.Addr().String()
	return rec
}

type bodyKey struct{}

// Calls returns the requests so far whose path starts with prefix.
func (c *clientRecorder) Calls(prefix string) []clientCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []clientCall
	for _, x := range c.calls {
		if strings.HasPrefix(x.Path, prefix) {
			out = append(out, x)
		}
	}
	return out
}

// requireNoErrors fails on any answer of 400 or more, showing what was refused.
func (c *clientRecorder) requireNoErrors(t *testing.T) {
	t.Helper()
	for _, x := range c.Calls("/") {
		require.Less(t, x.Status, 400, "%s %s answered %d: %s\nrequest: %.2000s", x.Method, x.Path, x.Status, x.Answer, x.Body)
	}
}

// egressGuard is the HTTP(S) proxy the agents are given: it refuses every
// request and CONNECT, and records where each went, so an agent trying to
// reach anything but loopback shows up in the test (and fails it).
type egressGuard struct {
	URL     string
	mu      sync.Mutex
	targets []string
}

func newEgressGuard(t *testing.T) *egressGuard {
	t.Helper()
	g := &egressGuard{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go g.refuse(conn)
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); <-done })
	g.URL = "http://" + ln.Addr().String()
	return g
}

func (g *egressGuard) refuse(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	req, err := http.ReadRequest(bufio.NewReader(conn))
	target := "(unreadable request)"
	if err == nil {
		target = req.Method + " " + req.Host
		if req.Method != http.MethodConnect {
			target = req.Method + " " + req.URL.String()
		}
	}
	g.mu.Lock()
	g.targets = append(g.targets, target)
	g.mu.Unlock()
	_, _ = io.WriteString(conn, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
}

// Targets lists the refused destinations so far.
func (g *egressGuard) Targets() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.targets...)
}

// Env is the proxy environment every agent runs with; loopback bypasses it.
func (g *egressGuard) Env() []string {
	noProxy := "127.0.0.1,localhost,::1"
	return []string{
		"HTTP_PROXY=" + g.URL, "HTTPS_PROXY=" + g.URL, "ALL_PROXY=" + g.URL,
		"http_proxy=" + g.URL, "https_proxy=" + g.URL, "all_proxy=" + g.URL,
		"NO_PROXY=" + noProxy, "no_proxy=" + noProxy,
	}
}

// agentRun is one non-interactive run of a real agent.
type agentRun struct {
	Bin     string
	Args    []string
	Dir     string
	Env     []string // on top of PATH, HOME, the proxy variables and a terminal-free setting
	Home    string
	Timeout time.Duration
}

// agentResult is what the agent printed.
type agentResult struct {
	Stdout, Stderr string
	Elapsed        time.Duration
}

// run starts the agent with stdin closed and waits for it to exit, failing
// the test if it does not exit 0 in time. It fails too when the agent tried
// to reach any host through the guard.
func (r agentRun) run(t *testing.T, guard *egressGuard) agentResult {
	t.Helper()
	if r.Timeout == 0 {
		r.Timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.Bin, r.Args...)
	cmd.Dir = r.Dir
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + r.Home, "TERM=dumb", "NO_COLOR=1", "CI=1",
		"XDG_CONFIG_HOME=" + filepath.Join(r.Home, ".config"), "XDG_DATA_HOME=" + filepath.Join(r.Home, ".local/share"),
		"XDG_CACHE_HOME=" + filepath.Join(r.Home, ".cache"), "XDG_STATE_HOME=" + filepath.Join(r.Home, ".local/state"),
	}, append(guard.Env(), r.Env...)...)
	cmd.Stdin = nil // /dev/null
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Children (a shell tool) must not outlive the run and hold the pipes.
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	res := agentResult{Stdout: stdout.String(), Stderr: stderr.String(), Elapsed: time.Since(start)}
	t.Logf("%s ran %s", filepath.Base(r.Bin), res.Elapsed.Round(time.Millisecond))
	require.NoError(t, ctx.Err(), "%s did not finish in %s\nstdout: %s\nstderr: %s", r.Bin, r.Timeout, res.Stdout, res.Stderr)
	require.NoError(t, err, "%s failed\nstdout: %s\nstderr: %s", r.Bin, res.Stdout, res.Stderr)
	targets := guard.Targets()
	for _, tg := range targets {
		t.Logf("%s tried to reach %s (refused)", filepath.Base(r.Bin), tg)
	}
	assert.Empty(t, targets, "the agent tried to reach the network beyond loopback")
	return res
}

// kiroToolsSeen lists every tool name any chat request to fake Kiro
// declared (agents also send tool-less side requests, such as a title).
func kiroToolsSeen(t *testing.T, e *kiroEnv) []string {
	t.Helper()
	seen := map[string]bool{}
	var names []string
	for _, c := range e.fake.ChatRequests() {
		for _, n := range toolsDeclared(t, c.Raw) {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	return names
}

// secretWork is a work folder holding secret.txt, the file each agent's
// tool loop reads with its shell tool.
func secretWork(t *testing.T) string {
	t.Helper()
	work := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(work, "secret.txt"), []byte("the launch code is 4711\n"), 0o600))
	return work
}

// secretTurn is fake Kiro's side of that tool loop: a turn that carries
// the call id back answers from the command's output (the launch code, if
// it came back); any other turn calls tool with input under that id.
func secretTurn(raw, id, tool, input string) fakekiro.Script {
	if strings.Contains(raw, id) {
		if strings.Contains(raw, "4711") {
			return fakekiro.Script{fakekiro.Text("The file says the launch code is 4711.")}
		}
		return fakekiro.Script{fakekiro.Text("The command did not show the file.")}
	}
	return fakekiro.Script{fakekiro.Text("I'll read it."), fakekiro.ToolUse(id, tool, input, 2, true)}
}
