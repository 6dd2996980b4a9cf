//go:build !windows

package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/control"
	"kirodesk/internal/core"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// authFake is the fake upstream for the account commands, reached by the
// child processes through the environment.
func authFake(t *testing.T) *fakekiro.Server {
	t.Helper()
	testenv.RequireKeychain(t)
	fake := fakekiro.New(fakekiro.Options{})
	t.Cleanup(fake.Close)
	t.Setenv(store.EnvAPIBase, fake.URL)
	t.Setenv(store.EnvAuthBase, fake.URL)
	t.Setenv(store.EnvOIDCBase, fake.URL)
	return fake
}

// cleanKeychain removes what the commands put in the folder's keychain.
func cleanKeychain(t *testing.T, dir string) {
	t.Cleanup(func() {
		ctx := context.Background()
		k := secrets.NewKeyring(core.KeychainService(dir, os.Getenv))
		for _, id := range poolIDs(t, dir) {
			_ = k.Delete(ctx, accounts.SecretKey(id))
		}
		_ = k.Delete(ctx, "apikey")
	})
}

// seenIDs remembers every account id a test saw, for the cleanup.
var seenIDs = map[string]bool{}

func poolIDs(t *testing.T, dir string) []string {
	var ids []string
	for id := range seenIDs {
		ids = append(ids, id)
	}
	b, err := os.ReadFile(filepath.Join(dir, "pool.json"))
	if err != nil {
		return ids
	}
	var p struct{ Accounts []struct{ ID string } }
	_ = json.Unmarshal(b, &p)
	for _, a := range p.Accounts {
		ids = append(ids, a.ID)
	}
	return ids
}

type ran struct {
	code           int
	stdout, stderr string
}

// run runs the kirodesk command with stdin and waits.
func runKD(t *testing.T, stdin string, args ...string) ran {
	t.Helper()
	cmd := kirodesk(t, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := ran{stdout: out.String(), stderr: errb.String()}
	var exit *exec.ExitError
	if err != nil {
		require.ErrorAs(t, err, &exit)
		r.code = exit.ExitCode()
	}
	for _, id := range regexp.MustCompile(`acc-[0-9a-f]{16}`).FindAllString(r.stdout, -1) {
		seenIDs[id] = true
	}
	return r
}

var addedID = regexp.MustCompile(`Added account (acc-[0-9a-f]{16}) `)

func readPool(t *testing.T, dir string) store.Pool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "pool.json"))
	require.NoError(t, err)
	var p store.Pool
	require.NoError(t, json.Unmarshal(b, &p))
	return p
}

func folderHoldsNo(t *testing.T, dir string, vals ...string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&os.ModeSocket != 0 {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, v := range vals {
			if v != "" {
				assert.NotContains(t, string(b), v, "%s holds a token", path)
			}
		}
		return nil
	}))
}

