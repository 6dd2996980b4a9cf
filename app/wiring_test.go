package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/autostart"
	"kirodesk/internal/core"
	"kirodesk/internal/doctor"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// startOnFake opens the app on the fake upstream with the real sign-in
// service wired as run.go wires it.
func startOnFake(t *testing.T) (*App, *recorder, *core.Core, *fakekiro.Server, *secrets.Memory) {
	t.Helper()
	sec := secrets.NewMemory()
	a, rt, c, fake := startOnFakeWith(t, sec)
	return a, rt, c, fake, sec
}

// startOnFakeWith is startOnFake on a keychain of the test's choice.
func startOnFakeWith(t *testing.T, sec secrets.Store) (*App, *recorder, *core.Core, *fakekiro.Server) {
	t.Helper()
	fake := fakekiro.New(fakekiro.Options{CheckHeaders: true})
	t.Cleanup(fake.Close)
	getenv := func(k string) string {
		switch k {
		case store.EnvAPIBase, store.EnvAuthBase, store.EnvOIDCBase:
			return fake.URL
		}
		return ""
	}
	port := 0
	a := New(Options{Version: "v-test", Autostart: autostart.Manager{ConfigHome: t.TempDir()},
		SystemLanguages: func() []string { return nil }}) // English, whatever the machine's
	rt := &recorder{}
	var c *core.Core
	require.NoError(t, a.Startup(rt, WithLogins(a, func() (*core.Core, error) {
		var err error
		c, err = core.Open(context.Background(), core.Options{ConfigDir: t.TempDir(), Secrets: sec, Port: &port, Getenv: getenv})
		return c, err
	})))
	t.Cleanup(a.Shutdown)
	return a, rt, c, fake
}

func TestDeviceLoginAddsAnAccountThroughTheRealService(t *testing.T) {
	a, rt, _, fake, _ := startOnFake(t)
	fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{AwaitApproval: true})
	dl, err := a.StartDeviceLogin(DeviceOptions{Label: "Builder"})
	require.NoError(t, err)
	assert.NotEmpty(t, dl.FlowID)
	assert.Regexp(t, `^[A-Z0-9]{4}-[A-Z0-9]{4}$`, dl.UserCode)
	assert.Contains(t, dl.VerificationURIComplete, dl.UserCode)
	assert.True(t, dl.ExpiresAt.After(time.Now()))

	time.Sleep(1500 * time.Millisecond) // at least one poll answered "pending"
	assert.Empty(t, rt.loginEvents(), "nothing ends before the person approves")
	resp, err := http.PostForm(fake.URL+fakekiro.PathDevice, url.Values{"user_code": {dl.UserCode}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	require.Eventually(t, func() bool { return len(rt.loginEvents()) == 1 }, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, LoginEvent{FlowID: dl.FlowID, OK: true, Label: "Builder"}, rt.loginEvents()[0])
	list, err := a.Accounts()
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "Builder", list[0].Label)
	assert.Equal(t, store.StatusReady, list[0].State)
}

