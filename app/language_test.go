package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/autostart"
	"kirodesk/internal/core"
	"kirodesk/internal/locale"
	"kirodesk/internal/secrets"
)

// startAppIn starts an App on dir whose system speaks system.
func startAppIn(t *testing.T, dir string, system ...string) (*App, *recorder) {
	t.Helper()
	port := 0
	a := New(Options{Version: "v-test", Autostart: autostart.Manager{ConfigHome: t.TempDir()},
		SystemLanguages: func() []string { return system }})
	rt := &recorder{}
	require.NoError(t, a.Startup(rt, func() (*core.Core, error) {
		return core.Open(context.Background(), core.Options{ConfigDir: dir, Secrets: secrets.NewMemory(), Port: &port})
	}))
	t.Cleanup(a.Shutdown)
	return a, rt
}

func (r *recorder) languageEvents() []LanguageState {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []LanguageState
	for _, e := range r.named[EventLanguage] {
		out = append(out, e.(LanguageState))
	}
	return out
}

func TestLanguageFollowsTheSystemUntilSet(t *testing.T) {
	for _, tc := range []struct {
		system []string
		want   locale.Lang
	}{
		{[]string{"zh_CN.UTF-8"}, locale.Chinese},
		{[]string{"en_US.UTF-8"}, locale.English},
		{[]string{"fr_FR.UTF-8"}, locale.English},
		{nil, locale.English},
	} {
		a, _ := startAppIn(t, t.TempDir(), tc.system...)
		st, err := a.Language()
		require.NoError(t, err)
		assert.Equal(t, LanguageState{Preference: locale.PreferSystem, Effective: tc.want}, st, "%q", tc.system)
	}
}

func TestSetLanguageSavesEmitsAndIsKept(t *testing.T) {
	dir := t.TempDir()
	a, rt := startAppIn(t, dir, "en_US.UTF-8")

	st, err := a.SetLanguage("zh-CN")
	require.NoError(t, err)
	assert.Equal(t, LanguageState{Preference: locale.PreferChinese, Effective: locale.Chinese}, st)
	assert.Equal(t, []LanguageState{st}, rt.languageEvents())
	assert.Equal(t, "zh-CN", a.trayState().Language, "the tray is told the effective language")
	got, err := a.Language()
	require.NoError(t, err)
	assert.Equal(t, st, got)
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"language": "zh-CN"`)

	// Back to the system's (English here).
	st, err = a.SetLanguage("system")
	require.NoError(t, err)
	assert.Equal(t, LanguageState{Preference: locale.PreferSystem, Effective: locale.English}, st)
	assert.Len(t, rt.languageEvents(), 2)
	assert.Equal(t, "en", a.trayState().Language)

	// Refused as a whole, with the config check's message, and nothing sent.
	_, err = a.SetLanguage("fr")
	assert.ErrorContains(t, err, `language "fr" is not system, en or zh-CN`)
	assert.Len(t, rt.languageEvents(), 2)
	got, _ = a.Language()
	assert.Equal(t, locale.PreferSystem, got.Preference)
}

func TestLanguageIsReadBackAfterARestart(t *testing.T) {
	dir := t.TempDir()
	a, _ := startAppIn(t, dir, "zh_CN.UTF-8")
	_, err := a.SetLanguage("en")
	require.NoError(t, err)
	a.Shutdown()

	b, _ := startAppIn(t, dir, "zh_CN.UTF-8")
	st, err := b.Language()
	require.NoError(t, err)
	assert.Equal(t, LanguageState{Preference: locale.PreferEnglish, Effective: locale.English}, st)
}

// Before the core opens, the window still gets a language: the system's.
func TestLanguageBeforeStartupIsTheSystems(t *testing.T) {
	a := New(Options{SystemLanguages: func() []string { return []string{"zh-Hans-CN"} }})
	st, err := a.Language()
	require.NoError(t, err)
	assert.Equal(t, LanguageState{Preference: locale.PreferSystem, Effective: locale.Chinese}, st)
	_, err = a.SetLanguage("en")
	assert.ErrorIs(t, err, ErrNotReady)
}
