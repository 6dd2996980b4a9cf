package main

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/app/trayproto"
)

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
			assert.Equal(t, tc.want, got)
			assert.LessOrEqual(t, utf8.RuneCountInString(got.Status), maxStatusRunes)
			assert.Less(t, len(utf16.Encode([]rune(got.Tooltip))), 128, "Windows tooltip limit")
		})
	}
}

func TestStartingView(t *testing.T) {
	v := startingView()
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
