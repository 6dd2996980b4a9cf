//go:build linux

package soak

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/core"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// The crash child is the whole app (core.Open on the folder, the real
// keychain, the listener) plus a test-only driver that changes accounts and
// settings as fast as it can, announcing each change on stdout before it
// starts ("begin ...") and once it returned ("done ..."), so the parent knows
// what must have survived a SIGKILL and what may or may not have.
//
// Environment: KIRODESK_SOAK_DIR (the folder), KIRODESK_SOAK_CREDS (a JSON
// list of kiro.Credentials the fake knows) and the upstream URLs.
func crashChild() int {
	ctx := context.Background()
	c, creds, code := openChild(ctx)
	if code != 0 {
		return code
	}
	if err := c.Proxy.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "child: start:", err)
		return 1
	}
	<-c.Reconciled()
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, format+"\n", args...)
		_ = out.Flush()
	}
	say("listening %s", c.Proxy.Status().Endpoint)
	for n := 0; ; n++ {
		ids := []string{}
		c.Store.Pool.View(func(p *store.Pool) {
			for _, a := range p.Accounts {
				ids = append(ids, a.ID)
			}
		})
		switch r := rand.IntN(10); {
		case r < 3 || len(ids) < 3: // add
			id := accounts.NewID()
			label := "crash " + strconv.Itoa(n)
			say("begin add %s %s", id, label)
			cr := creds[rand.IntN(len(creds))]
			_, err := c.Accounts.Add(ctx, store.Account{ID: id, Label: label, AuthMethod: store.AuthSocial}, cr.Secret())
			if err != nil {
				say("fail add %s %v", id, err)
				continue
			}
			say("done add %s", id)
		case r < 6: // remove
			id := ids[rand.IntN(len(ids))]
			say("begin remove %s", id)
			if err := c.Accounts.Remove(ctx, id); err != nil {
				say("fail remove %s %v", id, err)
				continue
			}
			say("done remove %s", id)
		case r < 8: // rename
			id := ids[rand.IntN(len(ids))]
			label := "renamed " + strconv.Itoa(n)
			say("begin rename %s %s", id, strings.ReplaceAll(label, " ", "_"))
			err := c.Store.Pool.Update(ctx, func(p *store.Pool) error {
				if a := p.Account(id); a != nil {
					a.Label = label
				}
				return nil
			})
			if err != nil {
				say("fail rename %s %v", id, err)
				continue
			}
			say("done rename %s", id)
		default: // a setting
			v := rand.IntN(600)
			say("begin setting %d", v)
			if err := c.Store.Config.Update(ctx, func(cfg *store.Config) error { cfg.QueueWait = v; return nil }); err != nil {
				say("fail setting %v", err)
				continue
			}
			say("done setting %d", v)
		}
	}
}

// expectation is what the parent knows must be true of the folder.
type expectation struct {
	accounts map[string]string // id -> label, acknowledged
	// maybe holds the ids whose add or remove began but was not
	// acknowledged: either outcome is correct.
	maybe        map[string]string
	queueWait    int
	queueMaybe   int // a setting begun but not acknowledged, or -1
	renamedMaybe map[string]string
}

// apply reads one line of the child's journal.
func (x *expectation) apply(line string) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return
	}
	switch f[0] + " " + f[1] {
	case "begin add":
		x.maybe[f[2]] = strings.Join(f[3:], " ")
	case "done add":
		x.accounts[f[2]] = x.maybe[f[2]]
		delete(x.maybe, f[2])
	case "fail add":
		// Add failed: nothing was added (a refused save changes nothing).
		delete(x.maybe, f[2])
	case "begin remove":
		x.maybe[f[2]] = x.accounts[f[2]]
		delete(x.accounts, f[2])
	case "done remove", "fail remove":
		delete(x.maybe, f[2])
	case "begin rename":
		x.renamedMaybe[f[2]] = strings.ReplaceAll(f[3], "_", " ")
	case "done rename":
		if _, ok := x.accounts[f[2]]; ok {
			x.accounts[f[2]] = x.renamedMaybe[f[2]]
		}
		delete(x.renamedMaybe, f[2])
	case "begin setting":
		x.queueMaybe, _ = strconv.Atoi(f[2])
	case "done setting":
		x.queueWait, _ = strconv.Atoi(f[2])
		x.queueMaybe = -1
	}
}