func TestSocialLoginOpensTheBrowserAndEndsAtTheLoopback(t *testing.T) {
	a, rt, _, _, _ := startOnFake(t)
	sl, err := a.StartSocialLogin("google", "Mine")
	require.NoError(t, err)
	rt.mu.Lock()
	opened := append([]string(nil), rt.opened...)
	rt.mu.Unlock()
	require.Equal(t, []string{sl.LoginURL}, opened, "the login page goes to the person's browser")

	// The "browser": the fake signs in at once and redirects to the loopback.
	resp, err := http.Get(sl.LoginURL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Eventually(t, func() bool { return len(rt.loginEvents()) == 1 }, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, LoginEvent{FlowID: sl.FlowID, OK: true, Label: "Mine"}, rt.loginEvents()[0])
	list, _ := a.Accounts()
	require.Len(t, list, 1)
	assert.Equal(t, "Google", list[0].Provider)
}

func TestOldProxyImportListsEachAccountAndDeletesFilesOnlyWhenAsked(t *testing.T) {
	a, _, _, _, _ := startOnFake(t)
	root := filepath.Join(t.TempDir(), "AIClient-2-API")
	require.NoError(t, os.CopyFS(root, os.DirFS("../internal/login/testdata/aiclient")))

	rep, err := a.ImportOldProxy(root)
	require.NoError(t, err)
	assert.NotEmpty(t, rep.ID)
	assert.Equal(t, filepath.Join(root, "configs"), rep.Dir)
	outcomes := map[string]int{}
	for _, r := range rep.Accounts {
		outcomes[r.Outcome]++
		assert.NotEmpty(t, r.Name)
	}
	assert.Equal(t, map[string]int{"imported": 7, "skipped": 1, "failed": 3}, outcomes)
	require.NotEmpty(t, rep.PlaintextFiles)
	for _, f := range rep.PlaintextFiles {
		assert.FileExists(t, f, "nothing is deleted without the person's yes")
	}

	_, err = a.DeleteImportedFiles("not-the-report")
	assert.Error(t, err)
	assert.FileExists(t, rep.PlaintextFiles[0])

	deleted, err := a.DeleteImportedFiles(rep.ID)
	require.NoError(t, err)
	assert.ElementsMatch(t, rep.PlaintextFiles, deleted)
	for _, f := range rep.PlaintextFiles {
		assert.NoFileExists(t, f)
	}
	assert.FileExists(t, filepath.Join(root, "configs", "provider_pools.json"), "only the listed credential files go")
	_, err = a.DeleteImportedFiles(rep.ID)
	assert.Error(t, err, "a report's files are deleted once")
}

// addFakeAccount signs an account in at the fake, as a finished login would.
func addFakeAccount(t *testing.T, c *core.Core, fake *fakekiro.Server, label string) (store.Account, fakekiro.FakeAccount) {
	t.Helper()
	fa := fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/Q"})
	cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthSocial,
		ProfileARN: fa.ProfileARN, ExpiresAt: time.Now().Add(time.Hour)}
	acc, err := c.Accounts.Add(context.Background(), store.Account{Label: label, AuthMethod: store.AuthSocial, Region: "us-east-1"}, cr.Secret())
	require.NoError(t, err)
	return acc, fa
}

func usage(used, limit float64, reset time.Time) fakekiro.UsageLimits {
	return fakekiro.UsageLimits{
		SubscriptionInfo: fakekiro.SubscriptionInfo{SubscriptionTitle: "KIRO PRO"},
		UsageBreakdownList: []fakekiro.UsageBreakdown{{ResourceType: "CREDIT", CurrentUsageWithPrecision: used,
			UsageLimitWithPrecision: limit, NextDateReset: float64(reset.Unix())}},
	}
}

func TestRefreshQuotaShowsInTheListAndTheTrayAndWarnsOncePerPeriod(t *testing.T) {
	a, rt, c, fake, _ := startOnFake(t)
	n := &recNotifier{}
	a.notifier = n
	acc, fa := addFakeAccount(t, c, fake, "Work")
	reset := time.Now().Add(72 * time.Hour).Truncate(time.Second)
	require.True(t, fake.SetUsageLimits(fa.AccessToken, usage(500, 1000, reset)))

	q, err := a.RefreshQuota(acc.ID)
	require.NoError(t, err)
	assert.Equal(t, "KIRO PRO", q.Plan)
	assert.InDelta(t, 500, q.Used, 0.001)
	list, _ := a.Accounts()
	require.NotNil(t, list[0].Quota)
	assert.InDelta(t, 1000, list[0].Quota.Limit, 0.001)
	assert.Equal(t, "50% used", a.trayState().Accounts[0].Quota)
	assert.Empty(t, n.all(), "half used is no news")
	rt.mu.Lock()
	assert.NotEmpty(t, rt.named[EventAccounts], "the window hears of the new quota")
	rt.mu.Unlock()

	require.True(t, fake.SetUsageLimits(fa.AccessToken, usage(930, 1000, reset)))
	_, err = a.RefreshQuota(acc.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"Kirodesk: quota nearly used | Work has used 93% of its credits."}, n.all())
	_, err = a.RefreshQuota(acc.ID)
	require.NoError(t, err)
	a.checkAccounts()
	assert.Len(t, n.all(), 1, "once per reset period")

	// A restart (a new App on the same folder) remembers it was told.
	restarted := New(Options{Version: "v-test"})
	n2 := &recNotifier{}
	restarted.notifier = n2
	restarted.checkQuota(c)
	assert.Empty(t, n2.all(), "a restart does not repeat the notification")

	next := reset.Add(30 * 24 * time.Hour)
	require.True(t, fake.SetUsageLimits(fa.AccessToken, usage(950, 1000, next)))
	_, err = a.RefreshQuota(acc.ID)
	require.NoError(t, err)
	assert.Len(t, n.all(), 2, "a new period warns again")

	_, err = a.RefreshQuota("no-such-account")
	assert.Error(t, err)
}

