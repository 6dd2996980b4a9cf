package pool

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/kiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

type noNetwork struct{ n atomic.Int64 }

func (c *noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, fmt.Errorf("request to %s", r.URL.Host)
}

// A pool.json already on disk (an older build, a hand edit) holds a region
// that would move Kiro's host, and so does the account's keychain item. On
// load the account is marked login needed with the field named; it is never
// picked, and neither serving it, refreshing it nor checking its credits
// sends a request anywhere.
func TestHostileRegionOnDiskSendsNoRequest(t *testing.T) {
	dir := t.TempDir()
	pool := `{"version":1,"accounts":[{"id":"evil","label":"e","authMethod":"social","region":"x.attacker.example#","state":{"status":"ready"}}]}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pool.json"), []byte(pool), 0o600))
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close(context.Background()) })
	sec := secrets.NewMemory()
	cr := kiro.Credentials{AccessToken: "at", RefreshToken: "rt", AuthMethod: store.AuthSocial, Region: "x.attacker.example#", ExpiresAt: time.Now().Add(time.Minute)}
	require.NoError(t, sec.Set(context.Background(), accounts.SecretKey("evil"), cr.Secret()))
	acc := accounts.New(st.Pool, sec, nil)

	net := &noNetwork{}
	client := kiro.New(kiro.Options{HTTP: &http.Client{Transport: net}, Upstream: store.DefaultUpstream,
		Account: func(id string) (store.Account, bool) {
			a := st.Pool.Snapshot().Account(id)
			if a == nil {
				return store.Account{}, false
			}
			return *a, true
		}})
	p := New(Options{File: st.Pool, Accounts: acc, Refresher: client, Quota: client})

	a := st.Pool.Snapshot().Account("evil")
	require.NotNil(t, a)
	assert.Equal(t, store.StatusLoginNeeded, a.State.Status)
	assert.Contains(t, a.State.Reason, `region "x.attacker.example#" is not an AWS region name`)
	assert.Empty(t, a.Region)

	_, err = p.Pick(nil, "", "")
	var none *ErrNoAccount
	require.ErrorAs(t, err, &none, "a login-needed account is not picked")

	_, err = p.Credentials(context.Background(), "evil")
	require.ErrorContains(t, err, `region "x.attacker.example#"`, "the keychain item is parsed too")
	_, err = p.RefreshQuota(context.Background(), "evil")
	require.Error(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	p.RunRefresher(ctx, 20*time.Millisecond)
	assert.Zero(t, net.n.Load(), "no request left for any host")
}
