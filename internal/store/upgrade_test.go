package store

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/testenv"
)

// testdata/releases/<version>/ holds config.json and pool.json exactly as
// that release wrote them. Every release's files must open with this build:
// unchanged when the schema is the same, migrated (and the original
// archived) when it is older. 0.1.0 is the first release and wrote schema 1,
// the current one, so today the upgrade path is "loaded as is"; once a schema
// version is raised, the same fixtures go through the migration and the
// archive checks below start to bite. Add the files of each release here.

func fileVersion(t *testing.T, data []byte) int {
	t.Helper()
	var head struct{ Version int }
	require.NoError(t, json.Unmarshal(data, &head))
	return head.Version
}

// checkUpgraded asserts what happened to one file: an older one is archived
// byte for byte and announced; a current one is left as it was.
func checkUpgraded(t *testing.T, dir, name string, original []byte, current int, notices []string) {
	t.Helper()
	path := filepath.Join(dir, name)
	from := fileVersion(t, original)
	now, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, current, fileVersion(t, now), "%s is written at the current version", name)
	archives, _ := filepath.Glob(fmt.Sprintf("%s.v%d-*", path, from))
	if from == current {
		assert.Equal(t, original, now, "%s: a current file is not rewritten", name)
		assert.Empty(t, archives)
		return
	}
	require.Len(t, archives, 1, "%s from version %d is archived once", name, from)
	kept, err := os.ReadFile(archives[0])
	require.NoError(t, err)
	assert.Equal(t, original, kept, "the archive is the original file")
	assert.True(t, strings.Contains(strings.Join(notices, "\n"), name+" was upgraded"), "the upgrade is announced: %v", notices)
}

func TestEveryReleasesStateFilesOpenWithThisBuild(t *testing.T) {
	releases, err := os.ReadDir("testdata/releases")
	require.NoError(t, err)
	require.NotEmpty(t, releases)
	for _, rel := range releases {
		t.Run(rel.Name(), func(t *testing.T) {
			src := filepath.Join("testdata/releases", rel.Name())
			dir := testenv.ReleaseFolder(t, src)
			origConfig, _ := os.ReadFile(filepath.Join(src, "config.json"))
			origPool, _ := os.ReadFile(filepath.Join(src, "pool.json"))

			s, err := Open(dir, Options{})
			require.NoError(t, err, "release %s's files must open", rel.Name())
			cfg, pool := s.Config.Snapshot(), s.Pool.Snapshot()
			notices := s.Notices()
			require.NoError(t, s.Close(context.Background()))

			checkUpgraded(t, dir, "config.json", origConfig, ConfigVersion, notices)
			checkUpgraded(t, dir, "pool.json", origPool, PoolVersion, notices)

			// Every setting and every account the release knew survives;
			// a setting it did not know yet has its default.
			oldCfg := NewConfig()
			require.NoError(t, json.Unmarshal(origConfig, oldCfg))
			oldCfg.Version = ConfigVersion
			assert.Equal(t, oldCfg, cfg)
			var oldPool Pool
			require.NoError(t, json.Unmarshal(origPool, &oldPool))
			require.NotEmpty(t, oldPool.Accounts, "a fixture without accounts proves little")
			assert.Equal(t, oldPool.Accounts, pool.Accounts)
			assert.Equal(t, oldPool.PendingSecrets, pool.PendingSecrets)

			// And the upgraded folder opens again as a current one.
			s, err = Open(dir, Options{})
			require.NoError(t, err)
			assert.Empty(t, s.Notices())
			require.NoError(t, s.Close(context.Background()))
		})
	}
}

func TestStateFilesFromANewerReleaseAreRefusedUntouched(t *testing.T) {
	for _, name := range []string{"config.json", "pool.json"} {
		t.Run(name, func(t *testing.T) {
			dir := testenv.ReleaseFolder(t, "testdata/releases/0.1.0")
			newer, err := os.ReadFile(filepath.Join("testdata/future", name))
			require.NoError(t, err)
			path := filepath.Join(dir, name)
			err = requireRefusedAsTooNew(t, dir, path, newer)
			assert.Contains(t, err.Error(), "written by a newer Kirodesk")
			others, _ := filepath.Glob(path + ".*")
			assert.Empty(t, others, "nothing is archived, backed up or moved aside")

			s, err := Open(dir, Options{})
			require.ErrorIs(t, err, ErrTooNew, "and it stays refused: %v", s)
		})
	}
}
