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

func tell(id, period string) func(*QuotaNotices) error {
	return func(q *QuotaNotices) error { q.Told[id] = period; return nil }
}

func TestQuotaNoticesAreVersionedAndSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	assert.Empty(t, s.QuotaNotices.Snapshot().Told)
	require.NoError(t, s.QuotaNotices.Update(context.Background(), tell("acc1", "2026-12-31T00:00:00Z")))

	// Durable before Update returned: the file on disk already has it.
	var onDisk map[string]any
	b, err := os.ReadFile(filepath.Join(dir, QuotaNoticesName))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &onDisk))
	assert.EqualValues(t, QuotaNoticesVersion, onDisk["version"])
	assert.Equal(t, map[string]any{"acc1": "2026-12-31T00:00:00Z"}, onDisk["told"])

	require.NoError(t, s.Close(context.Background()))
	s = openT(t, dir)
	assert.Equal(t, map[string]string{"acc1": "2026-12-31T00:00:00Z"}, s.QuotaNotices.Snapshot().Told)
	assert.Empty(t, s.Notices())
}

func TestQuotaNoticesSnapshotIsACopy(t *testing.T) {
	s := openT(t, t.TempDir())
	require.NoError(t, s.QuotaNotices.Update(context.Background(), tell("acc1", "2026-12")))
	snap := s.QuotaNotices.Snapshot()
	snap.Told["acc1"] = "changed"
	snap.Told["acc2"] = "2026-11"
	assert.Equal(t, map[string]string{"acc1": "2026-12"}, s.QuotaNotices.Snapshot().Told)
}

func TestQuotaNoticesRejectBadValues(t *testing.T) {
	s := openT(t, t.TempDir())
	ctx := context.Background()
	require.NoError(t, s.QuotaNotices.Update(ctx, tell("acc1", "2026-12")))
	for _, bad := range []func(*QuotaNotices) error{
		tell("bad id!", "2026-12"),
		tell("acc2", "next tuesday"),
		tell("acc2", ""),
	} {
		assert.Error(t, s.QuotaNotices.Update(ctx, bad))
	}
	assert.Equal(t, map[string]string{"acc1": "2026-12"}, s.QuotaNotices.Snapshot().Told, "a rejected change leaves the state")
}

// A damaged quota-notices.json with no backup must not stop Kirodesk (it
// only costs a repeated warning), but it is kept aside and reported, never
// overwritten in place.
func TestDamagedQuotaNoticesAreQuarantinedAndReported(t *testing.T) {
	for _, tc := range []struct{ name, content, reason string }{
		{"garbage", "\x00{not json", "not valid JSON"},
		{"empty", "", "the file is empty"},
		{"invalid values", `{"version":1,"told":{"acc1":"someday"}}`, "invalid content"},
		{"wrong types", `{"version":1,"told":["acc1"]}`, "unexpected content"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, dir, path := openDamaged(t, QuotaNoticesName, tc.content)
			assert.Empty(t, s.QuotaNotices.Snapshot().Told)
			requireQuarantined(t, s, path, tc.reason, []byte(tc.content))

			// The fresh file works and survives a reopen, without a new notice.
			require.NoError(t, s.QuotaNotices.Update(context.Background(), tell("acc1", "2026-12")))
			require.NoError(t, s.Close(context.Background()))
			s = openT(t, dir)
			assert.Equal(t, map[string]string{"acc1": "2026-12"}, s.QuotaNotices.Snapshot().Told)
			assert.Empty(t, s.Notices())
		})
	}
}

func TestDamagedQuotaNoticesWithBackupLoadTheBackup(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	ctx := context.Background()
	require.NoError(t, s.QuotaNotices.Update(ctx, tell("acc1", "2026-11")))
	require.NoError(t, s.QuotaNotices.Update(ctx, tell("acc1", "2026-12"))) // .bak now holds 2026-11
	require.NoError(t, s.Close(ctx))
	path := filepath.Join(dir, QuotaNoticesName)
	require.NoError(t, os.WriteFile(path, []byte("{trunc"), 0o600))

	s = openT(t, dir)
	assert.Equal(t, map[string]string{"acc1": "2026-11"}, s.QuotaNotices.Snapshot().Told)
	require.Len(t, s.Notices(), 1)
	assert.Contains(t, s.Notices()[0], "loaded the backup")
}

func TestQuotaNoticesFromANewerKirodeskAreRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, QuotaNoticesName)
	newer := `{"version":99,"told":{}}`
	require.NoError(t, os.WriteFile(path, []byte(newer), 0o600))
	_, err := Open(dir, Options{})
	require.ErrorIs(t, err, ErrTooNew)
	b, _ := os.ReadFile(path)
	assert.Equal(t, newer, string(b), "left untouched")
	// The lock was released: the folder opens once the file is gone.
	require.NoError(t, os.Remove(path))
	openT(t, dir)
}

// Builds before version 1 wrote a bare {"id": "period"} map from the app.
func TestBareQuotaNoticesFromEarlierBuildsAreUpgraded(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, QuotaNoticesName)
	old := `{"acc1":"2026-12-31T00:00:00Z","acc2":"2026-11","bad id!":"2026-11"}`
	require.NoError(t, os.WriteFile(path, []byte(old), 0o600))

	s := openT(t, dir)
	assert.Equal(t, map[string]string{"acc1": "2026-12-31T00:00:00Z", "acc2": "2026-11"}, s.QuotaNotices.Snapshot().Told)
	require.Len(t, s.Notices(), 1)
	assert.Contains(t, s.Notices()[0], "upgraded to version 1")
	archived, _ := filepath.Glob(path + ".v0-*")
	require.Len(t, archived, 1)
	b, err := os.ReadFile(archived[0])
	require.NoError(t, err)
	assert.Equal(t, old, string(b))

	require.NoError(t, s.Close(context.Background()))
	s = openT(t, dir)
	assert.Empty(t, s.Notices(), "upgraded once")
	assert.Len(t, s.QuotaNotices.Snapshot().Told, 2)
}

func TestQuotaNoticesKeepUnknownFields(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, QuotaNoticesName)
	require.NoError(t, os.WriteFile(path, []byte(`{"version":1,"told":{},"future":{"x":1}}`), 0o600))
	s := openT(t, dir)
	require.NoError(t, s.QuotaNotices.Update(context.Background(), tell("acc1", "2026-12")))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"future"`)
}
