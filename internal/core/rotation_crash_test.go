//go:build !windows

package core

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/canon"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/pool"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// Why the fake runs with RotationGrace here: a refresh rotates the token at
// Kiro the moment Kiro answers, and the new token cannot be stored before
// it is known, so no ordering on our side closes the window between Kiro's
// answer and the keychain write. What the ordering guarantees (the pool
// stores the new refresh token before it uses the new access token, and
// never deletes the old one first) is that a crash in that window leaves
// the keychain with the previous token, never with nothing or a torn item,
// and that the new token is never used, so the server's grace for the
// previous token (valid until its successor is used once) still holds.
// The loop below checks exactly that: after every kill the next process
// refreshes with whatever the keychain holds, and succeeds.

// TestRotationCrashHelper is not a test: the crash loop runs the test binary
// with KIRODESK_ROTATION_DIR set, and this function then plays a Kirodesk
// that refreshes its one account's token over and over and proves each new
// token with a chat call, until it is killed.
func TestRotationCrashHelper(t *testing.T) {
	dir := os.Getenv("KIRODESK_ROTATION_DIR")
	if dir == "" {
		t.Skip("helper process for TestRefreshRotationSurvivesSIGKILL")
	}
	fail := func(what string, err error) {
		fmt.Println(what, err)
		os.Exit(3)
	}
	ctx := context.Background()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		fail("OPEN-FAILED", err)
	}
	snap := st.Pool.Snapshot()
	if len(snap.Accounts) != 1 || snap.Accounts[0].State.Status != store.StatusReady {
		fail("UNUSABLE-FAILED", fmt.Errorf("account state %+v", snap.Accounts))
	}
	id := snap.Accounts[0].ID
	up := store.Upstream{APIBase: os.Getenv("KIRODESK_ROTATION_FAKE"), AuthBase: os.Getenv("KIRODESK_ROTATION_FAKE"), OIDCBase: os.Getenv("KIRODESK_ROTATION_FAKE")}
	client := kiro.New(kiro.Options{Upstream: func() store.Upstream { return up }})
	acc := accounts.New(st.Pool, secrets.NewKeyring(KeychainService(dir, os.Getenv)), nil)
	pl := pool.New(pool.Options{File: st.Pool, Accounts: acc, Refresher: client})
	built, err := payload.Build(&canon.Request{Model: "claude-sonnet-4-5", MaxTokens: 10,
		Messages: []canon.Message{{Role: canon.RoleUser, Content: []canon.Block{{Type: canon.BlockText, Text: "hi"}}}}},
		payload.Options{ConversationID: kiro.UUID()})
	if err != nil {
		fail("BUILD-FAILED", err)
	}
	fmt.Println("READY")
	for i := 0; ; i++ {
		cr, err := pl.Credentials(ctx, id)
		if err != nil {
			fail("LOAD-FAILED", err)
		}
		// As if Kiro had refused the access token: one refresh.
		fresh, err := pl.Reauthorize(ctx, id, cr.AccessToken)
		if err != nil {
			fail("REFRESH-FAILED", err)
		}
		resp, err := client.Chat(ctx, fresh, kiro.MachineID(id), built.Body)
		if err != nil {
			fail("CHAT-FAILED", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Println("OK", i)
	}
}

// TestRefreshRotationSurvivesSIGKILL kills a refreshing process with
// SIGKILL at the worst moment, again and again: the fake rotates the token
// and then either holds its answer while the process is killed (Kiro
// rotated, the process never learnt the new token), or sends it and the
// kill follows within 0-20 ms (the process is reading it, writing the
// keychain, or already using the new token). After every kill the next process must refresh with what the
// keychain holds and use the result: the account is never left unusable.
func TestRefreshRotationSurvivesSIGKILL(t *testing.T) {
	testenv.RequireKeychain(t)
	const kills = 60
	fake := fakekiro.New(fakekiro.Options{RotationGrace: true})
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	ctx := context.Background()
	sec := secrets.NewKeyring(KeychainService(dir, os.Getenv))
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	fa := fake.AddAccount(fakekiro.FakeAccount{Email: "crash@example.com"})
	cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthSocial, ExpiresAt: time.Now().Add(time.Hour)}
	a, err := accounts.New(st.Pool, sec, nil).Add(ctx, store.Account{Label: "crash", AuthMethod: store.AuthSocial}, cr.Secret())
	require.NoError(t, err)
	t.Cleanup(func() { _ = sec.Delete(context.Background(), accounts.SecretKey(a.ID)) })
	require.NoError(t, st.Close(ctx))

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var (
		mu       sync.Mutex
		child    *os.Process
		died     chan struct{}
		target   int // kill at this refresh of the current child
		seen     int
		hold     bool
		killedAt string // the refresh token issued when the kill was ordered
	)
	fake.SetRefreshHook(func(issued fakekiro.FakeAccount) {
		mu.Lock()
		seen++
		if child == nil || seen != target || killedAt != "" {
			mu.Unlock()
			return
		}
		killedAt = issued.RefreshToken
		proc, dead, holdIt := child, died, hold
		delay := time.Duration(rng.IntN(20_000)) * time.Microsecond
		mu.Unlock()
		if holdIt {
			_ = proc.Signal(syscall.SIGKILL)
			<-dead // the answer goes out only to a dead process
			return
		}
		go func() {
			time.Sleep(delay)
			_ = proc.Signal(syscall.SIGKILL)
		}()
	})

	var oldKept, newKept, heldKills, okLines int
	for k := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRotationCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), "KIRODESK_ROTATION_DIR="+dir, "KIRODESK_ROTATION_FAKE="+fake.URL)
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)

		require.NoError(t, cmd.Start())
		mu.Lock() // the child takes far longer to reach its first refresh than this
		child, died, seen, killedAt = cmd.Process, make(chan struct{}), 0, ""
		target, hold = 1+rng.IntN(3), rng.IntN(2) == 0
		mu.Unlock()
		var lines []string
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		werr := cmd.Wait()
		mu.Lock()
		close(died)
		child = nil
		issued, held := killedAt, hold
		mu.Unlock()

		for _, l := range lines {
			require.False(t, strings.Contains(l, "FAILED"), "kill %d: the process could not use the account: %q (all output %q)", k, l, lines)
			if strings.HasPrefix(l, "OK ") {
				okLines++
			}
		}
		ws, ok := werr.(*exec.ExitError)
		require.True(t, ok && ws.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL, "kill %d: want death by SIGKILL, got %v, output %q", k, werr, lines)
		require.NotEmpty(t, issued, "kill %d: the kill was ordered at a refresh", k)
		if held {
			heldKills++
		}
		after, err := sec.Get(ctx, accounts.SecretKey(a.ID))
		require.NoError(t, err, "kill %d: the account's keychain item must survive", k)
		afterCr, err := kiro.ParseCredentials(after)
		require.NoError(t, err, "kill %d: the keychain item must be whole", k)
		if afterCr.RefreshToken == issued {
			newKept++
		} else {
			oldKept++
		}
	}

	// The last word: a fresh pool refreshes with what is stored and serves.
	st, err = store.Open(dir, store.Options{})
	require.NoError(t, err)
	defer st.Close(ctx)
	assert.Equal(t, store.StatusReady, st.Pool.Snapshot().Accounts[0].State.Status)
	up := store.Upstream{APIBase: fake.URL, AuthBase: fake.URL, OIDCBase: fake.URL}
	client := kiro.New(kiro.Options{Upstream: func() store.Upstream { return up }})
	pl := pool.New(pool.Options{File: st.Pool, Accounts: accounts.New(st.Pool, sec, nil), Refresher: client})
	cur, err := pl.Credentials(ctx, a.ID)
	require.NoError(t, err)
	fresh, err := pl.Reauthorize(ctx, a.ID, cur.AccessToken)
	require.NoError(t, err)
	assert.NotEqual(t, cur.AccessToken, fresh.AccessToken)

	assert.Positive(t, oldKept, "some kills must land before the new token was stored, or the loop tests nothing")
	t.Logf("FIGURE rotation crash loop: %d SIGKILLs (%d while the fake held the refresh answer, %d 0-20 ms after it); "+
		"keychain held the previous token after %d kills and the new one after %d; %d refresh+chat rounds completed; "+
		"%d refreshes at the fake; 0 unusable restarts",
		kills, heldKills, kills-heldKills, oldKept, newKept, okLines, fake.Stats("crash@example.com").Refreshes)
}