// accountCommands exercises login builder-id and the accounts commands on
// dir, with or without a running instance in front of it.
func accountCommands(t *testing.T, fake *fakekiro.Server, dir string) {
	fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{Polls: []string{fakekiro.PollPending}})
	r := runKD(t, "", "login", "builder-id", "--no-browser", "--label", "Work", "--config-dir", dir)
	require.Equal(t, 0, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	assert.Regexp(t, `confirm the code [A-Z0-9]{4}-[A-Z0-9]{4}:\n  `+regexp.QuoteMeta(fake.URL)+`/device\?user_code=`, r.stdout)
	assert.Contains(t, r.stdout, "Waiting for you to finish in the browser:")
	assert.NotContains(t, r.stdout, "opening your browser")
	m := addedID.FindStringSubmatch(r.stdout)
	require.NotNil(t, m, r.stdout)
	id := m[1]
	assert.Contains(t, r.stdout, `"Work" (builder-id)`)

	r = runKD(t, "", "accounts", "list", "--config-dir", dir)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `(?m)^`+id+`\s+Work\s+builder-id\s+ready\s+\S+\s+\d+\s+yes$`, r.stdout)

	r = runKD(t, "", "accounts", "disable", id, "--config-dir", dir)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "Account "+id+" \"Work\" is disabled.\n", r.stdout)
	r = runKD(t, "", "accounts", "list", "--config-dir", dir)
	assert.Regexp(t, `(?m)^`+id+`\s+Work\s+builder-id\s+ready\s+\S+\s+\d+\s+no$`, r.stdout)
	r = runKD(t, "", "accounts", "enable", "--config-dir", dir, id)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "is enabled")
	r = runKD(t, "", "accounts", "rename", id, "Home", "--config-dir", dir)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"Home" is enabled`)

	r = runKD(t, "", "accounts", "quota", id, "--config-dir", dir)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `^Account `+id+` "Home": [0-9.]+/[0-9]+`, r.stdout)
	r = runKD(t, "", "accounts", "list", "--config-dir", dir)
	assert.Regexp(t, `(?m)^`+id+`\s+Home\s+builder-id\s+ready\s+[0-9.]+/[0-9]+\s+\d+\s+yes$`, r.stdout, "the quota shows once checked")
	r = runKD(t, "", "accounts", "reset", id, "--config-dir", dir)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "Account "+id+" \"Home\" is back in service (ready).\n", r.stdout)

	r = runKD(t, "", "accounts", "disable", "acc-0000000000000000", "--config-dir", dir)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "no such account")
	r = runKD(t, "", "accounts", "disable", "--config-dir", dir)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "missing argument")

	// The secret is in the keychain; the folder has none.
	sec, err := secrets.NewKeyring(core.KeychainService(dir, os.Getenv)).Get(context.Background(), accounts.SecretKey(id))
	require.NoError(t, err, "the account's credentials are in the keychain")
	assert.Contains(t, sec.Reveal(), fake.Accounts()[0].RefreshToken)
	fa := fake.Accounts()[0]
	folderHoldsNo(t, dir, fa.RefreshToken, fa.AccessToken)

	r = runKD(t, "", "accounts", "remove", id, "--config-dir", dir)
	require.Equal(t, 0, r.code, r.stderr)
	r = runKD(t, "", "accounts", "--config-dir", dir)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "No accounts yet")
	_, err = secrets.NewKeyring(core.KeychainService(dir, os.Getenv)).Get(context.Background(), accounts.SecretKey(id))
	assert.ErrorIs(t, err, secrets.ErrNotFound, "remove deletes the credentials")
}

func TestAccountCommandsWithoutAnInstance(t *testing.T) {
	fake := authFake(t)
	dir := t.TempDir()
	cleanKeychain(t, dir)
	accountCommands(t, fake, dir)
	assert.NoFileExists(t, control.SocketPath(dir), "no instance, no socket")
}

func TestAccountCommandsThroughTheRunningInstance(t *testing.T) {
	fake := authFake(t)
	dir := t.TempDir()
	cleanKeychain(t, dir)
	s := startServe(t, dir)
	st, err := os.Stat(control.SocketPath(dir))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	accountCommands(t, fake, dir)

	// The instance holds what the commands did: log in again and stop it.
	r := runKD(t, "", "login", "builder-id", "--no-browser", "--config-dir", dir)
	require.Equal(t, 0, r.code, r.stderr)
	id := addedID.FindStringSubmatch(r.stdout)[1]
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, s.cmd.Wait(), s.stderr.String())
	p := readPool(t, dir)
	require.Len(t, p.Accounts, 1)
	assert.Equal(t, id, p.Accounts[0].ID)
	assert.NoFileExists(t, control.SocketPath(dir), "the socket goes with the instance")
	assert.Empty(t, p.PendingSecrets)
}

func TestLoginCancelledByCtrlC(t *testing.T) {
	fake := authFake(t)
	dir := t.TempDir()
	cleanKeychain(t, dir)
	fake.EnqueueDeviceFlow(fakekiro.Unapproved(100))
	cmd := kirodesk(t, "login", "builder-id", "--no-browser", "--config-dir", dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	for sc.Scan() && !strings.Contains(sc.Text(), "Waiting") {
	}
	go io.Copy(io.Discard, out)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err = cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, errb.String(), "login was cancelled")
	assert.Empty(t, readPool(t, dir).Accounts)
}

func TestLoginGoogleThroughTheRunningInstance(t *testing.T) {
	fake := authFake(t)
	dir := t.TempDir()
	cleanKeychain(t, dir)
	startServe(t, dir)
	fake.EnqueueLogin(fakekiro.FakeAccount{Email: "g@example.com"})
	cmd := kirodesk(t, "login", "google", "--no-browser", "--config-dir", dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	errb := &testenv.Buffer{}
	cmd.Stderr = errb
	stdin, err := cmd.StdinPipe() // kept open: no paste
	require.NoError(t, err)
	defer stdin.Close()
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	var link string
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "  "+fake.URL+"/login?") {
			link = strings.TrimSpace(sc.Text())
			break
		}
	}
	require.NotEmpty(t, link, "printed: %v; stderr: %s", lines, errb.String())
	// The browser: Kiro's page, then the loopback callback of the instance.
	resp, err := http.Get(link)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(body), "Signed in")
	rest, _ := io.ReadAll(out)
	require.NoError(t, cmd.Wait(), errb.String())
	assert.Regexp(t, `Added account acc-[0-9a-f]{16} "g@example.com" \(social\)`, string(rest))
	for _, id := range regexp.MustCompile(`acc-[0-9a-f]{16}`).FindAllString(string(rest), -1) {
		seenIDs[id] = true
	}
}

func TestImportAIClientCommand(t *testing.T) {
	withAndWithoutServe(t, func(t *testing.T, withServe bool) {
		fake := authFake(t)
		fake.AddAccount(fakekiro.FakeAccount{RefreshToken: "aor-fixture-torn-late"})
		dir := t.TempDir()
		cleanKeychain(t, dir)
		if withServe {
			startServe(t, dir)
		}
		proxy := filepath.Join(t.TempDir(), "proxy")
		require.NoError(t, os.CopyFS(proxy, os.DirFS("../login/testdata/aiclient")))
		configs := filepath.Join(proxy, "configs")

		// Asked, and the answer is no: nothing is deleted.
		r := runKD(t, "no\n", "import", "aiclient", configs, "--delete-plaintext", "--config-dir", dir)
		assert.Equal(t, 1, r.code, "two accounts failed: %s", r.stdout)
		assert.Contains(t, r.stderr, "2 of the old proxy's accounts could not be imported")
		assert.Regexp(t, `(?m)^  imported\s+Work Google\s+as acc-[0-9a-f]{16}$`, r.stdout)
		assert.Regexp(t, `(?m)^  imported\s+Builder ID spare\s+as acc-[0-9a-f]{16} \(disabled, as in the old proxy\)$`, r.stdout)
		assert.Regexp(t, `(?m)^  skipped\s+Work Google \(copy\)\s+duplicate`, r.stdout)
		assert.Regexp(t, `(?m)^  failed\s+Gone\s+.*does not exist`, r.stdout)
		assert.Contains(t, r.stdout, "Skipped, not Kiro: gemini-cli-oauth (2), openai-custom (1)")
		assert.Contains(t, r.stdout, "8 imported, 1 skipped, 2 failed.")
		assert.Contains(t, r.stdout, "Delete these 9 files? [y/N]")
		assert.Contains(t, r.stdout, "Nothing deleted.")
		assert.FileExists(t, filepath.Join(configs, "kiro", "kiro-auth-token-1736150100000.json"))

		r = runKD(t, "", "accounts", "list", "--config-dir", dir)
		assert.Regexp(t, `(?m)\s+Builder ID spare\s+builder-id\s+ready\s+\S+\s+\d+\s+no$`, r.stdout)
		assert.Regexp(t, `(?m)\s+Acme IdC\s+idc https://acme.awsapps.com/start\s+ready\s+\S+\s+\d+\s+yes$`, r.stdout)

		// Again with yes: all are duplicates now, and the files go.
		r = runKD(t, "y\n", "import", "aiclient", proxy, "--delete-plaintext", "--config-dir", dir)
		assert.Contains(t, r.stdout, "0 imported, 8 skipped, 3 failed.")
		assert.Contains(t, r.stdout, "Deleted 8 files.")
		assert.NoFileExists(t, filepath.Join(configs, "kiro", "kiro-auth-token-1736150100000.json"))
		assert.FileExists(t, filepath.Join(configs, "provider_pools.json"))

		// Without the flag nothing is ever offered.
		r = runKD(t, "y\n", "import", "aiclient", proxy, "--config-dir", dir)
		assert.NotContains(t, r.stdout, "Delete these")

		if !withServe {
			p := readPool(t, dir)
			assert.Len(t, p.Accounts, 8)
		}
		folderHoldsNo(t, dir, "aor-fixture-social-google", "aor-fixture-idc", "secret-fixture-idc", "aor-fixture-builder")
	})
}

