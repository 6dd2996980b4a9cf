package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/autostart"
	"kirodesk/internal/core"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// startAppOnConfigPort opens the app with the port taken from config.json
// (no override), so Settings can move it.
func startAppOnConfigPort(t *testing.T) (*App, *recorder) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	port := freePort(t)
	require.NoError(t, st.Config.Update(context.Background(), func(c *store.Config) error { c.Port = port; return nil }))
	require.NoError(t, st.Close(context.Background()))
	a := New(Options{Version: "v-test", Autostart: autostart.Manager{ConfigHome: t.TempDir()}})
	rt := &recorder{}
	require.NoError(t, a.Startup(rt, func() (*core.Core, error) {
		return core.Open(context.Background(), core.Options{ConfigDir: dir, Secrets: secrets.NewMemory()})
	}))
	t.Cleanup(a.Shutdown)
	return a, rt
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func getModels(t *testing.T, endpoint, key string) int {
	req, _ := http.NewRequest(http.MethodGet, endpoint+"/v1/models", nil)
	req.Header.Set("x-api-key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestSettingsPartialEditReopensTheListenerOnANewPort(t *testing.T) {
	a, _ := startAppOnConfigPort(t)
	before, err := a.Settings()
	require.NoError(t, err)
	assert.True(t, before.Loopback)
	old, _ := a.Status()

	newPort := freePort(t)
	after, err := a.UpdateSettings(SettingsPatch{Port: &newPort})
	require.NoError(t, err)
	assert.Equal(t, newPort, after.Port)
	assert.Equal(t, before.Strategy, after.Strategy, "fields not in the patch stay")
	st, _ := a.Status()
	assert.Equal(t, newPort, st.Port)
	_, err = http.Get(old.Endpoint + "/health")
	assert.Error(t, err, "the old port is closed")
	resp, err := http.Get(st.Endpoint + "/health")
	require.NoError(t, err)
	resp.Body.Close()

	bad := 0
	strategy := "random"
	_, err = a.UpdateSettings(SettingsPatch{Port: &bad, Strategy: &strategy})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "port 0 is outside 1-65535")
	assert.Contains(t, err.Error(), `strategy "random"`)
	again, _ := a.Settings()
	assert.Equal(t, newPort, again.Port, "a refused edit changes nothing")

	attempts := 11
	_, err = a.UpdateSettings(SettingsPatch{MaxAttempts: &attempts})
	assert.ErrorContains(t, err, "maxAttempts 11 is outside 0-10")
	attempts = 5
	got, err := a.UpdateSettings(SettingsPatch{MaxAttempts: &attempts})
	require.NoError(t, err)
	assert.Equal(t, 5, got.MaxAttempts)

	level, host := "debug", "0.0.0.0"
	got, err = a.UpdateSettings(SettingsPatch{LogLevel: &level, Host: &host})
	require.NoError(t, err)
	assert.False(t, got.Loopback, "the window warns off loopback")
	assert.Equal(t, "debug", got.LogLevel)
}

func TestRegeneratedKeyReplacesTheOldOneAtOnce(t *testing.T) {
	a, _, _ := startApp(t)
	st, _ := a.Status()
	old, err := a.APIKey()
	require.NoError(t, err)
	assert.Equal(t, 200, getModels(t, st.Endpoint, old))

	fresh, err := a.RegenerateAPIKey()
	require.NoError(t, err)
	assert.NotEqual(t, old, fresh)
	assert.Equal(t, 401, getModels(t, st.Endpoint, old))
	assert.Equal(t, 200, getModels(t, st.Endpoint, fresh))
	shown, _ := a.APIKey()
	assert.Equal(t, fresh, shown)
}

func TestRequestLogAndLogLines(t *testing.T) {
	a, _, _ := startApp(t)
	st, _ := a.Status()
	key, _ := a.APIKey()
	assert.Equal(t, 200, getModels(t, st.Endpoint, key))
	assert.Equal(t, 401, getModels(t, st.Endpoint, "kd-wrong"))
	resp, err := http.Get(st.Endpoint + "/health")
	require.NoError(t, err)
	resp.Body.Close()

	reqs, err := a.Requests(0)
	require.NoError(t, err)
	require.Len(t, reqs, 2, "/health is not logged")
	assert.Equal(t, "/v1/models", reqs[0].Path)
	assert.Equal(t, 200, reqs[0].Status)
	assert.Equal(t, 401, reqs[1].Status)
	later, _ := a.Requests(reqs[1].Seq)
	assert.Empty(t, later)
	stats, err := a.RequestStats()
	require.NoError(t, err)
	assert.EqualValues(t, 2, stats.RequestsToday)
	assert.EqualValues(t, 1, stats.ErrorsToday)
	assert.Equal(t, 2, stats.PerMinute)

	_, err = a.SetProxyEnabled(false)
	require.NoError(t, err)
	lines, err := a.Logs(0)
	require.NoError(t, err)
	var all strings.Builder
	for _, l := range lines {
		all.WriteString(l.Text + "\n")
	}
	assert.Contains(t, all.String(), "proxy off")
	assert.NotContains(t, all.String(), key)
}