func TestTryAgainNowPutsACoolingAccountBack(t *testing.T) {
	a, _, c, fake, _ := startOnFake(t)
	acc, _ := addFakeAccount(t, c, fake, "Work")
	require.NoError(t, c.Store.Pool.Update(context.Background(), func(p *store.Pool) error {
		p.Account(acc.ID).State = store.AccountState{Status: store.StatusSuspended, Reason: "suspended by Kiro"}
		return nil
	}))
	list, _ := a.Accounts()
	require.Equal(t, store.StatusSuspended, list[0].State)
	require.NoError(t, a.RetryAccount(acc.ID))
	list, _ = a.Accounts()
	assert.Equal(t, store.StatusReady, list[0].State)
	assert.Error(t, a.RetryAccount("no-such-account"))
}

// breakable is a keychain that refuses writes once broken, as a locked or
// vanished Secret Service does.
type breakable struct {
	*secrets.Memory
	broken atomic.Bool
}

func (b *breakable) Set(ctx context.Context, key string, v secrets.Secret) error {
	if b.broken.Load() {
		return fmt.Errorf("secrets: set %q: %w", key, secrets.ErrUnavailable)
	}
	return b.Memory.Set(ctx, key, v)
}

// checks indexes a report's checks by "section title/check name".
func checks(t *testing.T, d Diagnostics) map[string]doctor.Check {
	t.Helper()
	out := map[string]doctor.Check{}
	for _, s := range d.Sections {
		for _, ch := range s.Checks {
			out[s.Title+"/"+ch.Name] = ch
		}
	}
	return out
}

