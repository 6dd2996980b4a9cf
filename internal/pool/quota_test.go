package pool

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/kiro"
	"kirodesk/internal/store"
)

// usageSource answers UsageLimits from a table and counts calls.
type usageSource struct {
	mu    sync.Mutex
	usage kiro.Usage
	err   error
	calls int
	seen  []string // access tokens used
}

func (u *usageSource) UsageLimits(_ context.Context, cr kiro.Credentials, _ string) (kiro.Usage, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls++
	u.seen = append(u.seen, cr.AccessToken)
	return u.usage, u.err
}

func (u *usageSource) set(used, limit float64, reset time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.usage = kiro.Usage{Plan: "KIRO PRO", Email: "pat@example.com", Used: used, Limit: limit, BaseLimit: limit, ResetAt: reset}
}

func withQuota(f *fixture) *usageSource {
	src := &usageSource{}
	f.pool.quota = src
	return src
}

func TestQuotaIsKeptAndAnAccountAtItsLimitIsOutUntilTheReset(t *testing.T) {
	f := newFixture(t, 2, time.Now().Add(time.Hour))
	src := withQuota(f)
	ctx := context.Background()
	reset := f.clk.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	src.set(1000, 1000, reset)

	q, err := f.pool.RefreshQuota(ctx, f.ids[0])
	require.NoError(t, err)
	assert.InDelta(t, 1000, q.Used, 0)
	a := f.st.Pool.Snapshot().Account(f.ids[0])
	require.NotNil(t, a.Quota)
	assert.Equal(t, "KIRO PRO", a.Quota.Plan)
	assert.Equal(t, "pat@example.com", a.Email)
	assert.Equal(t, store.StatusExhausted, a.State.Status)
	assert.Equal(t, reset, a.State.Until)
	assert.Contains(t, a.State.Reason, "1000.00 of its 1000.00 monthly credits")
	f.assertPicks(t, 3, f.ids[1], nil, "", "", "the exhausted account is not picked")

	// A 402 on the other account keeps it out until its quota's reset date.
	src.set(10, 1000, reset)
	_, err = f.pool.RefreshQuota(ctx, f.ids[1])
	require.NoError(t, err)
	f.pool.Report(ctx, f.ids[1], Outcome{Err: &kiro.UpstreamError{Status: 402, Class: kiro.ClassQuota}})
	_, err = f.pool.Pick(nil, "", "")
	var none *ErrNoAccount
	require.ErrorAs(t, err, &none)
	assert.InDelta(t, 48*time.Hour.Seconds(), none.RetryAfter.Seconds(), 2, "Retry-After is the reset date")

	// At the reset date it is back by itself.
	f.clk.Add(48*time.Hour + time.Second)
	got, err := f.pool.Pick(map[string]bool{f.ids[1]: true}, "", "")
	require.NoError(t, err)
	assert.Equal(t, f.ids[0], got.ID)
	st := f.pool.StateNow(f.st.Pool.Snapshot().Account(f.ids[0]))
	assert.Equal(t, store.StatusReady, st.Status, "shown as ready once its time passed")

	// Credits back early (a bonus): the next check puts it back at once.
	f.clk.Add(-48 * time.Hour)
	src.set(10, 1100, reset)
	_, err = f.pool.RefreshQuota(ctx, f.ids[0])
	require.NoError(t, err)
	assert.Equal(t, store.StatusReady, f.st.Pool.Snapshot().Account(f.ids[0]).State.Status)
}

func TestQuotaIsCheckedInTheBackgroundOncePerTTL(t *testing.T) {
	f := newFixture(t, 2, time.Now().Add(time.Hour))
	src := withQuota(f)
	src.set(1, 50, time.Now().Add(time.Hour))
	f.pool.quotaTTL = func() time.Duration { return 5 * time.Minute }
	ctx := context.Background()
	f.pool.refreshQuotaDue(ctx)
	assert.Equal(t, 2, src.calls, "first pass: every account")
	f.pool.refreshQuotaDue(ctx)
	assert.Equal(t, 2, src.calls, "cached within the TTL")
	f.clk.Add(5*time.Minute + time.Second)
	f.pool.refreshQuotaDue(ctx)
	assert.Equal(t, 4, src.calls, "asked again after the TTL")
	require.NoError(t, f.pool.SetDisabled(ctx, f.ids[0], true))
	f.clk.Add(time.Hour)
	f.pool.refreshQuotaDue(ctx)
	assert.Equal(t, 5, src.calls, "a disabled account is left alone")
}

func TestQuotaRetriesOnceWithARefreshedToken(t *testing.T) {
	f := newFixture(t, 1, time.Now().Add(time.Hour))
	src := withQuota(f)
	src.err = &kiro.UpstreamError{Status: 401, Class: kiro.ClassAuth}
	_, err := f.pool.RefreshQuota(context.Background(), f.ids[0])
	require.Error(t, err)
	assert.Equal(t, []string{"at-old", "at-1"}, src.seen)
	assert.EqualValues(t, 1, f.ref.calls.Load())
}

