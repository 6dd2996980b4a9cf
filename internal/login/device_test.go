package login

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/store"
)

func TestDeviceFlowPendingSlowDownSuccess(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	e.fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{
		Polls:   []string{fakekiro.PollPending, fakekiro.PollSlowDown, fakekiro.PollPending},
		Account: fakekiro.FakeAccount{Email: "dev@example.com"},
	})
	ctx := t.Context()
	f, err := e.svc.StartDevice(ctx, DeviceOptions{})
	require.NoError(t, err)
	assert.Regexp(t, `^[A-Z0-9]{4}-[A-Z0-9]{4}$`, f.UserCode)
	assert.Equal(t, e.fake.URL+"/device", f.VerificationURI)
	assert.Equal(t, []string{f.VerificationURIComplete}, e.browserOpened(), "the browser opens on the complete link")

	start := time.Now()
	a, err := f.Wait(ctx)
	require.NoError(t, err)
	// 1 + 1 + 6 + 6 units: the slow_down added 5 to the interval, and the
	// fake would have answered slow_down again had we polled sooner.
	assert.GreaterOrEqual(t, time.Since(start), 14*unit)
	assert.Equal(t, 4, e.fake.Calls(fakekiro.PathToken), "three scripted answers, then the tokens: no extra slow_down")

	assert.Equal(t, "dev@example.com", a.Label, "labelled from the email")
	assert.Equal(t, "dev@example.com", a.Email)
	assert.Equal(t, store.AuthBuilderID, a.AuthMethod)
	assert.Equal(t, "BuilderId", a.Provider)
	assert.Equal(t, BuilderIDStartURL, a.StartURL)
	assert.Equal(t, "us-east-1", a.AuthRegion)
	c := e.assertSafe(a)
	assert.True(t, c.IsOIDC(), "the client registration travels with the account for refreshes")
	assert.Equal(t, e.fake.Accounts()[0].RefreshToken, c.RefreshToken)

	// The registration is kept in the keychain and reused by the next login.
	_, err = e.sec.Get(ctx, ClientKey("us-east-1", BuilderIDStartURL))
	require.NoError(t, err)
	f2, err := e.svc.StartDevice(ctx, DeviceOptions{StartURL: BuilderIDStartURL, Label: "second"})
	require.NoError(t, err)
	assert.Equal(t, 1, e.fake.Calls(fakekiro.PathRegister))
	a2, err := f2.Wait(ctx)
	require.NoError(t, err)
	assert.Equal(t, "second", a2.Label)
	assert.NotEqual(t, a.ID, a2.ID)
	e.assertSafe(a2)
}

func TestDeviceFlowIdentityCenter(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	f, err := e.svc.StartDevice(t.Context(), DeviceOptions{StartURL: "https://my-org.awsapps.com/start", Region: "eu-west-1"})
	require.NoError(t, err)
	a, err := f.Wait(t.Context())
	require.NoError(t, err)
	assert.Equal(t, store.AuthIdC, a.AuthMethod)
	assert.Equal(t, "Enterprise", a.Provider)
	assert.Equal(t, "eu-west-1", a.AuthRegion)
	assert.Equal(t, "us-east-1", a.Region, "the API region is not the sign-in region")
	assert.Equal(t, "IAM Identity Center my-org", a.Label)
	c := e.assertSafe(a)
	assert.Equal(t, "eu-west-1", c.AuthRegion)
	_, err = e.sec.Get(t.Context(), ClientKey("eu-west-1", "https://my-org.awsapps.com/start"))
	assert.NoError(t, err)
}

func TestDeviceFlowEnds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		polls []string
		want  error
	}{
		{"denied", []string{fakekiro.PollPending, fakekiro.PollDenied}, ErrDenied},
		{"expired by the server", []string{fakekiro.PollExpired}, ErrExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, fakekiro.Options{}, nil)
			e.fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{Polls: tc.polls})
			f, err := e.svc.StartDevice(t.Context(), DeviceOptions{})
			require.NoError(t, err)
			_, err = f.Wait(t.Context())
			require.ErrorIs(t, err, tc.want)
			assert.Empty(t, e.acc.List())
			_, err = f.Wait(t.Context())
			assert.Error(t, err, "a flow is waited on once")
		})
	}
}

