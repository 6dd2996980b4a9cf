package login

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// tracked is the real keychain, remembering the keys written so the test
// can check and remove them.
type tracked struct {
	secrets.Store
	mu   sync.Mutex
	keys map[string]bool
	gets int
}

func (k *tracked) Get(ctx context.Context, key string) (secrets.Secret, error) {
	k.mu.Lock()
	k.gets++
	k.mu.Unlock()
	return k.Store.Get(ctx, key)
}

func (k *tracked) Gets() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.gets
}

func (k *tracked) Set(ctx context.Context, key string, v secrets.Secret) error {
	k.mu.Lock()
	k.keys[key] = true
	k.mu.Unlock()
	return k.Store.Set(ctx, key, v)
}

func (k *tracked) Keys() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Collect(maps.Keys(k.keys))
}

type env struct {
	t      *testing.T
	fake   *fakekiro.Server
	st     *store.Store
	sec    *tracked
	acc    *accounts.Service
	svc    *Service
	dir    string
	mu     sync.Mutex
	opened []string
}

// unit is one "second" of the device flow in these tests.
const unit = 20 * time.Millisecond

func newEnv(t *testing.T, fo fakekiro.Options, tweak func(*Options)) *env {
	t.Helper()
	testenv.RequireKeychain(t)
	fo.DeviceUnit = unit
	fake := fakekiro.New(fo)
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close(context.Background()) })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	sec := &tracked{Store: secrets.NewKeyring("kirodesk-test-login-" + hex.EncodeToString(b)), keys: map[string]bool{}}
	t.Cleanup(func() {
		for _, k := range sec.Keys() {
			_ = sec.Store.Delete(context.Background(), k)
		}
	})
	e := &env{t: t, fake: fake, st: st, sec: sec, dir: dir}
	e.acc = accounts.New(st.Pool, sec, nil)
	up := store.Upstream{APIBase: fake.URL, AuthBase: fake.URL, OIDCBase: fake.URL}
	upf := func() store.Upstream { return up }
	o := Options{
		Accounts: e.acc, Upstream: upf, Secrets: sec,
		HTTP:      fake.Client,
		Refresher: kiro.New(kiro.Options{Upstream: upf, HTTP: fake.Client()}),
		OpenBrowser: func(u string) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.opened = append(e.opened, u)
			return nil
		},
		PollUnit: unit,
	}
	if tweak != nil {
		tweak(&o)
	}
	e.svc = New(o)
	return e
}

func (e *env) browserOpened() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.opened...)
}

// stored reads an account's credentials back from the keychain.
func (e *env) stored(id string) kiro.Credentials {
	e.t.Helper()
	sec, err := e.acc.Credentials(context.Background(), id)
	require.NoError(e.t, err, "the account's secret is in the keychain")
	c, err := kiro.ParseCredentials(sec)
	require.NoError(e.t, err)
	return c
}

// assertSafe checks what every successful flow must leave behind: the
// secret in the keychain, a pool entry without it, and no token value in
// any file of the config folder.
func (e *env) assertSafe(a store.Account) kiro.Credentials {
	e.t.Helper()
	c := e.stored(a.ID)
	require.NotEmpty(e.t, c.RefreshToken)
	require.NoError(e.t, e.st.Pool.Flush(context.Background()))
	p := e.st.Pool.Snapshot()
	require.NotNil(e.t, p.Account(a.ID), "the pool has the account")
	assertNoTokenIn(e.t, e.dir, e.tokens(c)...)
	return c
}

// tokens lists every secret value worth scanning for: this account's and
// every token the fake issued.
func (e *env) tokens(c kiro.Credentials) []string {
	vals := []string{c.AccessToken, c.RefreshToken, c.ClientSecret}
	for _, a := range e.fake.Accounts() {
		vals = append(vals, a.AccessToken, a.RefreshToken)
	}
	return vals
}

func assertNoTokenIn(t *testing.T, dir string, vals ...string) {
	t.Helper()
	n := 0
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil // the lock file on some systems
		}
		n++
		for _, v := range vals {
			if len(v) >= 8 {
				assert.False(t, strings.Contains(string(b), v), "%s holds a token", path)
			}
		}
		return nil
	}))
	assert.NotZero(t, n, "the scan read the folder's files")
}

func secretJSON(t *testing.T, v any) secrets.Secret {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return secrets.New(string(b))
}