func TestSuspendedStaysOutUntilAPersonActs(t *testing.T) {
	f := newFixture(t, 1, time.Now().Add(time.Hour))
	ctx := context.Background()
	f.pool.Report(ctx, f.ids[0], Outcome{Err: &kiro.UpstreamError{Status: 403, Class: kiro.ClassSuspended, Message: "suspended"}})
	f.clk.Add(365 * 24 * time.Hour)
	_, err := f.pool.Pick(nil, "", "")
	var none *ErrNoAccount
	require.ErrorAs(t, err, &none)
	assert.Zero(t, none.RetryAfter, "no time brings a suspended account back")
	require.NoError(t, f.pool.Reset(ctx, f.ids[0]))
	_, err = f.pool.Pick(nil, "", "")
	assert.NoError(t, err)
	assert.Error(t, f.pool.Reset(ctx, "acc-missing"))
}

// writeIDEFile writes a Kiro IDE token file for a social account.
func writeIDEFile(t *testing.T, path, access, refresh string, expires time.Time) {
	t.Helper()
	b := `{"accessToken":"` + access + `","refreshToken":"` + refresh + `","expiresAt":"` + expires.UTC().Format(time.RFC3339) +
		`","authMethod":"social","provider":"Google","profileArn":"arn:aws:codewhisperer:us-east-1:123456789012:profile/P"}`
	require.NoError(t, os.WriteFile(path, []byte(b), 0o600))
}

// deadUnless refuses every refresh token but good.
type deadUnless struct {
	countingRefresher
	good string
}

func (d *deadUnless) Refresh(ctx context.Context, cr kiro.Credentials) (kiro.Credentials, error) {
	if cr.RefreshToken != d.good {
		d.calls.Add(1)
		return cr, &kiro.UpstreamError{Status: 400, Class: kiro.ClassDeadRefresh, Message: "invalid_grant"}
	}
	return d.countingRefresher.Refresh(ctx, cr)
}

// ideTokenFile points the first account at a Kiro IDE token file (not
// written yet) and returns its path.
func (f *fixture) ideTokenFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kiro-auth-token.json")
	require.NoError(t, f.st.Pool.Update(context.Background(), func(p *store.Pool) error {
		p.Account(f.ids[0]).IDETokenFile = path
		return nil
	}))
	return path
}

func TestIDEFileTokenIsAdoptedWhenKiroRefusesOurs(t *testing.T) {
	f := newFixture(t, 1, time.Now().Add(-time.Minute)) // expired: the next use refreshes
	ctx := context.Background()
	path := f.ideTokenFile(t)
	ref := &deadUnless{good: "rt-ide"}
	f.pool.ref = ref
	// The IDE's access token is expired too: adopting means one refresh with its refresh token.
	writeIDEFile(t, path, "at-ide", "rt-ide", time.Now().Add(-time.Minute))

	cr, err := f.pool.Credentials(ctx, f.ids[0])
	require.NoError(t, err)
	assert.Equal(t, "at-2", cr.AccessToken, "refreshed with the IDE's token after ours was refused")
	assert.Equal(t, store.StatusReady, f.st.Pool.Snapshot().Account(f.ids[0]).State.Status)
	assert.Equal(t, "rt-2", f.inKeychain(t, f.ids[0]).RefreshToken, "the rotated token is in the keychain")

	// The same dead token in the file is no rescue: login needed.
	f2 := newFixture(t, 1, time.Now().Add(-time.Minute))
	path2 := f2.ideTokenFile(t)
	f2.pool.ref = &deadUnless{good: "nothing"}
	writeIDEFile(t, path2, "at-old", "rt-old", time.Now().Add(time.Hour))
	_, err = f2.pool.Credentials(ctx, f2.ids[0])
	require.Error(t, err)
	assert.Equal(t, store.StatusLoginNeeded, f2.st.Pool.Snapshot().Account(f2.ids[0]).State.Status)
}

func TestIDEFileWithAFreshAccessTokenIsUsedWithoutARefresh(t *testing.T) {
	f := newFixture(t, 1, time.Now().Add(-time.Minute))
	ctx := context.Background()
	path := f.ideTokenFile(t)
	ref := &deadUnless{good: "never"}
	f.pool.ref = ref
	writeIDEFile(t, path, "at-ide", "rt-ide", time.Now().Add(time.Hour))
	cr, err := f.pool.Credentials(ctx, f.ids[0])
	require.NoError(t, err)
	assert.Equal(t, "at-ide", cr.AccessToken)
	assert.EqualValues(t, 1, ref.calls.Load(), "only our refused refresh")
}

func TestANewLoginInTheKeychainIsAdopted(t *testing.T) {
	f := newFixture(t, 1, time.Now().Add(time.Hour))
	ctx := context.Background()
	_, err := f.pool.Credentials(ctx, f.ids[0]) // cached in memory
	require.NoError(t, err)
	// A login replaces the credentials behind the pool's back.
	fresh := kiro.Credentials{AccessToken: "at-new", RefreshToken: "rt-new", AuthMethod: store.AuthSocial, ExpiresAt: time.Now().Add(time.Hour)}
	require.NoError(t, f.acc.SetCredentials(ctx, f.ids[0], fresh.Secret()))
	f.pool.ref = &deadUnless{good: "rt-new"}
	cr, err := f.pool.Reauthorize(ctx, f.ids[0], "at-old")
	require.NoError(t, err)
	assert.Equal(t, "at-new", cr.AccessToken)
}
