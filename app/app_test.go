package app

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wailsapp/wails/v2/pkg/options"

	"kirodesk/app/trayproto"
	"kirodesk/internal/autostart"
	"kirodesk/internal/cli"
	"kirodesk/internal/core"
	"kirodesk/internal/secrets"
	"kirodesk/internal/uitext"
)

// recorder is Runtime for tests: it remembers what the app asked of the window.
type recorder struct {
	mu        sync.Mutex
	events    []any
	clipboard string
	dialogs   []string
	shown     int
	hidden    int
	quits     int
	named     map[string][]any // every event but status, by name
	opened    []string         // URLs sent to the browser
	savePath  string           // what the save dialog answers
}

func (r *recorder) EventsEmit(name string, data ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == EventStatus {
		r.events = append(r.events, data[0])
		return
	}
	if r.named == nil {
		r.named = map[string][]any{}
	}
	r.named[name] = append(r.named[name], data[0])
}

func (r *recorder) loginEvents() []LoginEvent { return eventsNamed[LoginEvent](r, EventLogin) }

// eventsNamed is the payloads of the events named name that r received,
// in order.
func eventsNamed[T any](r *recorder, name string) []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []T
	for _, e := range r.named[name] {
		out = append(out, e.(T))
	}
	return out
}
func (r *recorder) ClipboardSetText(text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clipboard = text
	return nil
}
func (r *recorder) ShowWindow() { r.mu.Lock(); r.shown++; r.mu.Unlock() }
func (r *recorder) BrowserOpenURL(u string) {
	r.mu.Lock()
	r.opened = append(r.opened, u)
	r.mu.Unlock()
}
func (r *recorder) SaveFileDialog(_, _ string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.savePath, nil
}
func (r *recorder) HideWindow() { r.mu.Lock(); r.hidden++; r.mu.Unlock() }
func (r *recorder) Quit()       { r.mu.Lock(); r.quits++; r.mu.Unlock() }
func (r *recorder) ErrorDialog(title, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dialogs = append(r.dialogs, title+": "+msg)
}

func (r *recorder) lastStatus() (Status, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) == 0 {
		return Status{}, false
	}
	return r.events[len(r.events)-1].(Status), true
}

func startApp(t *testing.T) (*App, *recorder, string) {
	t.Helper()
	dir := t.TempDir()
	port := 0
	// An English system, whatever the machine's: tests read English text.
	a := New(Options{Version: "v-test", Autostart: autostart.Manager{ConfigHome: t.TempDir()},
		SystemLanguages: func() []string { return nil }})
	rt := &recorder{}
	err := a.Startup(rt, func() (*core.Core, error) {
		return core.Open(context.Background(), core.Options{ConfigDir: dir, Secrets: secrets.NewMemory(), Port: &port})
	})
	require.NoError(t, err)
	t.Cleanup(a.Shutdown)
	return a, rt, dir
}

func TestStartupOpensTheProxyAndReportsStatus(t *testing.T) {
	a, rt, dir := startApp(t)
	st, err := a.Status()
	require.NoError(t, err)
	assert.True(t, st.ProxyOn)
	assert.Equal(t, "v-test", st.Version)
	assert.Equal(t, dir, st.ConfigDir)
	assert.Zero(t, st.Accounts)
	assert.NotNil(t, st.Warnings, "the frontend gets [] rather than null")
	resp, err := http.Get(st.Endpoint + "/health")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	require.Eventually(t, func() bool { s, ok := rt.lastStatus(); return ok && s.ProxyOn }, 2*time.Second, 10*time.Millisecond)
}

func TestToggleClosesThePortAndEmitsStatus(t *testing.T) {
	a, rt, _ := startApp(t)
	before, _ := a.Status()
	st, err := a.SetProxyEnabled(false)
	require.NoError(t, err)
	assert.False(t, st.ProxyOn)
	_, err = http.Get(before.Endpoint + "/health")
	assert.Error(t, err)
	require.Eventually(t, func() bool { s, ok := rt.lastStatus(); return ok && !s.ProxyOn }, 2*time.Second, 10*time.Millisecond)

	st, err = a.SetProxyEnabled(true)
	require.NoError(t, err)
	assert.True(t, st.ProxyOn)
}

func TestAPIKeyAndClipboard(t *testing.T) {
	a, rt, _ := startApp(t)
	key, err := a.APIKey()
	require.NoError(t, err)
	assert.Regexp(t, `^kd-[A-Za-z0-9_-]{43}$`, key)
	require.NoError(t, a.CopyToClipboard(key))
	assert.Equal(t, key, rt.clipboard)
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, ev := range rt.events {
		assert.NotContains(t, ev.(Status).Endpoint+ev.(Status).Error, key, "the key never travels in an event")
	}
}

func TestFailedStartIsShownAndMethodsSayWhy(t *testing.T) {
	a := New(Options{Version: "v"})
	rt := &recorder{}
	boom := errors.New("another Kirodesk is already running")
	require.ErrorIs(t, a.Startup(rt, func() (*core.Core, error) { return nil, boom }), boom)
	require.Len(t, rt.dialogs, 1)
	assert.Contains(t, rt.dialogs[0], "already running")
	_, err := a.Status()
	assert.ErrorIs(t, err, boom)
	_, err = a.SetProxyEnabled(true)
	assert.ErrorIs(t, err, boom)
	a.Shutdown() // nothing to close, must not panic
}

