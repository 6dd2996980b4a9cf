package store

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/kiro/endpoint"
)

func openT(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{FlushInterval: 20 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func addAccount(id string) func(*Pool) error {
	return func(p *Pool) error {
		p.Accounts = append(p.Accounts, Account{ID: id, Label: "label " + id, AuthMethod: AuthSocial,
			State: AccountState{Status: StatusReady}, CreatedAt: time.Unix(1700000000, 0).UTC()})
		return nil
	}
}

func readPool(t *testing.T, path string) *Pool {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	p := NewPool()
	require.NoError(t, json.Unmarshal(b, p), "file %s must parse", path)
	require.NoError(t, CheckPool(p))
	return p
}

func ids(p *Pool) []string {
	out := []string{}
	for _, a := range p.Accounts {
		out = append(out, a.ID)
	}
	return out
}

func TestFreshFolderGetsDefaultsAndTightPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	s := openT(t, dir)
	assert.Equal(t, NewConfig(), s.Config.Snapshot())
	assert.Empty(t, s.Pool.Snapshot().Accounts)
	assert.Empty(t, s.Notices())
	for _, name := range []string{"config.json", "pool.json"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err, "Open must write %s at once to prove the folder is writable", name)
		if runtime.GOOS != "windows" {
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), name)
		}
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(dir)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	}
}

func TestLooseFolderPermissionsAreTightened(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX modes on Windows")
	}
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o755))
	openT(t, dir)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
}

func TestUpdateIsDurableBeforeReturnAndSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	ctx := context.Background()
	require.NoError(t, s.Pool.Update(ctx, addAccount("a1")))
	// Acknowledged means on disk now, not after the batch interval.
	assert.Equal(t, []string{"a1"}, ids(readPool(t, filepath.Join(dir, "pool.json"))))
	require.NoError(t, s.Config.Update(ctx, func(c *Config) error { c.Port = 9123; return nil }))
	require.NoError(t, s.Close(ctx))

	s2 := openT(t, dir)
	assert.Equal(t, []string{"a1"}, ids(s2.Pool.Snapshot()))
	assert.Equal(t, 9123, s2.Config.Snapshot().Port)
}

func TestRejectedChangeLeavesStateAndDiskUntouched(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	ctx := context.Background()
	before, err := os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)

	err = s.Config.Update(ctx, func(c *Config) error { c.Port = 70000; return nil })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "port 70000")
	boom := errors.New("boom")
	assert.ErrorIs(t, s.Config.Update(ctx, func(c *Config) error { c.Port = 1234; return boom }), boom)
	err = s.Pool.Update(ctx, func(p *Pool) error {
		addAccount("dup")(p)
		return addAccount("dup")(p)
	})
	assert.ErrorContains(t, err, "appears twice")

	assert.Equal(t, DefaultPort, s.Config.Snapshot().Port)
	assert.Empty(t, s.Pool.Snapshot().Accounts)
	after, err := os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

func TestSnapshotIsADeepCopy(t *testing.T) {
	s := openT(t, t.TempDir())
	ctx := context.Background()
	require.NoError(t, s.Pool.Update(ctx, func(p *Pool) error {
		addAccount("a1")(p)
		p.Accounts[0].LastError = &LastError{Message: "original"}
		p.Accounts[0].Extra = Extra{"x": json.RawMessage(`1`)}
		return nil
	}))
	snap := s.Pool.Snapshot()
	snap.Accounts[0].Label = "changed"
	snap.Accounts[0].LastError.Message = "changed"
	snap.Accounts[0].Extra["x"] = json.RawMessage(`2`)
	snap.Accounts = append(snap.Accounts, Account{ID: "ghost"})

	again := s.Pool.Snapshot()
	assert.Equal(t, "label a1", again.Accounts[0].Label)
	assert.Equal(t, "original", again.Accounts[0].LastError.Message)
	assert.JSONEq(t, `1`, string(again.Accounts[0].Extra["x"]))
	assert.Len(t, again.Accounts, 1)
}

