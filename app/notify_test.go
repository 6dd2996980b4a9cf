package app

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/app/trayproto"
	"kirodesk/internal/autostart"
	"kirodesk/internal/core"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

type recNotifier struct {
	mu    sync.Mutex
	shown []string
}

func (n *recNotifier) Notify(title, body string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.shown = append(n.shown, title+" | "+body)
	return nil
}

func (n *recNotifier) all() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.shown...)
}

func TestAccountNeedingLoginIsAnnouncedOnceAndReachesTheTray(t *testing.T) {
	a, rt, _ := startApp(t)
	n := &recNotifier{}
	a.notifier = n
	c, _ := a.ready()
	acc, err := c.Accounts.Add(context.Background(), store.Account{Label: "Work", AuthMethod: store.AuthSocial}, secrets.New(`{"accessToken":"x"}`))
	require.NoError(t, err)
	a.checkAccounts()
	assert.Empty(t, n.all())

	require.NoError(t, c.Store.Pool.Update(context.Background(), func(p *store.Pool) error {
		p.Account(acc.ID).State = store.AccountState{Status: store.StatusLoginNeeded, Reason: "refresh token refused"}
		return nil
	}))
	a.checkAccounts()
	a.checkAccounts()
	assert.Equal(t, []string{"Kirodesk: sign in again | Work needs a new sign-in: open Kirodesk, Accounts."}, n.all())
	assert.Equal(t, []trayproto.Account{{Label: "Work", State: store.StatusLoginNeeded}}, a.trayState().Accounts)
	rt.mu.Lock()
	assert.NotEmpty(t, rt.named[EventAccounts], "the window hears of it")
	rt.mu.Unlock()

	// Signed in again, then lost again: a new notification.
	setStatus := func(s string) {
		require.NoError(t, c.Store.Pool.Update(context.Background(), func(p *store.Pool) error {
			p.Account(acc.ID).State = store.AccountState{Status: s}
			return nil
		}))
	}
	setStatus(store.StatusReady)
	a.checkAccounts()
	setStatus(store.StatusLoginNeeded)
	a.checkAccounts()
	assert.Len(t, n.all(), 2)
}

// The test binary has no kirodesk-tray beside it, as a broken install
// would not: starting the tray the way Run does opens the window instead
// and says why.
func TestWithoutATrayHostTheWindowOpensAndSaysWhy(t *testing.T) {
	a, rt, _ := startApp(t)
	_, err := TrayPath()
	require.Error(t, err, "this test needs no tray program next to the test binary")
	a.startTray(t.Context())
	t.Cleanup(a.stopTray)
	rt.mu.Lock()
	shown := rt.shown
	rt.mu.Unlock()
	assert.Equal(t, 1, shown, "the window is the way in")
	st, err := a.Status()
	require.NoError(t, err)
	require.Len(t, st.Warnings, 1)
	assert.Contains(t, st.Warnings[0].Text, "tray program was not found")
	assert.Contains(t, st.Warnings[0].Text, "closing this window quits Kirodesk")
	assert.False(t, a.beforeClose(), "closing the window quits: nothing else brings it back")
}

func TestDeviceCodeIsAnnounced(t *testing.T) {
	a, _, _ := startApp(t)
	assert.Equal(t, []string{"Kirodesk: sign-in code ready | Enter ABCD-EFGH at https://device.example"}, deviceCodeNotices(t, a))
}

// deviceCodeNotices starts a device sign-in on a (a fake flow that waits
// until the test ends) and returns the notifications that announced it.
func deviceCodeNotices(t *testing.T, a *App) []string {
	t.Helper()
	n := &recNotifier{}
	a.notifier = n
	a.SetLogins(&fakeLogins{flow: &fakeFlow{done: make(chan struct{})}})
	dl, err := a.StartDeviceLogin(DeviceOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.CancelLogin(dl.FlowID) })
	return n.all()
}

func TestWatchStopsAtShutdown(t *testing.T) {
	a, _, _ := startApp(t)
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { a.watchAccounts(ctx, time.Millisecond); close(done) }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("the account watch did not stop")
	}
}

func TestProxyThatCannotStartIsAnnounced(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	n := &recNotifier{}
	a := New(Options{Version: "v", Notifier: n, Autostart: autostart.Manager{ConfigHome: t.TempDir()}})
	require.NoError(t, a.Startup(&recorder{}, func() (*core.Core, error) {
		return core.Open(context.Background(), core.Options{ConfigDir: t.TempDir(), Secrets: secrets.NewMemory(), Port: &port})
	}))
	t.Cleanup(a.Shutdown)
	require.Len(t, n.all(), 1)
	assert.Contains(t, n.all()[0], "Kirodesk: the proxy did not start | port "+strconv.Itoa(port)+" is in use")
}
