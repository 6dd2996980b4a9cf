package store

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUpdatesDefaultsAndFeedURLRule(t *testing.T) {
	c := NewConfig()
	assert.Equal(t, Updates{Check: true, FeedURL: DefaultFeedURL}, c.Updates)
	require.NoError(t, CheckConfig(c))

	for _, ok := range []string{"https://example.com/feed.json", "http://127.0.0.1:8080/feed.json", "http://localhost/f", "http://[::1]:9/f"} {
		c.Updates.FeedURL = ok
		assert.NoError(t, CheckConfig(c), ok)
	}
	for _, bad := range []string{"", "feed.json", "http://example.com/feed.json", "ftp://example.com/f",
		"https://user:pw@example.com/f", "https:///nohost"} {
		c.Updates.FeedURL = bad
		err := CheckConfig(c)
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "updates.feedURL")
		assert.NotContains(t, err.Error(), "pw@", "a password never reaches a message")
	}
}

func TestUpdatesKeyIsReadAndAnOldConfigGetsTheDefaults(t *testing.T) {
	dir := t.TempDir()
	// A config.json from before the key existed.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"version":1,"host":"127.0.0.1","port":8990}`), 0o600))
	s := openT(t, dir)
	assert.Equal(t, DefaultUpdates(), s.Config.Snapshot().Updates)
	require.NoError(t, s.Config.Update(context.Background(), func(c *Config) error {
		c.Updates = Updates{Check: false, FeedURL: "http://127.0.0.1:1/feed.json"}
		return nil
	}))
	require.NoError(t, s.Close(context.Background()))
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, map[string]any{"check": false, "feedURL": "http://127.0.0.1:1/feed.json"}, doc["updates"])
	s = openT(t, dir)
	assert.False(t, s.Config.Snapshot().Updates.Check)
}

func TestUpdateCheckSurvivesReopenAndADamagedOneIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	require.NoError(t, s.UpdateCheck.Update(context.Background(), func(u *UpdateCheck) error {
		u.FeedURL, u.Feed, u.ETag, u.Dismissed = "https://example.com/f", json.RawMessage(`{"version":"1.0.0"}`), `"abc"`, "1.0.0"
		return nil
	}))
	require.NoError(t, s.Close(context.Background()))
	s = openT(t, dir)
	got := s.UpdateCheck.Snapshot()
	assert.JSONEq(t, `{"version":"1.0.0"}`, string(got.Feed))
	assert.Equal(t, "1.0.0", got.Dismissed)
	require.NoError(t, s.Close(context.Background()))

	path := filepath.Join(dir, UpdateCheckName)
	require.NoError(t, os.WriteFile(path, []byte(`{"version":1,"feed":`), 0o600))
	require.NoError(t, os.Remove(path+".bak"))
	s = openT(t, dir)
	assert.Empty(t, s.UpdateCheck.Snapshot().Feed)
	notices := strings.Join(s.Notices(), "\n")
	assert.Contains(t, notices, UpdateCheckName+" was damaged")
	matches, _ := filepath.Glob(path + ".corrupt-*")
	assert.Len(t, matches, 1)
}

func TestUpdateCheckRefusesWhatItCannotUse(t *testing.T) {
	u := NewUpdateCheck()
	require.NoError(t, CheckUpdateCheck(u))
	u.Feed = json.RawMessage(`{"version":"1.0.0"}`)
	assert.ErrorContains(t, CheckUpdateCheck(u), "feedURL")
	u.FeedURL = "https://example.com/f"
	u.ETag = "a\nb"
	assert.ErrorContains(t, CheckUpdateCheck(u), "etag")
}

func TestUpdatesWithEnv(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	u, err := DefaultUpdates().WithEnv(getenv)
	require.NoError(t, err)
	assert.Equal(t, DefaultFeedURL, u.FeedURL)
	env[EnvFeedURL] = "http://127.0.0.1:9/f.json"
	u, err = DefaultUpdates().WithEnv(getenv)
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9/f.json", u.FeedURL)
	env[EnvFeedURL] = "http://example.com/f.json"
	_, err = DefaultUpdates().WithEnv(getenv)
	assert.ErrorContains(t, err, EnvFeedURL)
}
