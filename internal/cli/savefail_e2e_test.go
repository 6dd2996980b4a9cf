//go:build !windows

package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/core"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/secrets"
)

// blockSaves makes every save of pool.json in dir fail on the real file
// system, for root too (CI runs as root, and root ignores a read-only
// folder's permission bits): the backup kept before each write cannot
// replace a directory that is not empty.
func blockSaves(t *testing.T, dir string) (unblock func()) {
	t.Helper()
	paths := []string{filepath.Join(dir, "pool.json.bak.tmp"), filepath.Join(dir, "pool.json.bak")}
	for _, p := range paths {
		require.NoError(t, os.RemoveAll(p))
		require.NoError(t, os.MkdirAll(filepath.Join(p, "keep"), 0o700))
	}
	return func() {
		for _, p := range paths {
			require.NoError(t, os.RemoveAll(p))
		}
	}
}

// A change the disk refuses is reported as not made, and is not made: the
// list read back, the keychain, and the folder after a restart all show the
// accounts as they were.
func TestRefusedSaveChangesNothing(t *testing.T) {
	withAndWithoutServe(t, func(t *testing.T, withServe bool) {
		fake := authFake(t)
		dir := t.TempDir()
		cleanKeychain(t, dir)
		var s *serving
		if withServe {
			s = startServe(t, dir)
		}
		var ids []string
		for _, label := range []string{"Work", "Home"} {
			fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{Polls: []string{fakekiro.PollPending}})
			r := runKD(t, "", "login", "builder-id", "--no-browser", "--label", label, "--config-dir", dir)
			require.Equal(t, 0, r.code, r.stderr)
			ids = append(ids, addedID.FindStringSubmatch(r.stdout)[1])
		}
		list := func() string {
			t.Helper()
			r := runKD(t, "", "accounts", "list", "--config-dir", dir)
			require.Equal(t, 0, r.code, r.stderr)
			return r.stdout
		}
		before := list()
		require.Regexp(t, `(?m)^`+ids[0]+`\s+Work\s+builder-id\s+ready\s.*\syes$`, before)

		unblock := blockSaves(t, dir)
		notSaved := regexp.MustCompile(`could not save pool\.json in ` + regexp.QuoteMeta(dir) + `: .+; nothing was changed`)
		for _, args := range [][]string{
			{"accounts", "rename", ids[0], "Renamed"},
			{"accounts", "disable", ids[0]},
			{"accounts", "remove", ids[1]},
			{"login", "builder-id", "--no-browser", "--label", "Third"},
		} {
			if args[0] == "login" {
				fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{Polls: []string{fakekiro.PollPending}})
			}
			r := runKD(t, "", append(args, "--config-dir", dir)...)
			assert.Equal(t, 1, r.code, "%v: %s", args, r.stdout)
			assert.Regexp(t, notSaved, r.stderr, "%v", args)
			assert.NotContains(t, r.stdout, "Added account", "%v", args)
			assert.Equal(t, before, list(), "%v: the accounts read back are unchanged", args)
		}
		kc := secrets.NewKeyring(core.KeychainService(dir, os.Getenv))
		_, err := kc.Get(context.Background(), accounts.SecretKey(ids[1]))
		assert.NoError(t, err, "a refused remove keeps the credentials")

		// Restart: stop the instance (its last flush), mend the disk, and
		// read the folder afresh.
		if withServe {
			require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
			require.NoError(t, s.cmd.Wait(), s.stderr.String())
		}
		unblock()
		assert.Equal(t, before, list(), "after a restart")
		p := readPool(t, dir)
		require.Len(t, p.Accounts, 2)
		assert.Equal(t, "Work", p.Accounts[0].Label)
		assert.False(t, p.Accounts[0].Disabled)

		// And with the disk working the same commands work.
		r := runKD(t, "", "accounts", "rename", ids[0], "Renamed", "--config-dir", dir)
		require.Equal(t, 0, r.code, r.stderr)
		p = readPool(t, dir)
		assert.Equal(t, "Renamed", p.Account(ids[0]).Label)
	})
}
