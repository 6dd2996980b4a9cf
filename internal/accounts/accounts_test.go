package accounts

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// faulty is a secrets.Store whose operations can be made to fail.
type faulty struct {
	secrets.Store
	mu                  sync.Mutex
	failSet, failDelete error
	failGet             error
}

func (f *faulty) Set(ctx context.Context, k string, v secrets.Secret) error {
	f.mu.Lock()
	err := f.failSet
	f.mu.Unlock()
	if err != nil {
		return err
	}
	return f.Store.Set(ctx, k, v)
}

func (f *faulty) Delete(ctx context.Context, k string) error {
	f.mu.Lock()
	err := f.failDelete
	f.mu.Unlock()
	if err != nil {
		return err
	}
	return f.Store.Delete(ctx, k)
}

func (f *faulty) Get(ctx context.Context, k string) (secrets.Secret, error) {
	f.mu.Lock()
	err := f.failGet
	f.mu.Unlock()
	if err != nil {
		return secrets.Secret{}, err
	}
	return f.Store.Get(ctx, k)
}

func setup(t *testing.T) (*Service, *store.Store, *faulty, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close(context.Background()) })
	sec := &faulty{Store: secrets.NewMemory()}
	return New(st.Pool, sec, nil), st, sec, dir
}

func account(label string) store.Account {
	return store.Account{Label: label, AuthMethod: store.AuthSocial, Provider: "Google"}
}

var creds = secrets.New(`{"refreshToken":"rt-1"}`)

func TestAddWritesKeychainThenPool(t *testing.T) {
	svc, st, sec, _ := setup(t)
	ctx := context.Background()
	a, err := svc.Add(ctx, account("work"), creds)
	require.NoError(t, err)
	assert.Regexp(t, `^acc-[0-9a-f]{16}$`, a.ID)
	assert.Equal(t, store.StatusReady, a.State.Status)

	p := st.Pool.Snapshot()
	require.NotNil(t, p.Account(a.ID))
	assert.Empty(t, p.PendingSecrets)
	got, err := sec.Get(ctx, SecretKey(a.ID))
	require.NoError(t, err)
	assert.Equal(t, creds.Reveal(), got.Reveal())
}

func TestFailedKeychainWriteAddsNothing(t *testing.T) {
	svc, st, sec, _ := setup(t)
	sec.failSet = secrets.ErrUnavailable
	_, err := svc.Add(context.Background(), account("work"), creds)
	require.ErrorIs(t, err, secrets.ErrUnavailable)
	assert.Contains(t, err.Error(), "keychain")
	p := st.Pool.Snapshot()
	assert.Empty(t, p.Accounts)
	assert.Empty(t, p.PendingSecrets)
}

func TestRejectedMetadataUndoesTheKeychainWrite(t *testing.T) {
	svc, st, sec, _ := setup(t)
	bad := account("work")
	bad.AuthMethod = "carrier-pigeon"
	bad.ID = "acc-bad"
	_, err := svc.Add(context.Background(), bad, creds)
	require.ErrorContains(t, err, "carrier-pigeon")
	_, err = sec.Get(context.Background(), SecretKey("acc-bad"))
	assert.ErrorIs(t, err, secrets.ErrNotFound)
	assert.Empty(t, st.Pool.Snapshot().PendingSecrets)
}

func TestDuplicateIDIsRefused(t *testing.T) {
	svc, _, _, _ := setup(t)
	a := account("one")
	a.ID = "acc-same"
	_, err := svc.Add(context.Background(), a, creds)
	require.NoError(t, err)
	_, err = svc.Add(context.Background(), a, secrets.New("other"))
	require.ErrorContains(t, err, "already exists")
	got, err := svc.Credentials(context.Background(), "acc-same")
	require.NoError(t, err)
	assert.Equal(t, creds.Reveal(), got.Reveal(), "the first account's credentials are untouched")
}

func TestRemoveDeletesBothHalves(t *testing.T) {
	svc, st, sec, _ := setup(t)
	ctx := context.Background()
	a, err := svc.Add(ctx, account("work"), creds)
	require.NoError(t, err)
	require.NoError(t, svc.Remove(ctx, a.ID))
	assert.Nil(t, st.Pool.Snapshot().Account(a.ID))
	assert.Empty(t, st.Pool.Snapshot().PendingSecrets)
	_, err = sec.Get(ctx, SecretKey(a.ID))
	assert.ErrorIs(t, err, secrets.ErrNotFound)
	assert.ErrorIs(t, svc.Remove(ctx, a.ID), ErrNotFound)
}

func TestRemoveWithKeychainDownIsFinishedByReconcile(t *testing.T) {
	svc, st, sec, _ := setup(t)
	ctx := context.Background()
	a, err := svc.Add(ctx, account("work"), creds)
	require.NoError(t, err)
	sec.failDelete = secrets.ErrTimeout
	err = svc.Remove(ctx, a.ID)
	require.ErrorIs(t, err, secrets.ErrTimeout)
	assert.Nil(t, st.Pool.Snapshot().Account(a.ID), "the account is gone for the person")
	assert.Equal(t, []string{a.ID}, st.Pool.Snapshot().PendingSecrets)

	sec.failDelete = nil
	rep, err := svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{a.ID}, rep.OrphansDeleted)
	_, err = sec.Get(ctx, SecretKey(a.ID))
	assert.ErrorIs(t, err, secrets.ErrNotFound)
	assert.Empty(t, st.Pool.Snapshot().PendingSecrets)
}