func TestUnknownFieldsAreKept(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/pool-v1-with-unknown-fields.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pool.json"), src, 0o600))
	cfg, err := os.ReadFile("testdata/config-v1-with-unknown-fields.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o600))

	s := openT(t, dir)
	ctx := context.Background()
	// A change forces a rewrite; the members this build does not know must survive it.
	require.NoError(t, s.Pool.Update(ctx, addAccount("new")))
	require.NoError(t, s.Config.Update(ctx, func(c *Config) error { c.Port = 9000; return nil }))
	require.NoError(t, s.Close(ctx))

	var pool map[string]any
	b, err := os.ReadFile(filepath.Join(dir, "pool.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &pool))
	assert.Equal(t, map[string]any{"from": "a newer build"}, pool["futureTopLevel"])
	first := pool["accounts"].([]any)[0].(map[string]any)
	assert.Equal(t, "keep me", first["futureAccountField"])
	assert.Equal(t, "old-1", first["id"])

	var conf map[string]any
	b, err = os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &conf))
	assert.Equal(t, true, conf["futureSetting"])
	assert.Equal(t, "kept", conf["upstream"].(map[string]any)["futureEndpoint"])
	assert.EqualValues(t, 9000, conf["port"])
}

func TestTouchIsBatchedAndFlushedOnClose(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{FlushInterval: time.Hour}) // only Close may write
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, s.Pool.Update(ctx, addAccount("a1")))
	for range 1000 {
		s.Pool.Touch(func(p *Pool) { p.Account("a1").Counters.Requests++ })
	}
	assert.Zero(t, readPool(t, filepath.Join(dir, "pool.json")).Accounts[0].Counters.Requests,
		"Touch must not write on every call")
	require.NoError(t, s.Close(ctx))
	assert.EqualValues(t, 1000, readPool(t, filepath.Join(dir, "pool.json")).Accounts[0].Counters.Requests)
}

func TestTouchIsWrittenByTheBatchWriter(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	require.NoError(t, s.Pool.Update(context.Background(), addAccount("a1")))
	s.Pool.Touch(func(p *Pool) { p.Account("a1").Counters.Requests = 7 })
	assert.Eventually(t, func() bool {
		return readPool(t, filepath.Join(dir, "pool.json")).Accounts[0].Counters.Requests == 7
	}, 5*time.Second, 10*time.Millisecond)
}

func TestChangesAfterCloseAreRefused(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	require.NoError(t, err)
	require.NoError(t, s.Close(context.Background()))
	assert.ErrorIs(t, s.Pool.Update(context.Background(), addAccount("x")), ErrClosed)
}

func TestSecondOpenOfTheSameFolderIsRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	require.NoError(t, err)
	_, err = Open(dir, Options{})
	require.ErrorIs(t, err, ErrLocked)
	assert.Contains(t, err.Error(), dir)
	assert.Contains(t, err.Error(), "process id")
	require.NoError(t, s.Close(context.Background()))

	s2, err := Open(dir, Options{})
	require.NoError(t, err, "the lock must be free after Close")
	require.NoError(t, s2.Close(context.Background()))
}

func TestUpstreamEnvOverrides(t *testing.T) {
	env := map[string]string{EnvAPIBase: "http://127.0.0.1:9999/", EnvOIDCBase: "http://127.0.0.1:9998/{region}"}
	u, err := DefaultUpstream().WithEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9999", u.APIBase)
	assert.Equal(t, DefaultUpstream().AuthBase, u.AuthBase)
	eu, err := endpoint.ParseRegion("region", "eu-central-1")
	require.NoError(t, err)
	got, err := u.URL(u.OIDCBase, eu)
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9998/eu-central-1", got)
	got, err = DefaultUpstream().URL(DefaultUpstream().APIBase, endpoint.Region{})
	require.NoError(t, err)
	assert.Equal(t, "https://q.us-east-1.amazonaws.com", got, "no region means us-east-1")

	_, err = DefaultUpstream().WithEnv(func(k string) string {
		if k == EnvAuthBase {
			return "ftp://nope"
		}
		return ""
	})
	assert.ErrorContains(t, err, EnvAuthBase)

	// Hostile values: another machine over plain http, a host the region
	// would be pasted into with a fragment after it, a user name, a query.
	for name, v := range map[string]string{
		EnvAPIBase:  "http://x.attacker.example",
		EnvOIDCBase: "https://oidc.{region}.x.attacker.example#",
		EnvAuthBase: "https://me@x.attacker.example",
	} {
		got, err := DefaultUpstream().WithEnv(func(k string) string {
			if k == name {
				return v
			}
			return ""
		})
		assert.ErrorContains(t, err, name+` "`+v+`"`)
		assert.NotContains(t, got.APIBase+got.AuthBase+got.OIDCBase, "attacker", "%s=%s is not taken", name, v)
	}
}