func TestAddTokenCommand(t *testing.T) {
	fake := authFake(t)
	dir := t.TempDir()
	cleanKeychain(t, dir)
	fa := fake.AddAccount(fakekiro.FakeAccount{Email: "tok@example.com"})

	r := runKD(t, "", "add-token", fa.RefreshToken, "--config-dir", dir)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "never from the command line")
	r = runKD(t, "aor-wrong\n", "add-token", "--config-dir", dir)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "did not accept the token, so it was not saved")
	r = runKD(t, fa.RefreshToken+"\n", "add-token", "--config-dir", dir)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"tok@example.com" (social)`)
	folderHoldsNo(t, dir, fa.RefreshToken, fake.Accounts()[0].RefreshToken)
}

func TestImportKiroIDECommand(t *testing.T) {
	authFake(t)
	dir := t.TempDir()
	cleanKeychain(t, dir)
	file := filepath.Join(t.TempDir(), "kiro-auth-token.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"accessToken":"aoa-ide-cli","refreshToken":"aor-ide-cli","authMethod":"social","provider":"Github","expiresAt":"2030-01-01T00:00:00Z"}`), 0o600))
	r := runKD(t, "", "import", "kiro-ide", "--file", file, "--config-dir", dir)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"GitHub" (social)`)
	p := readPool(t, dir)
	require.Len(t, p.Accounts, 1)
	assert.Equal(t, file, p.Accounts[0].IDETokenFile)
	r = runKD(t, "", "import", "kiro-ide", "--file", file, "--config-dir", dir)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "already added")
	folderHoldsNo(t, dir, "aor-ide-cli", "aoa-ide-cli")
}

// On a terminal the countdown is one line rewritten in place.
func TestLoginCountdownOnATerminal(t *testing.T) {
	script := testenv.RequireTool(t, "script") // util-linux, in Debian's essential set
	fake := authFake(t)
	dir := t.TempDir()
	cleanKeychain(t, dir)
	fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{Polls: []string{fakekiro.PollPending, fakekiro.PollPending}})
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	line := strings.Join([]string{quote(os.Args[0]), "login", "builder-id", "--no-browser", "--config-dir", quote(dir)}, " ")
	cmd := exec.Command(script, "-qec", line, "/dev/null")
	cmd.Env = append(os.Environ(), "KIRODESK_TEST_AS_MAIN=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	s := string(out)
	assert.GreaterOrEqual(t, strings.Count(s, "\rWaiting for you to finish in the browser: "), 2, "%q", s)
	assert.Contains(t, s, "\r\x1b[K", "the countdown line is cleared at the end")
	assert.Equal(t, 1, strings.Count(s, "Added account"))
	for _, id := range regexp.MustCompile(`acc-[0-9a-f]{16}`).FindAllString(s, -1) {
		seenIDs[id] = true
	}
}

// When the browser cannot come back, the address it ended on is pasted.
func TestLoginGitHubWithAPastedURL(t *testing.T) {
	fake := authFake(t)
	dir := t.TempDir()
	cleanKeychain(t, dir)
	cmd := kirodesk(t, "login", "github", "--no-browser", "--label", "Pasted", "--config-dir", dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	errb := &testenv.Buffer{}
	cmd.Stderr = errb
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	defer stdin.Close()
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	var link string
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "  "+fake.URL+"/login?") {
			link = strings.TrimSpace(sc.Text())
			break
		}
	}
	require.NotEmpty(t, link, errb.String())
	// The page's final address, as the person would copy it from the browser.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(link)
	require.NoError(t, err)
	resp.Body.Close()
	final := resp.Header.Get("Location")
	require.Contains(t, final, "code=")
	_, err = io.WriteString(stdin, "not the address\n"+final+"\n")
	require.NoError(t, err)
	rest, _ := io.ReadAll(out)
	require.NoError(t, cmd.Wait(), errb.String())
	assert.Contains(t, errb.String(), "not the URL the sign-in page ended on", "a wrong paste is explained, and the flow goes on")
	assert.Regexp(t, `Added account acc-[0-9a-f]{16} "Pasted" \(social\)`, string(rest))
	p := readPool(t, dir)
	require.Len(t, p.Accounts, 1)
	assert.Equal(t, "Github", p.Accounts[0].Provider)
	fa := fake.Accounts()[0]
	folderHoldsNo(t, dir, fa.RefreshToken, fa.AccessToken)
}
