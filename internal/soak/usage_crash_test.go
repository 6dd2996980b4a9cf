//go:build linux

package soak

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/core"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
	"kirodesk/internal/usage"
)

// usageChild is the whole app (core.Open on the folder, the real keychain,
// the listener) with one account, serving whatever the parent sends until
// it is killed. Environment as crashChild's.
func usageChild() int {
	ctx := context.Background()
	c, creds, code := openChild(ctx)
	if code != 0 {
		return code
	}
	<-c.Reconciled()
	if len(c.Store.Pool.Snapshot().Accounts) == 0 { // the first run; later ones keep it
		if _, err := c.Accounts.Add(ctx, store.Account{ID: accounts.NewID(), Label: "usage", AuthMethod: store.AuthSocial},
			creds[0].Secret()); err != nil {
			fmt.Fprintln(os.Stderr, "child: add:", err)
			return 1
		}
	}
	if err := c.Proxy.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "child: start:", err)
		return 1
	}
	fmt.Printf("listening %s\n", c.Proxy.Status().Endpoint)
	select {} // until SIGKILL
}

// requestsOnDisk is the requests usage.json holds, read as the next start
// would, which must need no repair.
func requestsOnDisk(t *testing.T, dir string) int64 {
	t.Helper()
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err, "the folder does not open after SIGKILL")
	defer func() { require.NoError(t, st.Close(context.Background())) }()
	require.Empty(t, st.Notices(), "a file needed repair after SIGKILL")
	u := st.Usage.Snapshot()
	var n int64
	for _, r := range append(u.Hours, u.Days...) {
		n += r.Requests
	}
	return n
}

// SIGKILL of the running app while clients keep it busy: the usage history
// keeps every request answered more than 10 s before the kill (at most the
// last 10 s of counts are lost), never loses what earlier runs wrote, and
// never counts a request that was not sent.
func TestUsageSurvivesKill9OfTheAppUnderLoad(t *testing.T) {
	testenv.RequireKeychain(t)
	fake := fakekiro.New(fakekiro.Options{DiscardRequests: true, AccessTokenTTL: 24 * time.Hour})
	t.Cleanup(fake.Close)
	// Credits for both runs: with the free plan's 50 the second run's
	// requests would all be refused at once (quota), which is not load.
	limits := fakekiro.DefaultUsageLimits("soak@example.com")
	limits.UsageBreakdownList[0].UsageLimit, limits.UsageBreakdownList[0].UsageLimitWithPrecision = 1_000_000, 1_000_000
	fa := fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/P", Limits: &limits})
	creds, err := json.Marshal([]kiro.Credentials{{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken,
		AuthMethod: store.AuthSocial, ProfileARN: fa.ProfileARN, ExpiresAt: time.Now().Add(20 * time.Hour)}})
	require.NoError(t, err)
	dir := t.TempDir()
	service := core.KeychainService(dir, os.Getenv)
	t.Cleanup(func() { wipeKeychain(t, service) })

	var before int64 // on disk after the previous run
	for cycle := range 2 {
		child := startChild(t, cycle, "usage", dir, string(creds), fake.URL)
		cmd, url := child.cmd, child.url
		k, err := secrets.NewKeyring(service).Get(context.Background(), "apikey")
		require.NoError(t, err)
		key := k.Reveal()

		// Eight clients over the three APIs, plain and streaming; each
		// request's end is noted once its answer (of any status) was read.
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		var answered []time.Time
		var started, refused int64
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				for n := 0; ctx.Err() == nil; n++ {
					mu.Lock()
					started++
					mu.Unlock()
					o := send(ctx, http.DefaultClient, url, key, api((i+n)%int(numAPIs)), fmt.Sprintf("usage %d %d %d", cycle, i, n))
					end := time.Now()
					if o.res == resBroken && o.status == 0 {
						continue // cut by the kill: counted or not, either is right
					}
					mu.Lock()
					answered = append(answered, end)
					if o.res != resOK {
						refused++
					}
					mu.Unlock()
				}
			})
		}
		// Long enough for answers older than usage.MaxLoss to exist (the
		// app takes a moment to start: at exactly MaxLoss none might be),
		// killed at a random moment of the write cycle.
		time.Sleep(usage.MaxLoss + 2*time.Second + rand.N(store.UsageFlushInterval))
		killed := time.Now()
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		cancel()
		wg.Wait()

		// A kill loses the counts since the last write began (usage.MaxLoss).
		var must int64
		for _, at := range answered {
			if at.Before(killed.Add(-usage.MaxLoss)) {
				must++
			}
		}
		got := requestsOnDisk(t, dir) - before
		t.Logf("cycle %d: %d requests sent, %d answered (%d not 200), %d on disk, %d required (answered %s before the kill)",
			cycle, started, len(answered), refused, got, must, usage.MaxLoss)
		assert.Positive(t, must, "no request was answered %s before the kill: %s", usage.MaxLoss, child.stderr.String())
		assert.Less(t, refused, int64(len(answered)/10), "cycle %d: the app refused most requests; the test is of counts under load", cycle)
		assert.GreaterOrEqual(t, got, must, "cycle %d: more than %s of counts were lost", cycle, usage.MaxLoss)
		assert.LessOrEqual(t, got, started, "cycle %d: more requests on disk than were sent", cycle)
		before += got
	}
}
