package app

import (
	"context"
	"net"
	"net/url"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/store"
)

// Quitting cancels the sign-ins still running: the social login's loopback
// port is closed and the device-code polls stop by the time Shutdown
// returns, and no goroutine of theirs is left.
func TestShutdownEndsTheSignInsInProgress(t *testing.T) {
	a, rt, _, fake, _ := startOnFake(t)
	fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{AwaitApproval: true})
	before := runtime.NumGoroutine()
	dl, err := a.StartDeviceLogin(DeviceOptions{Label: "Builder"})
	require.NoError(t, err)
	sl, err := a.StartSocialLogin("github", "Mine")
	require.NoError(t, err)
	u, err := url.Parse(sl.LoginURL)
	require.NoError(t, err)
	cb, err := url.Parse(u.Query().Get("redirect_uri"))
	require.NoError(t, err)
	callback := net.JoinHostPort("127.0.0.1", cb.Port())
	c, err := net.Dial("tcp", callback)
	require.NoError(t, err, "the loopback callback listens while the sign-in runs")
	c.Close()
	require.Eventually(t, func() bool { return fake.Calls(fakekiro.PathToken) >= 1 }, 10*time.Second, 20*time.Millisecond,
		"the device flow polls")

	start := time.Now()
	a.Shutdown()
	assert.Less(t, time.Since(start), 2*time.Second, "cancelled sign-ins end at once")
	_, err = net.Dial("tcp", callback)
	assert.Error(t, err, "the loopback callback is closed once Shutdown returns")
	polls := fake.Calls(fakekiro.PathToken)
	time.Sleep(2500 * time.Millisecond) // more than two poll intervals (1 s)
	assert.Equal(t, polls, fake.Calls(fakekiro.PathToken), "no device poll after Shutdown")

	ended := map[string]LoginEvent{}
	for _, ev := range rt.loginEvents() {
		ended[ev.FlowID] = ev
	}
	for _, id := range []string{dl.FlowID, sl.FlowID} {
		require.Contains(t, ended, id, "the window hears that the sign-in ended")
		assert.False(t, ended[id].OK)
		assert.Contains(t, ended[id].Error, "Kirodesk is quitting")
	}
	assert.Nil(t, a.flow(dl.FlowID))
	assert.Nil(t, a.flow(sl.FlowID))
	// The flows' goroutines (the follower, the poll loop, the server) are gone;
	// the HTTP clients' idle connections may take a moment to close.
	assert.Eventually(t, func() bool { return runtime.NumGoroutine() <= before }, 5*time.Second, 50*time.Millisecond,
		"goroutines: %d before the sign-ins, %d now", before, runtime.NumGoroutine())

	_, err = a.StartDeviceLogin(DeviceOptions{})
	assert.Error(t, err, "no sign-in starts once quitting")
}

// blockingLogins holds each import and pasted token until its context
// ends, as one waiting on a slow network would.
type blockingLogins struct {
	fakeLogins
	entered chan string
}

func (l *blockingLogins) hold(ctx context.Context, what string) error {
	l.entered <- what
	<-ctx.Done()
	return context.Cause(ctx)
}
func (l *blockingLogins) AddToken(ctx context.Context, _, _ string) (store.Account, error) {
	return store.Account{}, l.hold(ctx, "token")
}
func (l *blockingLogins) ImportKiroIDE(ctx context.Context, _, _ string) (store.Account, error) {
	return store.Account{}, l.hold(ctx, "kiro ide")
}
func (l *blockingLogins) ImportAIClient(ctx context.Context, _ string) (ImportReport, error) {
	return ImportReport{}, l.hold(ctx, "old proxy")
}

// The imports and a pasted token check their tokens with Kiro; quitting
// stops those checks too, instead of leaving them to their minute-long
// timeouts under a closing core.
func TestShutdownEndsTheImportsInProgress(t *testing.T) {
	a, _, _ := startApp(t)
	l := &blockingLogins{entered: make(chan string, 3)}
	a.SetLogins(l)
	errs := make(chan error, 3)
	go func() { _, err := a.AddToken(`{"refreshToken":"x"}`, ""); errs <- err }()
	go func() { _, err := a.ImportKiroIDE("", ""); errs <- err }()
	go func() { _, err := a.ImportOldProxy(t.TempDir()); errs <- err }()
	for range 3 {
		select {
		case <-l.entered:
		case <-time.After(10 * time.Second):
			t.Fatal("the calls did not reach the sign-in service")
		}
	}
	a.Shutdown()
	for range 3 {
		select {
		case err := <-errs:
			assert.ErrorContains(t, err, "Kirodesk is quitting")
		case <-time.After(5 * time.Second):
			t.Fatal("an import still runs after Shutdown returned")
		}
	}
}
