package store

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goodPool writes a pool with account "keep" through the store, then a second
// change so that pool.json.bak holds a good previous version.
func goodPool(t *testing.T, dir string) {
	t.Helper()
	s, err := Open(dir, Options{})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, s.Pool.Update(ctx, addAccount("keep")))
	require.NoError(t, s.Pool.Update(ctx, func(p *Pool) error { p.Accounts[0].Label = "kept"; return nil }))
	require.NoError(t, s.Close(ctx))
	require.FileExists(t, filepath.Join(dir, "pool.json.bak"))
}

// damagePool writes a good pool (goodPool) into a fresh folder and then
// damage's version of pool.json over it, returning the good and the bad bytes.
func damagePool(t *testing.T, damage func(good []byte) []byte) (dir, path string, good, bad []byte) {
	t.Helper()
	dir = t.TempDir()
	goodPool(t, dir)
	path = filepath.Join(dir, "pool.json")
	good, err := os.ReadFile(path)
	require.NoError(t, err)
	bad = damage(good)
	require.NoError(t, os.WriteFile(path, bad, 0o600))
	return dir, path, good, bad
}

// openDamaged opens a fresh folder whose file name holds content (a file
// with no backup), and returns the store, the folder and the file's path.
func openDamaged(t *testing.T, name, content string) (s *Store, dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return openT(t, dir), dir, path
}

// requireQuarantined checks what s says and keeps of the damaged file at
// path: one notice naming the file and the reason, and the damaged bytes
// kept aside as they were, never deleted or silently reset. It returns the
// notice.
func requireQuarantined(t *testing.T, s *Store, path, reason string, bad []byte) string {
	t.Helper()
	notices := s.Notices()
	require.Len(t, notices, 1)
	assert.Contains(t, notices[0], filepath.Base(path)+" was damaged")
	assert.Contains(t, notices[0], reason)
	aside, _ := filepath.Glob(path + ".corrupt-*")
	require.Len(t, aside, 1, "the damaged file is kept")
	kept, err := os.ReadFile(aside[0])
	require.NoError(t, err)
	assert.Equal(t, bad, kept)
	return notices[0]
}

var damaged = []struct {
	name    string
	content func(good []byte) []byte
	reason  string
}{
	{"empty", func([]byte) []byte { return []byte{} }, "the file is empty"},
	{"truncated", func(g []byte) []byte { return g[:len(g)/2] }, "not valid JSON"},
	{"garbage", func([]byte) []byte { return []byte("\x00\x17garbage\xff{") }, "not valid JSON"},
	{"array", func([]byte) []byte { return []byte(`[1,2]`) }, "not valid JSON"},
	{"no version", func([]byte) []byte { return []byte(`{"accounts":[]}`) }, `no "version" field`},
	{"version zero", func([]byte) []byte { return []byte(`{"version":0,"accounts":[]}`) }, "unknown version 0"},
	{"wrong types", func([]byte) []byte { return []byte(`{"version":1,"accounts":{"a":1}}`) }, "unexpected content"},
	{"invalid values", func([]byte) []byte {
		return []byte(`{"version":1,"accounts":[{"id":"bad id!","authMethod":"social","state":{"status":"ready"}}]}`)
	}, "invalid content"},
}

func TestDamagedFileIsMovedAsideAndBackupLoaded(t *testing.T) {
	for _, tc := range damaged {
		t.Run(tc.name, func(t *testing.T) {
			dir, path, _, bad := damagePool(t, tc.content)

			s := openT(t, dir)
			// The backup is the version before the last change: the account is there.
			assert.Equal(t, []string{"keep"}, ids(s.Pool.Snapshot()))
			// The damaged bytes are kept for the person, not deleted.
			notice := requireQuarantined(t, s, path, tc.reason, bad)
			assert.Contains(t, notice, "pool.json.bak")
			// And pool.json is good again on disk.
			assert.Equal(t, []string{"keep"}, ids(readPool(t, path)))
		})
	}
}

func TestDamagedFileWithoutBackupStopsTheLoad(t *testing.T) {
	for _, tc := range damaged {
		t.Run(tc.name, func(t *testing.T) {
			dir, path, good, bad := damagePool(t, tc.content)
			require.NoError(t, os.Remove(path+".bak"))

			_, err := Open(dir, Options{})
			require.ErrorIs(t, err, ErrCorrupt)
			assert.Contains(t, err.Error(), path, "the message must name the file")
			assert.Contains(t, err.Error(), tc.reason)
			assert.Contains(t, err.Error(), "no backup")
			// Never silently replaced: the file is exactly as it was.
			now, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, bad, now)

			// And the folder is not left locked.
			require.NoError(t, os.WriteFile(path, good, 0o600))
			s := openT(t, dir)
			assert.Equal(t, []string{"keep"}, ids(s.Pool.Snapshot()))
		})
	}
}

func TestDamagedFileAndDamagedBackupStopTheLoad(t *testing.T) {
	dir := t.TempDir()
	goodPool(t, dir)
	path := filepath.Join(dir, "pool.json")
	require.NoError(t, os.WriteFile(path, []byte("{"), 0o600))
	require.NoError(t, os.WriteFile(path+".bak", nil, 0o600))
	_, err := Open(dir, Options{})
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "is not usable either")
}