// With the fake upstream up, a working keychain and the proxy listening,
// every check passes with what it found; then each condition is broken in
// turn and its check, and only what depends on it, fails saying why.
func TestDiagnoseReportsEveryCheck(t *testing.T) {
	sec := &breakable{Memory: secrets.NewMemory()}
	a, _, c, fake := startOnFakeWith(t, sec)
	acc, _ := addFakeAccount(t, c, fake, "Work")
	st, err := a.Status()
	require.NoError(t, err)
	fakeHost := strings.TrimPrefix(fake.URL, "http://")
	accSection := fmt.Sprintf("Account %s (Work, %s)", acc.ID, store.AuthSocial)

	d, err := a.Diagnose()
	require.NoError(t, err)
	assert.Equal(t, "v-test", d.Version)
	assert.False(t, d.Failed, d.Text)
	got := checks(t, d)
	for name, want := range map[string]string{
		"This machine/config dir":    c.ConfigDir + " is writable",
		"This machine/keychain":      "write, read and delete work",
		"This machine/port":          "listening at " + st.Endpoint,
		"Outbound connections/proxy": "proxy setting system",
		"Outbound connections/CA":    "system roots only",
		accSection + "/proxy":        "direct",
		accSection + "/dns":          "127.0.0.1 is an address",
		accSection + "/tcp/tls":      fakeHost + " answered HTTP",
		accSection + "/refresh":      "new access token valid until",
		accSection + "/usage":        "getUsageLimits answered at " + fakeHost,
	} {
		ch, ok := got[name]
		if assert.True(t, ok, "%s is missing from the report:\n%s", name, d.Text) {
			assert.Equal(t, doctor.OK, ch.Status, "%s: %s", name, ch.Detail)
			assert.Contains(t, ch.Detail, want, name)
		}
	}
	assert.Contains(t, []doctor.Status{doctor.OK, doctor.Warn}, got["This machine/tray host"].Status,
		"the tray host is reported either way: %+v", got["This machine/tray host"])
	assert.Contains(t, d.Text, "Work")
	assert.Equal(t, d.Report.Text(), d.Text, "Copy gives the same report as shown")

	// The keychain refuses writes: its check fails with the keychain's words.
	sec.broken.Store(true)
	d, err = a.Diagnose()
	require.NoError(t, err)
	got = checks(t, d)
	assert.True(t, d.Failed)
	assert.Equal(t, doctor.Fail, got["This machine/keychain"].Status)
	assert.Contains(t, got["This machine/keychain"].Detail, "cannot write")
	assert.Contains(t, got["This machine/keychain"].Detail, secrets.ErrUnavailable.Error())
	assert.Equal(t, doctor.OK, got["This machine/config dir"].Status, "one broken check does not fail the others")
	sec.broken.Store(false)

	// The proxy is off and another program holds the configured port.
	_, err = a.SetProxyEnabled(false)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	taken := ln.Addr().(*net.TCPAddr).Port
	_, err = a.UpdateSettings(SettingsPatch{Port: &taken})
	require.NoError(t, err)
	d, err = a.Diagnose()
	require.NoError(t, err)
	got = checks(t, d)
	assert.True(t, d.Failed)
	assert.Equal(t, doctor.Fail, got["This machine/port"].Status)
	assert.Contains(t, got["This machine/port"].Detail, fmt.Sprintf("127.0.0.1:%d is taken by another program", taken))
	require.NoError(t, ln.Close())
	d, err = a.Diagnose()
	require.NoError(t, err)
	got = checks(t, d)
	assert.Equal(t, doctor.OK, got["This machine/port"].Status, got["This machine/port"].Detail)
	assert.Contains(t, got["This machine/port"].Detail, fmt.Sprintf("127.0.0.1:%d is free", taken))

	// Kiro is unreachable: the account's network checks fail, the machine's do not.
	fake.Close()
	d, err = a.Diagnose()
	require.NoError(t, err)
	got = checks(t, d)
	assert.True(t, d.Failed)
	for _, name := range []string{"tcp/tls", "refresh", "usage"} {
		assert.Equal(t, doctor.Fail, got[accSection+"/"+name].Status, "%s: %s", name, got[accSection+"/"+name].Detail)
	}
	assert.Contains(t, got[accSection+"/tcp/tls"].Detail, "connection refused")
	assert.Contains(t, got[accSection+"/usage"].Detail, "getUsageLimits: ")
	assert.Equal(t, doctor.OK, got["This machine/keychain"].Status)
}

func TestOutboundProxyPasswordGoesToTheKeychainOnly(t *testing.T) {
	a, _, c, _, _ := startOnFake(t)
	s, err := a.SetOutboundProxy("http://me:hunter2@proxy.example:3128")
	require.NoError(t, err)
	assert.Equal(t, "http://me@proxy.example:3128", s.OutboundProxy)
	raw, err := os.ReadFile(filepath.Join(c.ConfigDir, "config.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "hunter2")
	assert.Contains(t, string(raw), "http://me@proxy.example:3128")
	p, err := c.Outbound.ProxyFor("", "https://q.us-east-1.amazonaws.com")
	require.NoError(t, err)
	assert.Equal(t, "http://me:xxxxx@proxy.example:3128", p, "the password is kept (in the keychain) and redacted when shown")

	_, err = a.SetOutboundProxy("ftp://nope")
	assert.Error(t, err)
	s, err = a.SetOutboundProxy("none")
	require.NoError(t, err)
	assert.Equal(t, "none", s.OutboundProxy)

	bundle := filepath.Join(t.TempDir(), "ca.pem")
	s, err = a.UpdateSettings(SettingsPatch{CABundle: &bundle})
	require.NoError(t, err)
	assert.Equal(t, bundle, s.CABundle)
	rel := "ca.pem"
	_, err = a.UpdateSettings(SettingsPatch{CABundle: &rel})
	assert.ErrorContains(t, err, "absolute")
}
