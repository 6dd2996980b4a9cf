package main

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/app/i18n"
	"kirodesk/app/trayproto"
	"kirodesk/internal/locale"
)

var englishLabels = Labels{
	Proxy: "Proxy on", ProxyTip: "Turn the local proxy on or off",
	Copy: "Copy endpoint", CopyTip: "Copy the proxy's URL",
	Open: "Open Kirodesk", OpenTip: "Show the Kirodesk window",
	Login: "Start at login", LoginTip: "Start Kirodesk when you log in",
	Quit: "Quit", QuitTip: "Stop the proxy and quit Kirodesk",
}

var chineseLabels = Labels{
	Proxy: "开启代理", ProxyTip: "开启或关闭本地代理",
	Copy: "复制接口地址", CopyTip: "复制代理的 URL",
	Open: "打开 Kirodesk", OpenTip: "显示 Kirodesk 窗口",
	Login: "开机自动启动", LoginTip: "登录系统时自动启动 Kirodesk",
	Quit: "退出", QuitTip: "停止代理并退出 Kirodesk",
}

func TestViewOf(t *testing.T) {
	long := strings.Repeat("upstream refused the token ", 10)
	for _, tc := range []struct {
		name  string
		state trayproto.State
		want  View
	}{
		{
			name:  "on",
			state: trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990"},
			want: View{Status: "Proxy on — 127.0.0.1:8990", Tooltip: "Kirodesk: Proxy on — 127.0.0.1:8990", Icon: iconOn,
				ProxyChecked: true, ProxyEnabled: true, CopyEnabled: true, LoginEnabled: true},
		},
		{
			name:  "on, IPv6 endpoint with a path",
			state: trayproto.State{ProxyOn: true, Endpoint: "http://[::1]:8990/v1", StartAtLogin: true},
			want: View{Status: "Proxy on — [::1]:8990", Tooltip: "Kirodesk: Proxy on — [::1]:8990", Icon: iconOn,
				ProxyChecked: true, ProxyEnabled: true, CopyEnabled: true, LoginChecked: true, LoginEnabled: true},
		},
		{
			name:  "on, no endpoint yet",
			state: trayproto.State{ProxyOn: true},
			want: View{Status: "Proxy on", Tooltip: "Kirodesk: Proxy on", Icon: iconOn,
				ProxyChecked: true, ProxyEnabled: true, LoginEnabled: true},
		},
		{
			name:  "off",
			state: trayproto.State{StartAtLogin: true},
			want: View{Status: "Proxy off", Tooltip: "Kirodesk: Proxy off", Icon: iconOff,
				ProxyEnabled: true, LoginChecked: true, LoginEnabled: true},
		},
		{
			name:  "off, endpoint still known",
			state: trayproto.State{Endpoint: "http://127.0.0.1:8990"},
			want: View{Status: "Proxy off", Tooltip: "Kirodesk: Proxy off", Icon: iconOff,
				ProxyEnabled: true, CopyEnabled: true, LoginEnabled: true},
		},
		{
			name:  "error wins over on",
			state: trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", Error: "address already in use"},
			want: View{Status: "Error: address already in use", Tooltip: "Kirodesk: Error: address already in use", Icon: iconError,
				ProxyChecked: true, ProxyEnabled: true, CopyEnabled: true, LoginEnabled: true},
		},
		{
			name:  "multi-line error folded",
			state: trayproto.State{Error: "listen tcp:\n\tbind: permission denied\r\n"},
			want: View{Status: "Error: listen tcp: bind: permission denied", Tooltip: "Kirodesk: Error: listen tcp: bind: permission denied",
				Icon: iconError, ProxyEnabled: true, LoginEnabled: true},
		},
		{
			name:  "blank error is no error",
			state: trayproto.State{Error: " \n "},
			want:  View{Status: "Proxy off", Tooltip: "Kirodesk: Proxy off", Icon: iconOff, ProxyEnabled: true, LoginEnabled: true},
		},
		{
			name:  "long error clipped",
			state: trayproto.State{Error: long},
			want: View{Status: clip("Error: "+oneLine(long), maxStatusRunes), Tooltip: clip("Kirodesk: Error: "+oneLine(long), maxTooltipRunes),
				Icon: iconError, ProxyEnabled: true, LoginEnabled: true},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := viewOf(tc.state)
			tc.want.Labels = englishLabels
			assert.Equal(t, tc.want, got)
			assert.LessOrEqual(t, utf8.RuneCountInString(got.Status), maxStatusRunes)
			assert.Less(t, len(utf16.Encode([]rune(got.Tooltip))), 128, "Windows tooltip limit")
		})
	}
}

