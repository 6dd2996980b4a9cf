package reset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/login"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

func set(t *testing.T, sec secrets.Store, keys ...string) {
	t.Helper()
	for _, k := range keys {
		require.NoError(t, sec.Set(context.Background(), k, secrets.New("value-of-"+k)))
	}
}

func exists(sec secrets.Store, key string) bool {
	_, err := sec.Get(context.Background(), key)
	return err == nil
}

// folder writes a config folder the way the app leaves it: pool.json with
// two accounts and one pending id, a backup that still lists a removed
// account, and a damaged copy moved aside.
func folder(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "kirodesk")
	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	require.NoError(t, s.Pool.Update(context.Background(), func(p *store.Pool) error {
		p.Accounts = append(p.Accounts,
			store.Account{ID: "old", AuthMethod: store.AuthSocial, State: store.AccountState{Status: store.StatusReady}})
		return nil
	}))
	require.NoError(t, s.Pool.Update(context.Background(), func(p *store.Pool) error {
		p.Remove("old")
		p.Accounts = append(p.Accounts,
			store.Account{ID: "a1", AuthMethod: store.AuthSocial, State: store.AccountState{Status: store.StatusReady}},
			store.Account{ID: "a2", AuthMethod: store.AuthIdC, State: store.AccountState{Status: store.StatusReady}})
		p.PendingSecrets = []string{"p1"}
		return nil
	}))
	require.NoError(t, s.Close(context.Background()))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pool.json.corrupt-20260101T000000.000Z"),
		[]byte(`{"version":1,"accounts":[{"id":"c1"},{"id":7},{"id":"bad id!"}]}`), 0o600))
	return dir
}

func TestResetDeletesEveryItemOfTheFolderAndTheFolder(t *testing.T) {
	dir := folder(t)
	sec := secrets.NewMemory()
	set(t, sec, "apikey", "account:a1", "account:a2", "account:p1", "account:old", "account:c1", "account:unrelated")

	r, err := Begin(dir, sec)
	require.NoError(t, err)
	builderID := login.ClientKey("us-east-1", login.BuilderIDStartURL) // a2's registration too
	assert.Equal(t, []string{"apikey", "proxy:global", builderID,
		"account:a1", "proxy:account:a1", "account:a2", "proxy:account:a2", "account:c1", "proxy:account:c1",
		"account:old", "proxy:account:old", "account:p1", "proxy:account:p1"}, r.Items())
	assert.Equal(t, 5, r.Accounts())
	assert.True(t, r.FolderExists())
	res, err := r.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Result{ItemsDeleted: 6, FolderRemoved: true}, res)

	for _, k := range r.Items() {
		assert.False(t, exists(sec, k), k)
	}
	assert.True(t, exists(sec, "account:unrelated"), "an id no pool file names is not this folder's")
	assert.NoDirExists(t, dir)
}

func TestResetIsRefusedWhileAnInstanceRuns(t *testing.T) {
	dir := folder(t)
	sec := secrets.NewMemory()
	set(t, sec, "apikey")
	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	defer s.Close(context.Background())

	_, err = Begin(dir, sec)
	require.ErrorIs(t, err, store.ErrLocked)
	assert.Contains(t, err.Error(), "quit it first")
	assert.True(t, exists(sec, "apikey"))
	assert.FileExists(t, filepath.Join(dir, "pool.json"))
}

func TestResetHoldsTheLockUntilRunOrCancel(t *testing.T) {
	dir := folder(t)
	r, err := Begin(dir, secrets.NewMemory())
	require.NoError(t, err)
	_, err = store.Open(dir, store.Options{})
	require.ErrorIs(t, err, store.ErrLocked, "no Kirodesk may start while the person is asked to confirm")
	require.NoError(t, r.Cancel())
	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err, "Cancel releases the lock")
	require.NoError(t, s.Close(context.Background()))
	assert.FileExists(t, filepath.Join(dir, "pool.json"))
}