func TestDeviceFlowExpiresWhileNobodyApproves(t *testing.T) {
	e := newEnv(t, fakekiro.Options{DeviceExpiresIn: 10 * unit}, nil)
	e.fake.EnqueueDeviceFlow(fakekiro.Unapproved(100))
	f, err := e.svc.StartDevice(t.Context(), DeviceOptions{})
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(10*unit), f.ExpiresAt, 5*unit)
	_, err = f.Wait(t.Context())
	require.ErrorIs(t, err, ErrExpired)
	assert.Empty(t, e.acc.List())
}

func TestDeviceFlowCancel(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	e.fake.EnqueueDeviceFlow(fakekiro.Unapproved(100))
	f, err := e.svc.StartDevice(t.Context(), DeviceOptions{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(5*unit, cancel)
	_, err = f.Wait(ctx)
	require.ErrorIs(t, err, ErrCanceled)
	require.ErrorIs(t, err, context.Canceled)
	polls := e.fake.Calls(fakekiro.PathToken)
	assert.Positive(t, polls)
	time.Sleep(5 * unit)
	assert.Equal(t, polls, e.fake.Calls(fakekiro.PathToken), "no poll after the cancel")
	assert.Empty(t, e.acc.List())
}

func TestDeviceFlowRefusesBadInput(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	_, err := e.svc.StartDevice(t.Context(), DeviceOptions{StartURL: "http://my-org.awsapps.com/start"})
	assert.ErrorContains(t, err, "https://")
	_, err = e.svc.StartDevice(t.Context(), DeviceOptions{Region: "us east"})
	assert.ErrorContains(t, err, "not an AWS region")
	assert.Zero(t, e.fake.Calls(fakekiro.PathRegister))
}

func TestDeviceFlowRegistersAgainWhenTheKeptClientIsRefused(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	ctx := t.Context()
	// A kept registration the server no longer knows (revoked, or another fake).
	require.NoError(t, e.sec.Set(ctx, ClientKey("us-east-1", BuilderIDStartURL),
		secretJSON(t, oidcClient{ClientID: "gone", ClientSecret: "gone", ExpiresAt: time.Now().Add(48 * time.Hour)})))
	f, err := e.svc.StartDevice(ctx, DeviceOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, e.fake.Calls(fakekiro.PathRegister))
	_, err = f.Wait(ctx)
	require.NoError(t, err)
}

func TestDeviceFlowDuplicateIsRefused(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	e.fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{Account: fakekiro.FakeAccount{Email: "same@example.com"}},
		fakekiro.DeviceFlow{Account: fakekiro.FakeAccount{Email: "SAME@example.com"}})
	for i := range 2 {
		f, err := e.svc.StartDevice(t.Context(), DeviceOptions{})
		require.NoError(t, err)
		a, err := f.Wait(t.Context())
		if i == 0 {
			require.NoError(t, err)
			continue
		}
		require.True(t, errors.Is(err, ErrDuplicate), "got %v", err)
		assert.Equal(t, "same@example.com", a.Email, "the error names the existing account")
	}
	assert.Len(t, e.acc.List(), 1)
}

func TestDeviceFlowCancelMethod(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	e.fake.EnqueueDeviceFlow(fakekiro.Unapproved(100))
	f, err := e.svc.StartDevice(t.Context(), DeviceOptions{NoBrowser: true})
	require.NoError(t, err)
	assert.Empty(t, e.browserOpened(), "NoBrowser leaves the link to the caller")
	time.AfterFunc(5*unit, f.Cancel)
	_, err = f.Wait(t.Context())
	require.ErrorIs(t, err, ErrCanceled)
	assert.Empty(t, e.acc.List())
}

func TestOnlyWebLinksAreOpened(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	for _, u := range []string{"file:///etc/passwd", "/usr/bin/xcalc", "javascript:alert(1)", "https://"} {
		e.svc.openBrowser(u)
	}
	assert.Empty(t, e.browserOpened())
	e.svc.openBrowser("https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH")
	assert.Len(t, e.browserOpened(), 1)
}
