package control

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/login"
	"kirodesk/internal/pool"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

type rig struct {
	dir    string
	fake   *fakekiro.Server
	acc    *accounts.Service
	st     *store.Store
	srv    *Server
	client *Client
}

func newRig(t *testing.T) *rig {
	t.Helper()
	fake := fakekiro.New(fakekiro.Options{DeviceUnit: 20 * time.Millisecond})
	t.Cleanup(fake.Close)
	// A short folder: Unix socket paths are limited to about 100 bytes.
	dir, err := os.MkdirTemp("", "kdctl")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close(context.Background()) })
	sec := secrets.NewMemory()
	acc := accounts.New(st.Pool, sec, nil)
	up := func() store.Upstream {
		return store.Upstream{APIBase: fake.URL, AuthBase: fake.URL, OIDCBase: fake.URL}
	}
	client := kiro.New(kiro.Options{Upstream: up, HTTP: fake.Client()})
	lg := login.New(login.Options{Accounts: acc, Upstream: up, Secrets: sec, HTTP: fake.Client,
		Refresher: client, PollUnit: 20 * time.Millisecond,
		OpenBrowser: func(string) error { return nil }})
	pl := pool.New(pool.Options{File: st.Pool, Accounts: acc, Refresher: client, Quota: client})
	// A crashed owner's socket file is in the way.
	require.NoError(t, os.WriteFile(SocketPath(dir), []byte("stale"), 0o600))
	srv, err := Listen(dir, NewLocal(lg, acc, pl), nil)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close(context.Background()) })
	c, err := Dial(t.Context(), dir)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return &rig{dir: dir, fake: fake, acc: acc, st: st, srv: srv, client: c}
}

func TestSocketIsPrivateAndRemovedOnClose(t *testing.T) {
	r := newRig(t)
	st, err := os.Stat(SocketPath(r.dir))
	require.NoError(t, err)
	assert.Equal(t, os.ModeSocket, st.Mode().Type())
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	require.NoError(t, r.srv.Close(t.Context()))
	assert.NoFileExists(t, SocketPath(r.dir))
	_, err = Dial(t.Context(), r.dir)
	assert.ErrorContains(t, err, "does not answer")
}

func TestDeviceLoginAndAccountsThroughTheSocket(t *testing.T) {
	r := newRig(t)
	ctx := t.Context()
	r.fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{Polls: []string{fakekiro.PollPending}, Account: fakekiro.FakeAccount{Email: "s@example.com"}})
	f, err := r.client.StartDevice(ctx, login.DeviceOptions{Label: "via socket"})
	require.NoError(t, err)
	assert.Equal(t, KindDevice, f.Kind)
	assert.NotEmpty(t, f.UserCode)
	assert.Equal(t, f.VerificationURIComplete, f.Link())
	a, err := r.client.WaitFlow(ctx, f.ID)
	require.NoError(t, err)
	assert.Equal(t, "via socket", a.Label)
	_, err = r.client.WaitFlow(ctx, f.ID)
	assert.ErrorIs(t, err, ErrNoFlow, "a finished flow is forgotten")

	list, err := r.client.Accounts(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, a.ID, list[0].ID)

	d, err := r.client.SetDisabled(ctx, a.ID, true)
	require.NoError(t, err)
	assert.True(t, d.Disabled)
	d, err = r.client.SetDisabled(ctx, a.ID, false)
	require.NoError(t, err)
	assert.False(t, d.Disabled)
	d, err = r.client.Rename(ctx, a.ID, "renamed")
	require.NoError(t, err)
	assert.Equal(t, "renamed", d.Label)
	_, err = r.client.Rename(ctx, a.ID, " ")
	assert.ErrorContains(t, err, "label")

	// Nothing secret comes back out: the raw answers hold no token.
	toks := r.fake.Accounts()
	for _, path := range []string{"/v1/accounts"} {
		body := rawGet(t, r.dir, path)
		for _, fa := range toks {
			assert.NotContains(t, body, fa.RefreshToken)
			assert.NotContains(t, body, fa.AccessToken)
		}
	}

	require.NoError(t, r.client.Remove(ctx, a.ID))
	err = r.client.Remove(ctx, a.ID)
	assert.ErrorIs(t, err, accounts.ErrNotFound)
	_, err = r.client.SetDisabled(ctx, "acc-nope", true)
	assert.ErrorIs(t, err, accounts.ErrNotFound)
}