// A crash between the keychain write and the pool update of Add leaves a
// pending id and a secret without an account: the next start removes it.
func TestCrashDuringAddLeavesNoOrphanAfterRestart(t *testing.T) {
	dir := t.TempDir()
	mem := secrets.NewMemory()
	ctx := context.Background()
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	// What Add had done when the process died: the pending mark and the item.
	require.NoError(t, st.Pool.Update(ctx, func(p *store.Pool) error {
		p.PendingSecrets = append(p.PendingSecrets, "acc-crashed")
		return nil
	}))
	require.NoError(t, mem.Set(ctx, SecretKey("acc-crashed"), creds))
	require.NoError(t, st.Close(ctx))

	st2, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	defer st2.Close(ctx)
	rep, err := New(st2.Pool, mem, nil).Reconcile(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"acc-crashed"}, rep.OrphansDeleted)
	_, err = mem.Get(ctx, SecretKey("acc-crashed"))
	assert.ErrorIs(t, err, secrets.ErrNotFound)
	assert.Empty(t, st2.Pool.Snapshot().PendingSecrets)
}

func TestAccountWithoutCredentialsNeedsLogin(t *testing.T) {
	svc, st, sec, _ := setup(t)
	ctx := context.Background()
	a, err := svc.Add(ctx, account("work"), creds)
	require.NoError(t, err)
	b, err := svc.Add(ctx, account("home"), creds)
	require.NoError(t, err)
	require.NoError(t, sec.Store.Delete(ctx, SecretKey(a.ID))) // e.g. removed by hand in Seahorse

	rep, err := svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{a.ID}, rep.LoginNeeded)
	p := st.Pool.Snapshot()
	assert.Equal(t, store.StatusLoginNeeded, p.Account(a.ID).State.Status)
	assert.Contains(t, p.Account(a.ID).State.Reason, "log in again")
	assert.Equal(t, store.StatusReady, p.Account(b.ID).State.Status)
}

func TestReconcileDoesNotGuessWhenTheKeychainIsDown(t *testing.T) {
	svc, st, sec, _ := setup(t)
	ctx := context.Background()
	a, err := svc.Add(ctx, account("work"), creds)
	require.NoError(t, err)
	sec.failGet = errors.New("keychain locked")
	_, err = svc.Reconcile(ctx)
	require.ErrorContains(t, err, "keychain locked")
	assert.Equal(t, store.StatusReady, st.Pool.Snapshot().Account(a.ID).State.Status,
		"an unreadable keychain is not a missing credential")
}

// afterSet is a keychain whose Set writes the item and then waits for
// release: the moment Add has the item in the keychain and the id still
// marked pending.
type afterSet struct {
	secrets.Store
	written, release chan struct{}
	deleted          chan string
}

func (s *afterSet) Set(ctx context.Context, k string, v secrets.Secret) error {
	err := s.Store.Set(ctx, k, v)
	close(s.written)
	<-s.release
	return err
}

func (s *afterSet) Delete(ctx context.Context, k string) error {
	s.deleted <- k
	return s.Store.Delete(ctx, k)
}

// TestAddDuringTheStartUpReconcileKeepsItsCredentials: the start-up
// Reconcile runs in the background, so an account can be added while it
// runs (a sign-in finished at once, `kirodesk accounts add-token` right
// after launch). Add's pending mark is its own, not a leftover of a crash:
// Reconcile must not delete the item Add has just written.
func TestAddDuringTheStartUpReconcileKeepsItsCredentials(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close(context.Background()) })
	sec := &afterSet{Store: secrets.NewMemory(), written: make(chan struct{}), release: make(chan struct{}), deleted: make(chan string, 1)}
	svc := New(st.Pool, sec, nil)
	ctx := context.Background()

	added := make(chan store.Account, 1)
	go func() {
		a, err := svc.Add(ctx, store.Account{ID: "acc-new", Label: "new", AuthMethod: store.AuthSocial}, creds)
		assert.NoError(t, err)
		added <- a
	}()
	<-sec.written
	reconciled := make(chan Report, 1)
	go func() {
		rep, err := svc.Reconcile(ctx)
		assert.NoError(t, err)
		reconciled <- rep
	}()
	select {
	case k := <-sec.deleted:
		t.Errorf("Reconcile deleted %s while Add was writing it", k)
	case <-time.After(200 * time.Millisecond):
	}
	close(sec.release)
	a := <-added
	rep := <-reconciled
	assert.Empty(t, rep.OrphansDeleted)
	assert.Empty(t, rep.LoginNeeded)
	got, err := svc.Credentials(ctx, a.ID)
	require.NoError(t, err, "the account Add returned has its credentials")
	assert.Equal(t, creds.Reveal(), got.Reveal())
	assert.Empty(t, st.Pool.Snapshot().PendingSecrets)
}