func TestCrashLoop(t *testing.T) {
	testenv.RequireKeychain(t)
	cycles := 100
	if v := os.Getenv("KIRODESK_CRASH_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err)
		cycles = n
	}
	fake := fakekiro.New(fakekiro.Options{DiscardRequests: true, AccessTokenTTL: 24 * time.Hour,
		Faults: fakekiro.Faults{Rate429: 0.05, Rate5xx: 0.02, RateReset: 0.01}})
	t.Cleanup(fake.Close)
	var creds []kiro.Credentials
	for range 4 {
		fa := fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/P"})
		creds = append(creds, kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken,
			AuthMethod: store.AuthSocial, ProfileARN: fa.ProfileARN, ExpiresAt: time.Now().Add(20 * time.Hour)})
	}
	credsJSON, err := json.Marshal(creds)
	require.NoError(t, err)
	dir := t.TempDir()
	service := core.KeychainService(dir, os.Getenv)
	t.Cleanup(func() { wipeKeychain(t, service) })

	x := &expectation{accounts: map[string]string{}, maybe: map[string]string{}, renamedMaybe: map[string]string{},
		queueWait: store.NewConfig().QueueWait, queueMaybe: -1}
	start := time.Now()
	var served, refusedOrFailed, changes int
	var apiKey string
	for cycle := range cycles {
		child := startChild(t, cycle, "1", dir, string(credsJSON), fake.URL)
		cmd, url, lines := child.cmd, child.url, child.lines
		if apiKey == "" {
			k, err := secrets.NewKeyring(service).Get(context.Background(), "apikey")
			require.NoError(t, err)
			apiKey = k.Reveal()
		}
		// Load while the child changes accounts and settings; the kill
		// comes at a random moment 50-400 ms in.
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := range 8 {
			wg.Go(func() {
				for n := 0; ctx.Err() == nil; n++ {
					o := send(ctx, http.DefaultClient, url, apiKey, api(i%int(numAPIs)), fmt.Sprintf("crash %d %d", cycle, n))
					mu.Lock()
					if o.res == resOK {
						served++
					} else {
						refusedOrFailed++
					}
					mu.Unlock()
					backOff(o)
				}
			})
		}
		time.Sleep(time.Duration(50+rand.IntN(350)) * time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		cancel()
		wg.Wait()
		for l := range lines {
			if strings.HasPrefix(l, "done ") {
				changes++
			}
			x.apply(l)
		}
		checkFolder(t, cycle, dir, service, x)
		k, err := secrets.NewKeyring(service).Get(context.Background(), "apikey")
		require.NoError(t, err, "cycle %d: the API key is gone", cycle)
		require.Equal(t, apiKey, k.Reveal(), "cycle %d: the API key changed", cycle)
	}
	elapsed := time.Since(start)
	t.Logf("crash loop: %d SIGKILL cycles in %s (%.0f ms each); %d account/setting changes acknowledged; "+
		"requests during the kill windows: %d answered, %d refused or cut by the kill; %d accounts at the end",
		cycles, elapsed.Round(time.Second), float64(elapsed.Milliseconds())/float64(cycles), changes, served, refusedOrFailed, len(x.accounts))
}