func TestDuplicateAndTokenErrorsKeepTheirMeaning(t *testing.T) {
	r := newRig(t)
	ctx := t.Context()
	fa := r.fake.AddAccount(fakekiro.FakeAccount{})
	_, err := r.client.AddToken(ctx, "aor-unknown", "")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "aor-unknown")
	a, err := r.client.AddToken(ctx, fa.RefreshToken, "pasted")
	require.NoError(t, err)
	assert.Equal(t, "pasted", a.Label)
	rotated := r.fake.Accounts()[0].RefreshToken
	_, err = r.client.AddToken(ctx, rotated, "")
	assert.ErrorIs(t, err, login.ErrDuplicate)
}

func TestWaitEndsWhenTheClientGoesAway(t *testing.T) {
	r := newRig(t)
	f := r.startPolling(t)
	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
	defer cancel()
	_, err := r.client.WaitFlow(ctx, f.ID)
	require.ErrorIs(t, err, login.ErrCanceled)
	time.Sleep(100 * time.Millisecond) // the server notices the closed connection
	r.requirePollingStopped(t, "the client left", 200*time.Millisecond)
}

func TestCancelFlow(t *testing.T) {
	r := newRig(t)
	f, err := r.client.StartSocial(t.Context(), login.SocialOptions{Provider: "google"})
	require.NoError(t, err)
	assert.Equal(t, f.LoginURL, f.Link())
	require.NoError(t, r.client.CancelFlow(t.Context(), f.ID))
	_, err = r.client.WaitFlow(t.Context(), f.ID)
	assert.ErrorIs(t, err, ErrNoFlow)
	assert.ErrorIs(t, r.client.CancelFlow(t.Context(), f.ID), ErrNoFlow)
	_, err = r.client.StartSocial(t.Context(), login.SocialOptions{Provider: "myspace"})
	assert.ErrorContains(t, err, "google or github")
}

func TestImportThroughTheSocket(t *testing.T) {
	r := newRig(t)
	cfg := filepath.Join(t.TempDir(), "configs")
	require.NoError(t, os.MkdirAll(filepath.Join(cfg, "kiro", "a"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(cfg, "kiro", "a", "t.json"), []byte(`{"refreshToken":"aor-sock","accessToken":"aoa-sock"}`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(cfg, "provider_pools.json"), []byte(`{"claude-kiro-oauth":[{"uuid":"u1","customName":"One","KIRO_OAUTH_CREDS_FILE_PATH":"configs/kiro/a/t.json"}]}`), 0o600))
	rep, err := r.client.ImportAIClient(t.Context(), cfg)
	require.NoError(t, err)
	require.Len(t, rep.Accounts, 1)
	assert.Equal(t, login.Imported, rep.Accounts[0].Outcome)
	deleted, err := r.client.DeletePlaintext(t.Context(), rep)
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(cfg, "kiro", "a", "t.json")}, deleted)
	assert.NoFileExists(t, deleted[0])
}

// startPolling starts a device sign-in whose token polls stay pending (500
// of them, one every 20 ms): a flow that is busy until something ends it.
func (r *rig) startPolling(t *testing.T) Flow {
	t.Helper()
	r.fake.EnqueueDeviceFlow(fakekiro.Unapproved(500))
	f, err := r.client.StartDevice(t.Context(), login.DeviceOptions{})
	require.NoError(t, err)
	return f
}

