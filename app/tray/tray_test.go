package main

import (
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/app/trayproto"
	"kirodesk/internal/locale"
)

// recMenu is a menu that records calls instead of drawing.
type recMenu struct {
	mu     sync.Mutex
	calls  []string
	clicks chan string
	quit   chan struct{}
}

func (m *recMenu) rec(format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, fmt.Sprintf(format, args...))
}

func (m *recMenu) take() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.calls
	m.calls = nil
	return c
}

func (m *recMenu) SetStatus(s string)  { m.rec("status %s", s) }
func (m *recMenu) SetTooltip(s string) { m.rec("tooltip %s", s) }
func (m *recMenu) SetIcon(n string)    { m.rec("icon %s", n) }
func (m *recMenu) SetLabels(l Labels) {
	m.rec("labels %s|%s|%s|%s|%s", l.Proxy, l.Copy, l.Open, l.Login, l.Quit)
}
func (m *recMenu) SetProxy(checked, enabled bool) { m.rec("proxy %v %v", checked, enabled) }
func (m *recMenu) SetCopy(enabled bool)           { m.rec("copy %v", enabled) }
func (m *recMenu) SetLogin(checked, enabled bool) { m.rec("login %v %v", checked, enabled) }
func (m *recMenu) SetAccounts(lines []string)     { m.rec("accounts %q", lines) }
func (m *recMenu) SetUsage(text string)           { m.rec("usage %s", text) }
func (m *recMenu) SetUpdate(text, tip string)     { m.rec("update %s|%s", text, tip) }
func (m *recMenu) Clicks() <-chan string          { return m.clicks }
func (m *recMenu) Quit()                          { close(m.quit) }

// The tray loop without a GUI: ready first, states applied as differences,
// clicks out as lines with the check mark put back, bad input survived, and
// the end of input quits.
func TestTrayLoop(t *testing.T) {
	l := startLoop(t, locale.English)
	m, inW := l.m, l.inW
	next := func() trayproto.Message { t.Helper(); return l.next(t) }
	sync := func() { t.Helper(); l.sync(t) }

	assert.Equal(t, trayproto.Ready{}, next())
	assert.Equal(t, []string{
		"status Kirodesk is starting…", "tooltip Kirodesk is starting…", "icon off",
		"labels Proxy on|Copy endpoint|Open Kirodesk|Start at login|Quit", "proxy false false", "copy false", "login false false", "accounts []", "usage ", "update |",
	}, m.take())

	assert.Equal(t, []string{
		"status Proxy on — 127.0.0.1:8990", "tooltip Kirodesk: Proxy on — 127.0.0.1:8990", "icon on",
		"proxy true true", "copy true", "login false true",
	}, l.apply(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990"}))

	_, err := io.WriteString(inW, "garbage\n{\"type\":\"future\"}\n")
	require.NoError(t, err)
	assert.Equal(t, []string{"login true true"},
		l.apply(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", StartAtLogin: true}), "only what changed")

	today := &trayproto.Today{Requests: 12, Account: "Work", CreditsLeft: new(388.5)}
	assert.Equal(t, []string{"usage Today: 12 requests · Work: 388.5 credits left"},
		l.apply(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", StartAtLogin: true, Today: today}))
	assert.Equal(t, []string{"usage "},
		l.apply(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", StartAtLogin: true}),
		"an app that sends no figures hides the line")

	update := &trayproto.Update{Version: "0.2.0"}
	assert.Equal(t, []string{"update Update available: v0.2.0|Open the release page in your browser"},
		l.apply(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", StartAtLogin: true, Update: update}))
	m.clicks <- trayproto.ItemUpdate
	assert.Equal(t, trayproto.Click{Item: trayproto.ItemUpdate}, next(), "the click goes to the app, which opens the page")
	assert.Equal(t, []string{"update |"},
		l.apply(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", StartAtLogin: true}),
		"no newer release: the line goes")

	m.clicks <- trayproto.ItemToggleProxy
	assert.Equal(t, trayproto.Click{Item: trayproto.ItemToggleProxy}, next())
	m.clicks <- trayproto.ItemStartAtLogin
	assert.Equal(t, trayproto.Click{Item: trayproto.ItemStartAtLogin}, next())
	sync()
	assert.Equal(t, []string{"proxy true true", "login true true"}, m.take(),
		"a checkbox click puts back the app's mark until the app says otherwise")

	assert.Equal(t, []string{
		"status Error: address in use", "tooltip Kirodesk: Error: address in use", "icon error",
		"proxy false true", "copy false", "login false true",
	}, l.apply(t, trayproto.State{Error: "address in use"}))

	require.NoError(t, inW.Close())
	select {
	case <-m.quit:
	case <-time.After(5 * time.Second):
		t.Fatal("end of input did not quit")
	}
	l.waitDone(t)
}

// The language follows the States: the starting menu is in the system's
// language, a State naming another relabels every item at once, and a
// State without one (an older app) keeps the system's.
func TestTrayRelabelsWhenTheLanguageChanges(t *testing.T) {
	l := startLoop(t, locale.Chinese)
	m, inW := l.m, l.inW
	next := func() trayproto.Message { t.Helper(); return l.next(t) }

	assert.Equal(t, trayproto.Ready{}, next())
	assert.Equal(t, []string{
		"status Kirodesk 正在启动…", "tooltip Kirodesk 正在启动…", "icon off",
		"labels 开启代理|复制接口地址|打开 Kirodesk|开机自动启动|退出", "proxy false false", "copy false", "login false false", "accounts []", "usage ", "update |",
	}, m.take())

	assert.Equal(t, []string{
		"status 代理已开启 — 127.0.0.1:8990", "tooltip Kirodesk：代理已开启 — 127.0.0.1:8990", "icon on",
		"proxy true true", "copy true", "login false true",
	}, l.apply(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990"}),
		"an app that names no language: the system's")

	assert.Equal(t, []string{
		"status Proxy on — 127.0.0.1:8990", "tooltip Kirodesk: Proxy on — 127.0.0.1:8990",
		"labels Proxy on|Copy endpoint|Open Kirodesk|Start at login|Quit",
	}, l.apply(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", Language: "en"}),
		"relabelled live; check marks untouched")

	assert.Equal(t, []string{
		"status 代理已开启 — 127.0.0.1:8990", "tooltip Kirodesk：代理已开启 — 127.0.0.1:8990",
		"labels 开启代理|复制接口地址|打开 Kirodesk|开机自动启动|退出",
	}, l.apply(t, trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", Language: "zh-CN"}))

	require.NoError(t, inW.Close())
	l.waitDone(t)
}