// checkFolder opens the killed app's folder as the next start would and
// checks it against what the child acknowledged: the files parse, every
// acknowledged account and setting is there, the keychain holds exactly one
// item per account plus those pool.json marks as pending (no orphan), and
// after the start-up reconcile nothing is pending and every account has its
// credentials.
func checkFolder(t *testing.T, cycle int, dir, service string, x *expectation) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err, "cycle %d: the folder does not open after SIGKILL", cycle)
	defer func() { require.NoError(t, st.Close(ctx)) }()
	require.Empty(t, st.Notices(), "cycle %d: a file needed repair", cycle)
	for _, name := range []string{"config.json", "pool.json"} {
		raw, err := os.ReadFile(dir + "/" + name)
		if errors.Is(err, os.ErrNotExist) && name == "config.json" {
			continue // never written: the defaults
		}
		require.NoError(t, err)
		require.True(t, json.Valid(raw), "cycle %d: %s is not JSON", cycle, name)
	}

	cfg := st.Config.Snapshot()
	if cfg.QueueWait != x.queueWait {
		require.Equal(t, x.queueMaybe, cfg.QueueWait, "cycle %d: the setting is neither the acknowledged nor the in-flight value", cycle)
		x.queueWait = cfg.QueueWait
	}
	x.queueMaybe = -1

	pool := st.Pool.Snapshot()
	inPool := map[string]string{}
	for _, a := range pool.Accounts {
		inPool[a.ID] = a.Label
	}
	for id, label := range x.accounts {
		got, ok := inPool[id]
		require.True(t, ok, "cycle %d: acknowledged account %s is gone", cycle, id)
		if got != label {
			require.Equal(t, x.renamedMaybe[id], got, "cycle %d: account %s has label %q, acknowledged %q", cycle, id, got, label)
		}
	}
	for id := range inPool {
		if _, ok := x.accounts[id]; !ok {
			_, maybe := x.maybe[id]
			require.True(t, maybe, "cycle %d: account %s is in the pool but was never added (or its removal was acknowledged)", cycle, id)
		}
	}

	// Keychain against pool.json, before the start-up repair.
	items := keychainItems(t, service)
	pending := map[string]bool{}
	for _, id := range pool.PendingSecrets {
		pending[id] = true
	}
	for _, it := range items {
		if it == "apikey" {
			continue
		}
		id, ok := strings.CutPrefix(it, "account:")
		require.True(t, ok, "cycle %d: unexpected keychain item %q", cycle, it)
		_, listed := inPool[id]
		require.True(t, listed || pending[id], "cycle %d: orphan keychain item %q: in neither the pool nor pendingSecrets", cycle, it)
	}
	for id := range inPool {
		require.Contains(t, items, accounts.SecretKey(id), "cycle %d: account %s has no keychain item", cycle, id)
	}

	// The start-up repair, as core.Open runs it.
	sec := secrets.NewKeyring(service)
	rep, err := accounts.New(st.Pool, sec, nil).Reconcile(ctx)
	require.NoError(t, err)
	require.Empty(t, rep.LoginNeeded, "cycle %d", cycle)
	require.Empty(t, st.Pool.Snapshot().PendingSecrets, "cycle %d: still pending after reconcile", cycle)
	items = keychainItems(t, service)
	want := []string{"apikey"}
	for id := range inPool {
		want = append(want, accounts.SecretKey(id))
	}
	slices.Sort(items)
	slices.Sort(want)
	require.Equal(t, want, items, "cycle %d: keychain items after reconcile", cycle)

	// What survived is now the truth.
	x.accounts = inPool
	clear(x.maybe)
	clear(x.renamedMaybe)
}

// openChild is how both crash children start: the credentials the parent
// passed (KIRODESK_SOAK_CREDS) and the whole app opened on the folder
// (KIRODESK_SOAK_DIR), its listener not started yet. A code other than 0 is
// the child's exit code, the reason already on stderr.
func openChild(ctx context.Context) (*core.Core, []kiro.Credentials, int) {
	var creds []kiro.Credentials
	if err := json.Unmarshal([]byte(os.Getenv("KIRODESK_SOAK_CREDS")), &creds); err != nil || len(creds) == 0 {
		fmt.Fprintln(os.Stderr, "child: bad KIRODESK_SOAK_CREDS:", err)
		return nil, nil, 2
	}
	port := 0
	c, err := core.Open(ctx, core.Options{ConfigDir: os.Getenv("KIRODESK_SOAK_DIR"), Host: "127.0.0.1", Port: &port})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open:", err)
		return nil, nil, 1
	}
	return c, creds, 0
}

// child is a crash child the parent started: its process, the API's URL
// it announced, the lines it printed after that and what it wrote to stderr.
type child struct {
	cmd    *exec.Cmd
	url    string
	lines  <-chan string // closed when its stdout ends
	stderr *strings.Builder
}

// startChild runs this test binary as the child kind names (the
// KIRODESK_SOAK_CHILD value) on dir, with creds and the fake's URL as its
// upstream, and waits up to 30 s for its "listening URL" line.
func startChild(t *testing.T, cycle int, kind, dir, creds, fakeURL string) child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "KIRODESK_SOAK_CHILD="+kind, "KIRODESK_SOAK_DIR="+dir, "KIRODESK_SOAK_CREDS="+creds,
		store.EnvAPIBase+"="+fakeURL, store.EnvAuthBase+"="+fakeURL, store.EnvOIDCBase+"="+fakeURL)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr := &strings.Builder{}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case l, ok := <-lines:
		if !ok {
			_ = cmd.Wait()
			t.Fatalf("cycle %d: the child did not start: %s", cycle, stderr.String())
		}
		return child{cmd: cmd, url: strings.TrimPrefix(l, "listening "), lines: lines, stderr: stderr}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("cycle %d: the child did not start in 30 s: %s", cycle, stderr.String())
	}
	return child{} // t.Fatalf does not return
}
