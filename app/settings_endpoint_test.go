package app

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/store"
)

// The settings window is one way in for the upstream URLs: a hostile one
// is refused with the field named, is not in effect and is not on disk;
// a loopback one (a local debugging proxy) is taken.
func TestHostileUpstreamURLFromTheSettingsWindowIsRefused(t *testing.T) {
	a, _, dir := startApp(t)
	hostile := []struct {
		field string
		patch func(string) SettingsPatch
		value string
	}{
		{"upstream.apiBase", func(v string) SettingsPatch { return SettingsPatch{APIBase: &v} }, "http://x.attacker.example"},
		{"upstream.apiBase", func(v string) SettingsPatch { return SettingsPatch{APIBase: &v} }, "https://q.{region}.x.attacker.example#"},
		{"upstream.authBase", func(v string) SettingsPatch { return SettingsPatch{AuthBase: &v} }, "https://me:pw@x.attacker.example"},
		{"upstream.oidcBase", func(v string) SettingsPatch { return SettingsPatch{OIDCBase: &v} }, "https://oidc.{region}.x.attacker.example/?to=x"},
	}
	for _, h := range hostile {
		_, err := a.UpdateSettings(h.patch(h.value))
		require.Error(t, err, h.value)
		assert.Contains(t, err.Error(), h.field, h.value)
	}
	s, err := a.Settings()
	require.NoError(t, err)
	d := store.DefaultUpstream()
	assert.Equal(t, UpstreamURLs{APIBase: d.APIBase, AuthBase: d.AuthBase, OIDCBase: d.OIDCBase}, s.Upstream, "nothing refused is in effect")
	if b, err := os.ReadFile(filepath.Join(dir, "config.json")); err == nil {
		assert.NotContains(t, string(b), "attacker", "nothing refused is on disk")
	}

	local := "http://127.0.0.1:9"
	s, err = a.UpdateSettings(SettingsPatch{APIBase: &local})
	require.NoError(t, err)
	assert.Equal(t, local, s.Upstream.APIBase)
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	assert.Contains(t, string(b), local)
}