func TestStartingView(t *testing.T) {
	v := startingView(locale.English)
	assert.Equal(t, "Kirodesk is starting…", v.Status)
	assert.Equal(t, englishLabels, v.Labels)
	assert.Equal(t, "Kirodesk 正在启动…", startingView(locale.Chinese).Status)
	assert.Equal(t, iconOff, v.Icon)
	assert.False(t, v.ProxyEnabled, "nothing to toggle before the app said what is on")
	assert.False(t, v.LoginEnabled)
	assert.False(t, v.CopyEnabled)
	assert.NotEmpty(t, v.Status)
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven runes", 10, "eleven ru…"},
		{"ünïcödé ünïcödé", 8, "ünïcödé…"},
	} {
		assert.Equal(t, tc.want, clip(tc.in, tc.n), tc.in)
		assert.LessOrEqual(t, utf8.RuneCountInString(clip(tc.in, tc.n)), tc.n)
	}
}

func TestAccountsSectionAndLoginIcon(t *testing.T) {
	s := trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", Accounts: []trayproto.Account{
		{Label: "Work", State: "ready", Quota: "40% used"},
		{Label: "Spare", State: trayproto.StateLoginNeeded},
		{Label: "Old", State: trayproto.StateLoginNeeded, Disabled: true},
	}}
	v := viewOf(s)
	assert.Equal(t, []string{"Work — ready, 40% used", "Spare — login needed", "Old — disabled"}, v.Accounts)
	assert.Equal(t, iconLogin, v.Icon)
	assert.Equal(t, "Kirodesk: Proxy on — 127.0.0.1:8990; 1 account needs login", v.Tooltip)

	s.Accounts = s.Accounts[2:] // only a disabled one needs login: nothing to do
	assert.Equal(t, iconOn, viewOf(s).Icon)

	s.Error = "port in use" // an error outranks a login
	s.Accounts = []trayproto.Account{{Label: "Spare", State: trayproto.StateLoginNeeded}}
	assert.Equal(t, iconError, viewOf(s).Icon)

	var many []trayproto.Account
	for i := range 8 {
		many = append(many, trayproto.Account{Label: strings.Repeat("x", 40) + string(rune('A'+i)), State: "cooling"})
	}
	lines := viewOf(trayproto.State{Accounts: many}).Accounts
	require.Len(t, lines, accountSlots)
	assert.Equal(t, "+4 more accounts (Open Kirodesk)", lines[accountSlots-1])
	assert.Equal(t, strings.Repeat("x", 31)+"… — cooling", lines[0])
}

func TestUsageLine(t *testing.T) {
	left := func(f float64) *float64 { return &f }
	for _, c := range []struct {
		today *trayproto.Today
		want  string
	}{
		{nil, ""},
		{&trayproto.Today{}, "Today: 0 requests"},
		{&trayproto.Today{Requests: 1, Account: "Work"}, "Today: 1 request"},
		{&trayproto.Today{Requests: 1234, Account: "Work", CreditsLeft: left(388)}, "Today: 1234 requests · Work: 388 credits left"},
		{&trayproto.Today{Requests: 2, Account: "Home", CreditsLeft: left(1)}, "Today: 2 requests · Home: 1 credit left"},
		{&trayproto.Today{Requests: 2, Account: "Home", CreditsLeft: left(-3)}, "Today: 2 requests · Home: 0 credits left"},
		{&trayproto.Today{Requests: 2, Account: "a\nvery long account label that goes on and on", CreditsLeft: left(5)},
			"Today: 2 requests · a very long account label that…: 5 credits left"},
	} {
		assert.Equal(t, c.want, viewOf(trayproto.State{Today: c.today}).Usage)
	}
}