func TestMethodsBeforeStartup(t *testing.T) {
	a := New(Options{Version: "v"})
	_, err := a.Status()
	assert.ErrorIs(t, err, ErrNotReady)
	assert.ErrorIs(t, a.CopyToClipboard("x"), ErrNotReady)
	// The window says it in its language.
	assert.Equal(t, map[string]any{"message": "Kirodesk is still starting",
		"texts": []uitext.Text{{Code: "app.notReady", Text: "Kirodesk is still starting"}}}, uitext.ForWindow(err))
}

// The hook Run registers with Wails' single-instance lock (not a copy of
// it) brings the running window up when Kirodesk is launched again, and the
// lock is per config folder: another folder is another app.
func TestSecondLaunchShowsTheWindow(t *testing.T) {
	a, rt, dir := startApp(t)
	o := appOptions(t.Context(), a, newWebKeeper(time.Hour, func() {}, func() {}), fstest.MapFS{}, cli.DesktopOptions{ConfigDir: dir})
	require.NotNil(t, o.SingleInstanceLock)
	require.NotNil(t, o.SingleInstanceLock.OnSecondInstanceLaunch)
	shown := func() int { rt.mu.Lock(); defer rt.mu.Unlock(); return rt.shown }
	require.Zero(t, shown())

	o.SingleInstanceLock.OnSecondInstanceLaunch(options.SecondInstanceData{Args: []string{"--config-dir", dir}})
	assert.Equal(t, 1, shown(), "a second launch shows the running window")
	o.SingleInstanceLock.OnSecondInstanceLaunch(options.SecondInstanceData{})
	assert.Equal(t, 2, shown(), "every further launch does too")

	same := appOptions(t.Context(), a, newWebKeeper(time.Hour, func() {}, func() {}), fstest.MapFS{}, cli.DesktopOptions{ConfigDir: dir})
	other := appOptions(t.Context(), a, newWebKeeper(time.Hour, func() {}, func() {}), fstest.MapFS{}, cli.DesktopOptions{ConfigDir: t.TempDir()})
	assert.Equal(t, o.SingleInstanceLock.UniqueId, same.SingleInstanceLock.UniqueId, "the same folder is the same instance")
	assert.NotEqual(t, o.SingleInstanceLock.UniqueId, other.SingleInstanceLock.UniqueId, "another folder runs beside it")

	// Closing the window goes through the same App: no tray, so it quits.
	require.NotNil(t, o.OnBeforeClose)
	assert.False(t, o.OnBeforeClose(t.Context()), "without a tray closing the window quits")
	a.trayUp.Store(true)
	assert.True(t, o.OnBeforeClose(t.Context()), "with a tray it only hides")
}

func TestTrayClicksUseTheSameMethodsAsTheWindow(t *testing.T) {
	a, rt, _ := startApp(t)
	st, _ := a.Status()

	a.onTrayClick(trayproto.ItemCopyEndpoint)
	rt.mu.Lock()
	assert.Equal(t, st.Endpoint, rt.clipboard)
	rt.mu.Unlock()

	a.onTrayClick(trayproto.ItemOpen)
	assert.Equal(t, 1, rt.shown)

	a.onTrayClick(trayproto.ItemToggleProxy)
	require.Eventually(t, func() bool { s, _ := a.Status(); return !s.ProxyOn }, 5*time.Second, 10*time.Millisecond)
	a.onTrayClick(trayproto.ItemToggleProxy)
	require.Eventually(t, func() bool { s, _ := a.Status(); return s.ProxyOn }, 5*time.Second, 10*time.Millisecond)

	a.onTrayClick(trayproto.ItemStartAtLogin)
	require.Eventually(t, func() bool { return a.trayState().StartAtLogin }, 5*time.Second, 10*time.Millisecond)
	a.onTrayClick(trayproto.ItemStartAtLogin)
	require.Eventually(t, func() bool { return !a.trayState().StartAtLogin }, 5*time.Second, 10*time.Millisecond)

	a.onTrayClick("something-newer")
	a.onTrayClick(trayproto.ItemQuit)
	require.Eventually(t, func() bool { rt.mu.Lock(); defer rt.mu.Unlock(); return rt.quits == 1 }, 5*time.Second, 10*time.Millisecond)
	assert.False(t, a.beforeClose(), "quitting closes for real")
}

func TestClosingHidesOnlyWhenATrayCanBringTheWindowBack(t *testing.T) {
	a, rt, _ := startApp(t)
	assert.False(t, a.beforeClose(), "no tray: closing the window quits")
	a.trayUp.Store(true)
	assert.True(t, a.beforeClose(), "with a tray the window only hides")
	assert.Equal(t, 1, rt.hidden)
}

func TestStartAtLoginEntryOpensTheSameFolderHidden(t *testing.T) {
	home := t.TempDir()
	a := New(Options{Autostart: autostart.Manager{ConfigHome: home}, ExtraArgs: []string{"--config-dir", "/tmp/x y"}})
	require.NoError(t, a.setStartAtLogin(true))
	b, err := os.ReadFile(filepath.Join(home, "autostart", "kirodesk.desktop"))
	require.NoError(t, err)
	assert.Contains(t, string(b), ` --hidden --config-dir "/tmp/x y"`)
}

func TestVersionIsKnownEvenWhenTheCoreIsNot(t *testing.T) {
	// The About box must show the version even when start-up failed.
	a := New(Options{Version: "1.2.3"})
	assert.Equal(t, "1.2.3", a.Version())
	st, _ := a.Status()
	assert.Equal(t, "1.2.3", st.Version)
}