func TestAccountEditsGoThroughTheStore(t *testing.T) {
	a, rt, _ := startApp(t)
	c, _ := a.ready()
	acc, err := c.Accounts.Add(context.Background(), store.Account{Label: "one", AuthMethod: store.AuthSocial}, secrets.New(`{"accessToken":"x"}`))
	require.NoError(t, err)

	require.NoError(t, a.RenameAccount(acc.ID, "  Work  "))
	require.NoError(t, a.SetAccountEnabled(acc.ID, false))
	list, err := a.Accounts()
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "Work", list[0].Label)
	assert.True(t, list[0].Disabled)
	assert.Error(t, a.RenameAccount(acc.ID, " "))
	assert.Error(t, a.RenameAccount("nope", "x"))

	require.NoError(t, a.RemoveAccount(acc.ID))
	list, _ = a.Accounts()
	assert.Empty(t, list)
	_, err = c.Accounts.Credentials(context.Background(), acc.ID)
	assert.ErrorIs(t, err, secrets.ErrNotFound)
	rt.mu.Lock()
	defer rt.mu.Unlock()
	assert.NotEmpty(t, rt.named[EventAccounts])
}

// fakeLogins stands in for internal/login.
type fakeLogins struct {
	flow *fakeFlow
}

type fakeFlow struct {
	done   chan struct{}
	once   sync.Once
	result store.Account
	err    error
	url    string
}

func (f *fakeFlow) Wait(ctx context.Context) (store.Account, error) {
	<-f.done
	return f.result, f.err
}
func (f *fakeFlow) Cancel() { f.once.Do(func() { f.err = context.Canceled; close(f.done) }) }
func (f *fakeFlow) CompleteWithURL(_ context.Context, url string) error {
	f.url = url
	f.once.Do(func() { f.result = store.Account{Label: "gh"}; close(f.done) })
	return nil
}

func (l *fakeLogins) StartDevice(_ context.Context, o DeviceOptions) (DeviceCode, LoginFlow, error) {
	return DeviceCode{UserCode: "ABCD-EFGH", VerificationURI: "https://device.example", ExpiresAt: time.Now().Add(time.Minute)}, l.flow, nil
}
func (l *fakeLogins) StartSocial(context.Context, string, string) (SocialStart, SocialFlow, error) {
	return SocialStart{LoginURL: "https://login.example/x"}, l.flow, nil
}
func (l *fakeLogins) ImportKiroIDE(context.Context, string, string) (store.Account, error) {
	return store.Account{Label: "ide"}, nil
}
func (l *fakeLogins) ImportAIClient(context.Context, string) (ImportReport, error) {
	return ImportReport{Accounts: []ImportedAccount{{Name: "a", Outcome: "imported"}}}, nil
}
func (l *fakeLogins) AddToken(context.Context, string, string) (store.Account, error) {
	return store.Account{}, errors.New("not a Kiro token")
}

func TestLoginFlowsReportHowTheyEnd(t *testing.T) {
	a, rt, _ := startApp(t)
	_, err := a.StartDeviceLogin(DeviceOptions{})
	assert.ErrorIs(t, err, ErrNoLogins, "without a service the window says so")

	f := &fakeFlow{done: make(chan struct{})}
	a.SetLogins(&fakeLogins{flow: f})
	dl, err := a.StartDeviceLogin(DeviceOptions{Label: "me"})
	require.NoError(t, err)
	assert.Equal(t, "ABCD-EFGH", dl.UserCode)
	require.NoError(t, a.CancelLogin(dl.FlowID))
	require.Eventually(t, func() bool { return len(rt.loginEvents()) == 1 }, 2*time.Second, 5*time.Millisecond)
	ev := rt.loginEvents()[0]
	assert.Equal(t, LoginEvent{FlowID: dl.FlowID, Error: "context canceled", Cancels: true}, ev)
	assert.NoError(t, a.CancelLogin(dl.FlowID), "cancelling an ended flow is harmless")

	f2 := &fakeFlow{done: make(chan struct{})}
	a.SetLogins(&fakeLogins{flow: f2})
	sl, err := a.StartSocialLogin("github", "")
	require.NoError(t, err)
	require.NoError(t, a.CompleteSocialLogin(sl.FlowID, "http://127.0.0.1/cb?code=1"))
	require.Eventually(t, func() bool { return len(rt.loginEvents()) == 2 }, 2*time.Second, 5*time.Millisecond)
	assert.Equal(t, LoginEvent{FlowID: sl.FlowID, OK: true, Label: "gh"}, rt.loginEvents()[1])
	assert.Error(t, a.CompleteSocialLogin(sl.FlowID, "x"), "an ended flow cannot be completed")

	label, err := a.ImportKiroIDE("", "")
	require.NoError(t, err)
	assert.Equal(t, "ide", label)
	_, err = a.AddToken("junk", "")
	assert.EqualError(t, err, "not a Kiro token")
}
func (l *fakeLogins) DeletePlaintext(context.Context, string, []string) ([]string, error) {
	return nil, nil
}