// requirePollingStopped checks that the flow had been polling until what
// ended it, and polls no more after quiet.
func (r *rig) requirePollingStopped(t *testing.T, ended string, quiet time.Duration) {
	t.Helper()
	polls := r.fake.Calls(fakekiro.PathToken)
	require.Greater(t, polls, 1, "the flow was polling every 20 ms before %s", ended)
	time.Sleep(quiet)
	assert.Equal(t, polls, r.fake.Calls(fakekiro.PathToken), "the flow stopped polling after %s", ended)
}

func rawGet(t *testing.T, dir, path string) string {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", SocketPath(dir))
	}}}
	resp, err := hc.Get("http://kirodesk" + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	return string(b)
}

func TestCloseEndsAWaitInProgressAndCancelsItsFlow(t *testing.T) {
	r := newRig(t)
	f := r.startPolling(t)
	waited := make(chan error, 1)
	go func() {
		_, err := r.client.WaitFlow(t.Context(), f.ID)
		waited <- err
	}()
	time.Sleep(100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, r.srv.Close(ctx), "the wait ends at once and its handler returns")
	select {
	case err := <-waited:
		assert.Error(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("the client's wait did not end")
	}
	r.requirePollingStopped(t, "the server closed", 150*time.Millisecond)
}

func TestQuotaResetAndLiveStateThroughTheSocket(t *testing.T) {
	r := newRig(t)
	ctx := t.Context()
	fa := r.fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/P"})
	cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthSocial,
		ProfileARN: fa.ProfileARN, ExpiresAt: time.Now().Add(time.Hour)}
	a, err := r.acc.Add(ctx, store.Account{Label: "quota", AuthMethod: store.AuthSocial}, cr.Secret())
	require.NoError(t, err)
	reset := time.Now().Add(72 * time.Hour).Truncate(time.Second)
	require.True(t, r.fake.SetUsageLimits(fa.AccessToken, fakekiro.UsageLimits{
		SubscriptionInfo: fakekiro.SubscriptionInfo{SubscriptionTitle: "KIRO PRO"},
		UserInfo:         fakekiro.UserInfo{Email: "quota@example.com"},
		UsageBreakdownList: []fakekiro.UsageBreakdown{{ResourceType: "CREDIT", CurrentUsageWithPrecision: 250.5,
			UsageLimitWithPrecision: 1000, NextDateReset: float64(reset.Unix())}},
	}))

	got, err := r.client.RefreshQuota(ctx, a.ID)
	require.NoError(t, err)
	require.NotNil(t, got.Quota)
	assert.Equal(t, "KIRO PRO", got.Quota.Plan)
	assert.InDelta(t, 250.5, got.Quota.Used, 0.001)
	assert.InDelta(t, 1000, got.Quota.Limit, 0.001)
	assert.True(t, got.Quota.ResetAt.Equal(reset), "reset %v, want %v", got.Quota.ResetAt, reset)

	// A cooldown that has passed reads as ready; a suspension stays until Reset.
	require.NoError(t, r.st.Pool.Update(ctx, func(p *store.Pool) error {
		p.Account(a.ID).State = store.AccountState{Status: store.StatusCooling, Reason: "429", Until: time.Now().Add(-time.Second)}
		return nil
	}))
	list, err := r.client.Accounts(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, store.StatusReady, list[0].State.Status)

	require.NoError(t, r.st.Pool.Update(ctx, func(p *store.Pool) error {
		p.Account(a.ID).State = store.AccountState{Status: store.StatusSuspended, Reason: "403"}
		return nil
	}))
	list, err = r.client.Accounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, store.StatusSuspended, list[0].State.Status)
	got, err = r.client.Reset(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusReady, got.State.Status)

	_, err = r.client.Reset(ctx, "acc-missing")
	assert.ErrorIs(t, err, accounts.ErrNotFound)
}