func TestResetWithoutFolderStillDeletesTheAPIKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "never-created")
	sec := secrets.NewMemory()
	set(t, sec, "apikey")
	r, err := Begin(dir, sec)
	require.NoError(t, err)
	assert.False(t, r.FolderExists())
	res, err := r.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, res.ItemsDeleted)
	assert.False(t, exists(sec, "apikey"))
}

// failing refuses to delete one key, like a locked keychain would.
type failing struct {
	secrets.Store
	key string
}

func (f failing) Delete(ctx context.Context, key string) error {
	if key == f.key {
		return errors.New("the keychain did not answer in time")
	}
	return f.Store.Delete(ctx, key)
}

func TestKeychainFailureKeepsTheFolderForASecondRun(t *testing.T) {
	dir := folder(t)
	mem := secrets.NewMemory()
	set(t, mem, "apikey", "account:a1", "account:a2")

	r, err := Begin(dir, failing{mem, "account:a2"})
	require.NoError(t, err)
	res, err := r.Run(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "account:a2")
	assert.Contains(t, err.Error(), "run again")
	assert.False(t, res.FolderRemoved)
	assert.FileExists(t, filepath.Join(dir, "pool.json"), "the folder names the items still to delete")
	assert.True(t, exists(mem, "account:a2"))

	r, err = Begin(dir, mem)
	require.NoError(t, err, "the failed run released the lock")
	res, err = r.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Result{ItemsDeleted: 1, FolderRemoved: true}, res)
	assert.False(t, exists(mem, "account:a2"))
	assert.NoDirExists(t, dir)
}

func TestResetRefusesAFolderThatIsNotKirodesks(t *testing.T) {
	sec := secrets.NewMemory()
	set(t, sec, "apikey")

	home := t.TempDir() // a mistyped --config-dir ~
	require.NoError(t, os.MkdirAll(filepath.Join(home, "Documents"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, "config.json"), []byte("{}"), 0o600))
	_, err := Begin(home, sec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a Kirodesk config folder")
	assert.DirExists(t, filepath.Join(home, "Documents"))
	assert.NoFileExists(t, filepath.Join(home, store.LockName), "refused before taking the lock")

	notes := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(notes, "todo.txt"), []byte("x"), 0o600))
	_, err = Begin(notes, sec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no Kirodesk state files")
	assert.FileExists(t, filepath.Join(notes, "todo.txt"))
	assert.True(t, exists(sec, "apikey"), "nothing deleted from the keychain either")

	empty := t.TempDir()
	r, err := Begin(empty, sec)
	require.NoError(t, err, "an empty folder is safe to remove")
	require.NoError(t, r.Cancel())
}

// An IAM Identity Center login keeps its client registration in the
// keychain under its region and start URL; reset finds it from the account.
func TestResetDeletesTheIdCClientRegistration(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kirodesk")
	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	require.NoError(t, s.Pool.Update(context.Background(), func(p *store.Pool) error {
		p.Accounts = append(p.Accounts, store.Account{ID: "org", AuthMethod: store.AuthIdC, Region: "eu-central-1",
			AuthRegion: "eu-west-1", StartURL: "https://acme.awsapps.com/start", State: store.AccountState{Status: store.StatusReady}})
		return nil
	}))
	require.NoError(t, s.Close(context.Background()))
	reg := login.ClientKey("eu-west-1", "https://acme.awsapps.com/start")
	sec := secrets.NewMemory()
	set(t, sec, "apikey", "account:org", "proxy:account:org", reg)

	r, err := Begin(dir, sec)
	require.NoError(t, err)
	assert.Contains(t, r.Items(), reg)
	res, err := r.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 4, res.ItemsDeleted)
	for _, k := range []string{"apikey", "account:org", "proxy:account:org", reg} {
		assert.False(t, exists(sec, k), k)
	}
}
