package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/app/trayproto"
	"kirodesk/internal/autostart"
	"kirodesk/internal/core"
	"kirodesk/internal/locale"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/uitext"
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
	return eventsNamed[LanguageState](r, EventLanguage)
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

// Every notification the app shows, and the window's tray notice, in
// Chinese under zh-CN (the D-Bus path is TestNotificationsOverDBusSpeakTheLanguage).
func TestNotificationsAndNoticesInChinese(t *testing.T) {
	a, _ := startAppIn(t, t.TempDir(), "zh-Hans-CN")
	assert.Equal(t, []string{"Kirodesk：登录验证码已就绪 | 请在 https://device.example 输入 ABCD-EFGH"}, deviceCodeNotices(t, a))

	assert.Equal(t, "已用 93%", quotaNote(a.lang(), &store.Quota{Used: 93.4, Limit: 100}))
	assert.Equal(t, "93% used", quotaNote(locale.English, &store.Quota{Used: 93.4, Limit: 100}))
	assert.Empty(t, quotaNote(a.lang(), &store.Quota{}), "no limit known: no note")

	// The tray notice is kept as an ID and read in the language of the moment.
	a.noTray("NoTrayProgram")
	st, err := a.Status()
	require.NoError(t, err)
	assert.Contains(t, uitext.Strings(st.Warnings), "未在 Kirodesk 所在的文件夹中找到托盘程序，因此没有托盘图标：关闭此窗口将退出 Kirodesk。")
	_, err = a.SetLanguage("en")
	require.NoError(t, err)
	st, _ = a.Status()
	assert.Contains(t, uitext.Strings(st.Warnings), "Kirodesk's tray program was not found next to it, so there is no tray icon: closing this window quits Kirodesk.")
}

// A core that cannot open: the dialog's title is in the system's language.
func TestStartFailureDialogInTheSystemsLanguage(t *testing.T) {
	a := New(Options{SystemLanguages: func() []string { return []string{"zh_CN.UTF-8"} }})
	rt := &recorder{}
	require.Error(t, a.Startup(rt, func() (*core.Core, error) { return nil, errors.New("another Kirodesk is already running") }))
	assert.Equal(t, []string{"Kirodesk 无法启动: another Kirodesk is already running"}, rt.dialogs)
}

// SetLanguage reaches a running tray process over the tray link at once:
// the State it gets names the new language (the tray relabels from it;
// TestTrayOverDBusSpeaksTheLanguageAndSwitchesLive in app/tray).
func TestSetLanguageReachesTheTrayOverTheLink(t *testing.T) {
	f := startFakeTray(t, context.Background(), "", nil)
	f.hello()
	port := 0
	a := New(Options{Autostart: autostart.Manager{ConfigHome: t.TempDir()},
		SystemLanguages: func() []string { return []string{"en_US.UTF-8"} }})
	a.tray.Store(f.link)
	dir := t.TempDir()
	require.NoError(t, a.Startup(&recorder{}, func() (*core.Core, error) {
		return core.Open(context.Background(), core.Options{ConfigDir: dir, Secrets: secrets.NewMemory(), Port: &port})
	}))
	t.Cleanup(a.Shutdown)

	echoUntil := func(lang string) trayproto.State {
		t.Helper()
		for {
			if s := f.echo(); s.Language == lang {
				return s
			}
		}
	}
	_, err := a.SetLanguage("zh-CN")
	require.NoError(t, err)
	s := echoUntil("zh-CN")
	assert.True(t, s.ProxyOn, "a whole State, not just the language")
	_, err = a.SetLanguage("system")
	require.NoError(t, err)
	echoUntil("en")
}