// The example shipped in configs/ must stay a file this build loads as is.
func TestExampleConfigIsValid(t *testing.T) {
	b, err := os.ReadFile("../../configs/config.example.json")
	require.NoError(t, err)
	c := NewConfig()
	require.NoError(t, json.Unmarshal(b, c))
	require.NoError(t, CheckConfig(c))
	assert.Empty(t, c.Extra, "the example uses only known settings")
	assert.Equal(t, NewConfig(), c, "the example shows the defaults")
}

func TestViewSeesTheCurrentStateWithoutCopying(t *testing.T) {
	s := openT(t, t.TempDir())
	require.NoError(t, s.Pool.Update(context.Background(), addAccount("a1")))
	s.Pool.Touch(func(p *Pool) { p.Account("a1").Counters.Requests = 3 })
	var got int64
	s.Pool.View(func(p *Pool) { got = p.Account("a1").Counters.Requests })
	assert.EqualValues(t, 3, got)
}

func TestStatsCountWritesAndSkips(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	ctx := context.Background()
	before := s.Pool.Stats()
	require.NoError(t, s.Pool.Update(ctx, addAccount("a1")))
	require.NoError(t, s.Pool.Update(ctx, addAccount("a2")))
	st := s.Pool.Stats()
	assert.Equal(t, before.Writes+2, st.Writes)
	info, err := os.Stat(filepath.Join(dir, "pool.json"))
	require.NoError(t, err)
	assert.Greater(t, st.Bytes-before.Bytes, info.Size(), "two writes, the second as large as the file")
	assert.Positive(t, st.Max)
	assert.GreaterOrEqual(t, st.Total, st.Max)

	// A change that leaves the bytes as they were is not written again.
	require.NoError(t, s.Pool.Update(ctx, func(*Pool) error { return nil }))
	require.NoError(t, s.Pool.Flush(ctx))
	st2 := s.Pool.Stats()
	assert.Equal(t, st.Writes, st2.Writes)
	assert.Equal(t, st.Skipped+1, st2.Skipped)
}

func TestQuotaTTLDefaultsAndIsChecked(t *testing.T) {
	c := NewConfig()
	assert.Equal(t, 300, c.QuotaTTL, "five minutes unless set")
	for _, bad := range []int{0, 29, 86401} {
		c.QuotaTTL = bad
		assert.ErrorContains(t, CheckConfig(c), "quotaTTLSeconds")
	}
	c.QuotaTTL = 60
	assert.NoError(t, CheckConfig(c))
}

func TestAccountQuotaIsDeepCopied(t *testing.T) {
	p := NewPool()
	p.Accounts = append(p.Accounts, Account{ID: "a", Quota: &Quota{Used: 1, Limit: 50}})
	c := ClonePool(p)
	c.Accounts[0].Quota.Used = 50
	assert.InDelta(t, 1, p.Accounts[0].Quota.Used, 0, "a snapshot shares no quota with the owner")
	assert.True(t, c.Accounts[0].Quota.AtLimit())
	assert.False(t, p.Accounts[0].Quota.AtLimit())
	assert.False(t, (*Quota)(nil).AtLimit())
}

// TestBeforeBatchChangesGoInTheSameWrite: what the hook adds just before a
// batched write is in that write, not left for the next one (the usage
// ledger's hand-over; with a long interval there would be no next one soon).
func TestBeforeBatchChangesGoInTheSameWrite(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	require.NoError(t, s.Pool.Update(context.Background(), addAccount("a1")))
	var calls atomic.Int64
	s.Pool.SetBeforeBatch(func() {
		calls.Add(1)
		s.Pool.Touch(func(p *Pool) { p.Account("a1").Counters.Errors = 3 })
	})
	s.Pool.Touch(func(p *Pool) { p.Account("a1").Counters.Requests = 7 })
	assert.Eventually(t, func() bool {
		c := readPool(t, filepath.Join(dir, "pool.json")).Accounts[0].Counters
		if c.Requests == 7 {
			assert.EqualValues(t, 3, c.Errors, "the hook's change was written with the batch it preceded")
			return true
		}
		return false
	}, 5*time.Second, 10*time.Millisecond)
	assert.Positive(t, calls.Load())
}