// requireRefusedAsTooNew writes newer at path, a state file in dir, and
// checks that opening dir is refused with ErrTooNew, naming the file and
// what to do, and leaves the file as it was; it returns the refusal.
func requireRefusedAsTooNew(t *testing.T, dir, path string, newer []byte) error {
	t.Helper()
	require.NoError(t, os.WriteFile(path, newer, 0o600))
	_, err := Open(dir, Options{})
	require.ErrorIs(t, err, ErrTooNew)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "run a newer Kirodesk")
	now, rerr := os.ReadFile(path)
	require.NoError(t, rerr)
	assert.Equal(t, newer, now, "the newer file is left exactly as it was")
	return err
}

func TestFileFromNewerVersionIsRefusedAndLeftAlone(t *testing.T) {
	dir := t.TempDir()
	goodPool(t, dir)
	path := filepath.Join(dir, "pool.json")
	err := requireRefusedAsTooNew(t, dir, path, []byte(`{"version": 7, "accounts": [], "somethingNew": 1}`))
	assert.Contains(t, err.Error(), "file version 7; this build reads up to 1")
	aside, _ := filepath.Glob(path + ".corrupt-*")
	assert.Empty(t, aside, "a newer file is not damaged and must not be moved")
}

func TestMissingFileWithBackupLoadsTheBackup(t *testing.T) {
	dir := t.TempDir()
	goodPool(t, dir)
	require.NoError(t, os.Remove(filepath.Join(dir, "pool.json")))
	s := openT(t, dir)
	assert.Equal(t, []string{"keep"}, ids(s.Pool.Snapshot()))
	require.Len(t, s.Notices(), 1)
	assert.Contains(t, s.Notices()[0], "pool.json was missing")
}

// damagedConfig returns a folder whose config.json (port 9001) was saved
// twice, so that it has a backup, and then damaged.
func damagedConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, s.Config.Update(ctx, func(c *Config) error { c.Port = 9001; return nil }))
	require.NoError(t, s.Config.Update(ctx, func(c *Config) error { c.LogLevel = "debug"; return nil }))
	require.NoError(t, s.Close(ctx))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"version":1,"port":"x"`), 0o600))
	return dir
}

func TestDamagedConfigIsHandledLikeThePool(t *testing.T) {
	dir := damagedConfig(t)

	s2 := openT(t, dir)
	assert.Equal(t, 9001, s2.Config.Snapshot().Port)
	require.Len(t, s2.Notices(), 1)
	assert.Contains(t, s2.Notices()[0], "config.json was damaged")
}

// A hand-edited config that leaves out fields gets the defaults for them.
func TestPartialConfigGetsDefaults(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"version":1,"port":9555}`), 0o600))
	s := openT(t, dir)
	c := s.Config.Snapshot()
	assert.Equal(t, 9555, c.Port)
	assert.Equal(t, "127.0.0.1", c.Host)
	assert.Equal(t, DefaultUpstream().APIBase, c.Upstream.APIBase)
	assert.Empty(t, s.Notices())
}

// testDoc is a schema at version 3 with two migrations, to test the chain.
type testDoc struct {
	Version int      `json:"version"`
	Names   []string `json:"names"`
	Count   int      `json:"count"`
}

func testSchema() Schema[testDoc] {
	return Schema[testDoc]{
		Name: "doc.json", Version: 3,
		New:   func() *testDoc { return &testDoc{Version: 3} },
		Clone: func(d *testDoc) *testDoc { n := *d; n.Names = append([]string(nil), d.Names...); return &n },
		Check: func(d *testDoc) error { return nil },
		Migrate: map[int]func(Raw) error{
			1: func(r Raw) error { // v1 had a single "name"
				var name string
				if err := json.Unmarshal(r["name"], &name); err != nil {
					return err
				}
				delete(r, "name")
				r["names"], _ = json.Marshal([]string{name})
				return nil
			},
			2: func(r Raw) error { // v2 had no count
				r["count"] = json.RawMessage("1")
				return nil
			},
		},
	}
}

func TestMigrationChainArchivesTheOriginal(t *testing.T) {
	dir := t.TempDir()
	v1, err := os.ReadFile("testdata/doc-v1.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "doc.json"), v1, 0o600))

	f, err := OpenFile(dir, testSchema(), FileOptions{})
	require.NoError(t, err)
	defer f.Close(context.Background())
	assert.Equal(t, &testDoc{Version: 3, Names: []string{"alpha"}, Count: 1}, f.Snapshot())
	require.Len(t, f.Notices(), 1)
	assert.Contains(t, f.Notices()[0], "upgraded from version 1 to 3")

	archived, _ := filepath.Glob(filepath.Join(dir, "doc.json.v1-*"))
	require.Len(t, archived, 1)
	b, err := os.ReadFile(archived[0])
	require.NoError(t, err)
	assert.Equal(t, v1, b)
	var onDisk testDoc
	b, err = os.ReadFile(filepath.Join(dir, "doc.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &onDisk))
	assert.Equal(t, 3, onDisk.Version)
}

func TestFailedMigrationIsTreatedAsDamage(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "doc.json"), []byte(`{"version":1,"name":42}`), 0o600))
	_, err := OpenFile(dir, testSchema(), FileOptions{})
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "upgrade from version 1 failed")
}
