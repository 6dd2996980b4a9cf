//go:build !windows

package cli

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/core"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// doctor checks an account end to end, then again read-only while another
// Kirodesk holds the folder.
func TestDoctorInProcess(t *testing.T) {
	ctx := t.Context()
	fake := fakekiro.New(fakekiro.Options{CheckHeaders: true})
	t.Cleanup(fake.Close)
	fa := fake.AddAccount(fakekiro.FakeAccount{})
	vars := map[string]string{store.EnvAPIBase: fake.URL, store.EnvAuthBase: fake.URL, store.EnvOIDCBase: fake.URL}
	getenv := func(k string) string { return vars[k] }
	mem := secrets.NewMemory()
	dir := t.TempDir()

	c, err := core.Open(ctx, core.Options{ConfigDir: dir, Secrets: mem, Getenv: getenv})
	require.NoError(t, err)
	port := freePort(t)
	require.NoError(t, c.Store.Config.Update(ctx, func(cfg *store.Config) error { cfg.Port = port; return nil }))
	cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthSocial}
	a, err := c.Accounts.Add(ctx, store.Account{Label: "home", AuthMethod: store.AuthSocial}, cr.Secret())
	require.NoError(t, err)

	// Running: read-only, no refresh.
	code, out, errOut := run(t, Env{Getenv: getenv, Secrets: mem}, "doctor", "--config-dir", dir)
	assert.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "in use by a running Kirodesk")
	assert.Regexp(t, `\[skip\] refresh +Kirodesk is running`, out)
	assert.Regexp(t, `\[ok  \] usage`, out)
	assert.Zero(t, fake.Calls(fakekiro.PathRefresh))
	require.NoError(t, c.Close(context.Background()))

	// Not running: the doctor owns the folder and refreshes for real.
	code, out, errOut = run(t, Env{Getenv: getenv, Secrets: mem}, "doctor", "--config-dir", dir)
	assert.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "Account "+a.ID+" (home, social)")
	assert.Regexp(t, `\[ok  \] refresh`, out)
	assert.Contains(t, out, "127.0.0.1:"+strconv.Itoa(port)+" is free")
	assert.Equal(t, 1, fake.Calls(fakekiro.PathRefresh))
	assert.NotContains(t, out, fa.RefreshToken)

	// A failing step makes the exit code 1, after the report.
	fake.RevokeRefreshToken(fake.Accounts()[0].RefreshToken)
	code, out, errOut = run(t, Env{Getenv: getenv, Secrets: mem}, "doctor", "--config-dir", dir)
	assert.Equal(t, 1, code)
	assert.Regexp(t, `\[fail\] refresh`, out)
	assert.Contains(t, errOut, "some checks failed")
}

// The real command with the real keychain on a fresh folder.
func TestDoctorCommandWithTheRealKeychain(t *testing.T) {
	testenv.RequireKeychain(t)
	dir := t.TempDir()
	cmd := kirodesk(t, "doctor", "--config-dir", dir)
	t.Cleanup(func() {
		_ = secrets.NewKeyring(core.KeychainService(dir, os.Getenv)).Delete(context.Background(), "apikey")
	})
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && (!errors.As(err, &ee) || ee.ExitCode() != 1) { // 1: a check failed (the port may be taken here)
		require.NoError(t, err)
	}
	text := string(out)
	assert.Regexp(t, `\[ok  \] keychain +write, read and delete work`, text)
	assert.Contains(t, text, "no account yet")
	assert.Contains(t, text, "Outbound connections")
	assert.True(t, strings.HasPrefix(text, "Kirodesk doctor, "), text)
}