// The same states in Chinese: every line of the menu comes from the tray's
// catalog in the State's language.
func TestViewInChinese(t *testing.T) {
	zh := func(s trayproto.State) View { s.Language = "zh-CN"; return viewOf(s) }
	v := zh(trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", Accounts: []trayproto.Account{
		{Label: "Work", State: "ready", Quota: "已用 40%"},
		{Label: "Spare", State: trayproto.StateLoginNeeded},
		{Label: "Old", State: "cooling", Disabled: true},
		{Label: "New", State: "some_future_state"},
	}, Today: &trayproto.Today{Requests: 12, Account: "Work", CreditsLeft: new(388.5)}})
	assert.Equal(t, chineseLabels, v.Labels)
	assert.Equal(t, "代理已开启 — 127.0.0.1:8990", v.Status)
	assert.Equal(t, "Kirodesk：代理已开启 — 127.0.0.1:8990；1 个账号需要重新登录", v.Tooltip)
	assert.Equal(t, []string{"Work — 可用，已用 40%", "Spare — 需要重新登录", "Old — 已禁用", "New — some future state"}, v.Accounts)
	assert.Equal(t, "今天：12 次请求 · Work：剩余额度 388.5", v.Usage)

	assert.Equal(t, "代理已关闭", zh(trayproto.State{}).Status)
	assert.Equal(t, "错误：address in use", zh(trayproto.State{Error: "address in use"}).Status)
	assert.Equal(t, "代理已开启", zh(trayproto.State{ProxyOn: true}).Status)
	assert.Equal(t, "今天：1 次请求", zh(trayproto.State{Today: &trayproto.Today{Requests: 1}}).Usage)

	var many []trayproto.Account
	for range 7 {
		many = append(many, trayproto.Account{Label: "x", State: "exhausted"})
	}
	lines := zh(trayproto.State{Accounts: many}).Accounts
	assert.Equal(t, "x — 额度已用完", lines[0])
	assert.Equal(t, "另有 3 个账号（打开 Kirodesk 查看）", lines[accountSlots-1])

	// A language the tray has no catalog for (a newer app) is English.
	assert.Equal(t, englishLabels, viewOf(trayproto.State{Language: "fr"}).Labels)
}

func TestLangOf(t *testing.T) {
	assert.Equal(t, locale.Chinese, langOf(trayproto.State{Language: "zh-CN"}, locale.English))
	assert.Equal(t, locale.English, langOf(trayproto.State{Language: "en"}, locale.Chinese))
	assert.Equal(t, locale.Chinese, langOf(trayproto.State{}, locale.Chinese), "an older app: the system's")
	assert.Equal(t, locale.Chinese, langOf(trayproto.State{Language: "xx"}, locale.Chinese))
}

// The tray's catalog is complete: every ID in both languages, with the same
// template variables; and every ID the code names exists.
func TestTrayCatalogIsComplete(t *testing.T) {
	assert.Empty(t, i18n.Check(catalogFS()))
	ids, err := i18n.IDs(catalogFS(), locale.English)
	require.NoError(t, err)
	for _, id := range stateIDs {
		assert.Contains(t, ids, id)
	}
}

func TestUpdateLineInEachLanguage(t *testing.T) {
	s := trayproto.State{ProxyOn: true, Update: &trayproto.Update{Version: "0.2.0"}}
	v := viewOf(s)
	assert.Equal(t, "Update available: v0.2.0", v.Update)
	assert.Equal(t, "Open the release page in your browser", v.UpdateTip)
	s.Language = "zh-CN"
	v = viewOf(s)
	assert.Equal(t, "有可用更新：v0.2.0", v.Update)
	assert.Equal(t, "在浏览器中打开发布页面", v.UpdateTip)
	s.Update = nil
	assert.Empty(t, viewOf(s).Update, "no newer release, no line")
	s.Update = &trayproto.Update{Version: " \n"}
	assert.Empty(t, viewOf(s).Update, "nothing to name, no line")
}
