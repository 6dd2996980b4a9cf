package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/app/trayproto"
	"kirodesk/internal/autostart"
	"kirodesk/internal/core"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/uitext"
)

const testSum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// releaseFeed serves a release feed on this machine; status 0 is a valid
// feed of version, anything else that status.
func releaseFeed(t *testing.T, version string, status *atomic.Int32) (url string, hits *atomic.Int32) {
	t.Helper()
	hits = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		if s := status.Load(); s != 0 {
			http.Error(w, "no", int(s))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"version":%q,"date":"2026-12-07","notes":"Faster start.","page":"/releases/tag/v%s",`+
			`"packages":{"deb":{"url":"kirodesk_%s_amd64.deb","sha256":%q}}}`, version, version, version, testSum)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/kirodesk-feed.json", hits
}

// startVersion starts the app as version with the update settings given
// in config.json before start-up, as a person's saved settings are.
func startVersion(t *testing.T, version string, updates store.Updates, opts Options) (*App, *recorder) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	require.NoError(t, st.Config.Update(context.Background(), func(c *store.Config) error { c.Updates = updates; return nil }))
	require.NoError(t, st.Close(context.Background()))

	opts.Version = version
	opts.Autostart = autostart.Manager{ConfigHome: t.TempDir()}
	a := New(opts)
	rt := &recorder{}
	port := 0
	require.NoError(t, a.Startup(rt, func() (*core.Core, error) {
		return core.Open(context.Background(), core.Options{ConfigDir: dir, Secrets: secrets.NewMemory(), Port: &port})
	}))
	t.Cleanup(a.Shutdown)
	return a, rt
}

func (r *recorder) updateEvents() []UpdateInfo { return eventsNamed[UpdateInfo](r, EventUpdate) }

func TestCheckForUpdatesTellsTheWindowAndTheTrayAndOpensOnlyTheReleasePage(t *testing.T) {
	var status atomic.Int32
	feed, _ := releaseFeed(t, "0.2.0", &status)
	a, rt := startVersion(t, "0.1.0", store.Updates{Check: false, FeedURL: feed}, Options{UpdateTick: -1})

	info, err := a.UpdateStatus()
	require.NoError(t, err)
	assert.Equal(t, UpdateUnknown, info.State)
	assert.Nil(t, a.trayState().Update)

	info, err = a.CheckForUpdates()
	require.NoError(t, err)
	page := feed[:len(feed)-len("/kirodesk-feed.json")] + "/releases/tag/v0.2.0"
	assert.Equal(t, UpdateInfo{State: UpdateAvailable, Current: "0.1.0", Version: "0.2.0", Date: "2026-12-07",
		Notes: "Faster start.", Page: page, CheckedAt: info.CheckedAt, Available: true}, info)
	assert.NotEmpty(t, info.CheckedAt)
	assert.Equal(t, []UpdateInfo{info}, rt.updateEvents())
	assert.Equal(t, &trayproto.Update{Version: "0.2.0"}, a.trayState().Update)

	a.onTrayClick(trayproto.ItemUpdate)
	rt.mu.Lock()
	assert.Equal(t, []string{page}, rt.opened, "the tray line opens the release page, nothing is downloaded")
	rt.mu.Unlock()

	// Dismissed per version: the window's notice goes, the tray line stays.
	info, err = a.DismissUpdate("0.2.0")
	require.NoError(t, err)
	assert.True(t, info.Dismissed)
	assert.NotNil(t, a.trayState().Update)
	again, err := a.UpdateStatus()
	require.NoError(t, err)
	assert.True(t, again.Dismissed)

	// A check that cannot tell is quiet: a state, not an error.
	status.Store(http.StatusBadGateway)
	info, err = a.CheckForUpdates()
	require.NoError(t, err)
	assert.Equal(t, UpdateFailed, info.State)
	assert.True(t, info.Available, "what was read before still stands")
	assert.Equal(t, "0.2.0", info.Version)
	assert.NotNil(t, a.trayState().Update)
}

func TestCheckForUpdatesOnTheNewestVersionSaysSo(t *testing.T) {
	var status atomic.Int32
	feed, _ := releaseFeed(t, "0.2.0", &status)
	a, _ := startVersion(t, "0.2.0", store.Updates{Check: true, FeedURL: feed}, Options{UpdateTick: -1})
	info, err := a.CheckForUpdates()
	require.NoError(t, err)
	assert.Equal(t, UpdateCurrent, info.State)
	assert.False(t, info.Available)
	assert.Nil(t, a.trayState().Update)
}

func TestTheDailyCheckRunsWhenOnAndTellsTheWindow(t *testing.T) {
	var status atomic.Int32
	feed, hits := releaseFeed(t, "0.2.0", &status)
	_, rt := startVersion(t, "0.1.0", store.Updates{Check: true, FeedURL: feed},
		Options{UpdateDelay: time.Millisecond, UpdateTick: 10 * time.Millisecond})
	require.Eventually(t, func() bool { return len(rt.updateEvents()) == 1 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, UpdateAvailable, rt.updateEvents()[0].State)
	time.Sleep(100 * time.Millisecond)
	assert.EqualValues(t, 1, hits.Load(), "once a day, not once a tick")

	// Turned off: the automatic check asks nobody.
	var status2 atomic.Int32
	feed2, hits2 := releaseFeed(t, "0.2.0", &status2)
	startVersion(t, "0.1.0", store.Updates{Check: false, FeedURL: feed2},
		Options{UpdateDelay: time.Millisecond, UpdateTick: 10 * time.Millisecond})
	time.Sleep(150 * time.Millisecond)
	assert.Zero(t, hits2.Load())
}

func TestUpdateSettingsAreSavedAndChecked(t *testing.T) {
	a, _, _ := startApp(t)
	s, err := a.Settings()
	require.NoError(t, err)
	assert.True(t, s.UpdateCheck)
	assert.Equal(t, store.DefaultFeedURL, s.UpdateFeedURL)
	off, feed := false, "http://127.0.0.1:9/feed.json"
	s, err = a.UpdateSettings(SettingsPatch{UpdateCheck: &off, UpdateFeedURL: &feed})
	require.NoError(t, err)
	assert.False(t, s.UpdateCheck)
	assert.Equal(t, feed, s.UpdateFeedURL)
	bad := "http://example.com/feed.json"
	_, err = a.UpdateSettings(SettingsPatch{UpdateFeedURL: &bad})
	assert.ErrorContains(t, err, "updates.feedURL")
	// The window gets the refusal with its code, to say it in its language.
	assert.Equal(t, map[string]any{"message": err.Error(), "texts": []uitext.Text{{Code: "config.webUrl.https",
		Args: map[string]string{"field": "updates.feedURL", "value": `"http://example.com/feed.json"`},
		Text: `updates.feedURL "http://example.com/feed.json": only https is accepted (http only to this machine)`}}}, uitext.ForWindow(err))
	assert.Equal(t, store.DefaultFeedURL, s.UpdateFeedURLDefault)
	assert.Empty(t, s.UpdateFeedURLEnv)
}

func TestTheEnvironmentsFeedURLWinsForThisProcess(t *testing.T) {
	var status atomic.Int32
	feed, hits := releaseFeed(t, "0.2.0", &status)
	t.Setenv(store.EnvFeedURL, feed)
	a, _ := startVersion(t, "0.1.0", store.DefaultUpdates(), Options{UpdateTick: -1})
	info, err := a.CheckForUpdates()
	require.NoError(t, err)
	assert.Equal(t, UpdateAvailable, info.State)
	assert.EqualValues(t, 1, hits.Load())
	s, err := a.Settings()
	require.NoError(t, err)
	assert.Equal(t, store.DefaultFeedURL, s.UpdateFeedURL, "never saved")
	assert.Equal(t, feed, s.UpdateFeedURLEnv, "the window says which feed this process reads")
}
