package login

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/store"
)

// addByDevice is the account a device sign-in as email adds under label.
func (e *env) addByDevice(email, label string) store.Account {
	e.t.Helper()
	e.fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{Account: fakekiro.FakeAccount{Email: email}})
	f, err := e.svc.StartDevice(e.t.Context(), DeviceOptions{Label: label})
	require.NoError(e.t, err)
	a, err := f.Wait(e.t.Context())
	require.NoError(e.t, err)
	return a
}

// needsSignIn puts the account in the state a revoked refresh token leaves
// it in, with counters that must survive the new sign-in.
func (e *env) needsSignIn(id string) {
	e.t.Helper()
	require.NoError(e.t, e.st.Pool.Update(context.Background(), func(p *store.Pool) error {
		a := p.Account(id)
		a.State = store.AccountState{Status: store.StatusLoginNeeded, Reason: "Kiro no longer accepts its refresh token: log in again"}
		a.Counters.Requests = 42
		return nil
	}))
}

func TestSignInAgainKeepsTheAccountAndReplacesItsCredentials(t *testing.T) {
	var replaced []string
	e := newEnv(t, fakekiro.Options{}, func(o *Options) { o.Replaced = func(id string) { replaced = append(replaced, id) } })
	a := e.addByDevice("dev@example.com", "Work")
	old := e.stored(a.ID)
	e.fake.RevokeRefreshToken(old.RefreshToken)
	e.needsSignIn(a.ID)

	e.fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{Account: fakekiro.FakeAccount{Email: "DEV@example.com"}})
	again, err := e.svc.StartAgain(t.Context(), a.ID, true)
	require.NoError(t, err)
	require.NotNil(t, again.Device, "a Builder ID account signs in again with the device flow")
	assert.Nil(t, again.Social)
	assert.Len(t, e.browserOpened(), 1, "NoBrowser: only the first sign-in opened it")
	b, err := again.Device.Wait(t.Context())
	require.NoError(t, err)

	assert.Equal(t, a.ID, b.ID)
	assert.Equal(t, "Work", b.Label)
	assert.Equal(t, "dev@example.com", b.Email)
	assert.Equal(t, int64(42), b.Counters.Requests)
	assert.Equal(t, store.StatusReady, b.State.Status)
	assert.Len(t, e.acc.List(), 1, "no second account")
	now := e.assertSafe(b)
	assert.NotEqual(t, old.RefreshToken, now.RefreshToken, "the keychain holds the new sign-in")
	assert.Equal(t, []string{a.ID}, replaced, "the pool is told to drop what it held")
}

func TestSignInAgainRefusesAnotherPerson(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	a := e.addByDevice("alice@example.com", "Alice")
	old := e.stored(a.ID)
	e.needsSignIn(a.ID)

	e.fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{Account: fakekiro.FakeAccount{Email: "bob@example.com"}})
	again, err := e.svc.StartAgain(t.Context(), a.ID, true)
	require.NoError(t, err)
	_, err = again.Device.Wait(t.Context())
	require.ErrorIs(t, err, ErrOtherUser)
	assert.Equal(t, `a different account signed in: you signed in as bob@example.com, but "Alice" is alice@example.com. Sign in as alice@example.com, or add bob@example.com as a new account`, err.Error())

	assert.Equal(t, old.RefreshToken, e.stored(a.ID).RefreshToken, "the credentials are left alone")
	got, err := e.acc.Get(a.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusLoginNeeded, got.State.Status)
	assert.Len(t, e.acc.List(), 1)
}

func TestSignInAgainRefusesAnotherKindOfSignInWithoutEmails(t *testing.T) {
	a := store.Account{Label: "Mine", AuthMethod: store.AuthSocial, Provider: "Google"}
	err := sameUser(a, credsOf(store.AuthSocial, "Github"), "")
	require.ErrorIs(t, err, ErrOtherUser)
	assert.Contains(t, err.Error(), `"Mine" was added with Google, and this sign-in is GitHub`)
	require.NoError(t, sameUser(a, credsOf(store.AuthSocial, "Google"), "someone@example.com"))
}

func TestSignInAgainOfAnIDEImportRereadsTheFile(t *testing.T) {
	home := t.TempDir()
	e := newEnv(t, fakekiro.Options{}, func(o *Options) { o.Home = func() (string, error) { return home, nil } })
	cache := filepath.Join(home, ".aws", "sso", "cache")
	require.NoError(t, os.MkdirAll(cache, 0o700))
	file := filepath.Join(cache, "kiro-auth-token.json")
	write := func(refresh string) {
		require.NoError(t, os.WriteFile(file, []byte(`{"accessToken": "aoa-`+refresh+`", "refreshToken": "`+refresh+`",
  "expiresAt": "2020-01-01T00:00:00.000Z", "authMethod": "social", "provider": "Google",
  "profileArn": "arn:aws:codewhisperer:us-east-1:123456789012:profile/P"}`), 0o600))
	}

	found, err := e.svc.DetectKiroIDE(t.Context())
	require.NoError(t, err)
	assert.Equal(t, IDESignIn{Path: file}, found, "no file: nothing found")

	write("aor-ide-1")
	found, err = e.svc.DetectKiroIDE(t.Context())
	require.NoError(t, err)
	assert.Equal(t, IDESignIn{Found: true, Path: file, Method: "Google"}, found)

	a, err := e.svc.ImportKiroIDE(t.Context(), "", "IDE")
	require.NoError(t, err)
	found, err = e.svc.DetectKiroIDE(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "IDE", found.Account, "already imported: the window says as which account")
	e.needsSignIn(a.ID)

	_, err = e.svc.StartAgain(t.Context(), a.ID, true)
	require.ErrorContains(t, err, "sign in again in the Kiro IDE first")

	write("aor-ide-2") // the person signed in again in the IDE
	again, err := e.svc.StartAgain(t.Context(), a.ID, true)
	require.NoError(t, err)
	require.NotNil(t, again.Account)
	assert.Equal(t, a.ID, again.Account.ID)
	assert.Equal(t, "IDE", again.Account.Label)
	assert.Equal(t, store.StatusReady, again.Account.State.Status)
	assert.Equal(t, "aor-ide-2", e.stored(a.ID).RefreshToken)
}

func credsOf(method, provider string) kiro.Credentials {
	return kiro.Credentials{AuthMethod: method, Provider: provider}
}
