package main

import (
	"context"
	"log/slog"

	"github.com/getlantern/systray"

	"kirodesk/app/trayproto"
)

// systrayMenu is the menu on getlantern/systray:
//
//	<status>            (disabled)
//	Update available: v (hidden unless a newer release exists; opens its page)
//	<usage today>       (disabled, hidden until the app sends it)
//	    <account 1..5>  (disabled, hidden when unused)
//	[x] Proxy on
//	    Copy endpoint
//	-------------
//	    Open Kirodesk
//	[ ] Start at login
//	-------------
//	    Quit
//
// The items are fixed; only their titles, check marks and enabled state
// change (titles with the language: SetLabels). Open and Quit are enabled
// from the start, so the app can be reached and quit even before it sent a
// state. There is no Language entry: the setting lives in the window's
// Settings with the others, and a three-way choice would need radio items,
// which systray lacks (three check boxes that uncheck each other would be
// three more items of a menu people open to glance at).
type systrayMenu struct {
	log *slog.Logger

	status, update, usage, proxy, copyEndpoint, open, login, quit *systray.MenuItem
	accounts                                                      [accountSlots]*systray.MenuItem

	// icons holds every icon, converted for the OS, for the life of the
	// process: on Linux systray hands the slice to C as static memory
	// (g_bytes_new_static) that a GTK idle callback reads later, so it must
	// never be collected.
	icons  map[string][]byte
	clicks chan string
}

func newSystrayMenu(ctx context.Context, v View, goos string, log *slog.Logger) *systrayMenu {
	m := &systrayMenu{log: log, icons: map[string][]byte{}, clicks: make(chan string, 8)}
	for _, name := range []string{iconOn, iconOff, iconError, iconLogin} {
		b, err := iconBytes(goos, name)
		if err != nil {
			log.Error("icon", "name", name, "err", err)
			continue
		}
		m.icons[name] = b
	}

	m.status = systray.AddMenuItem(v.Status, "")
	m.status.Disable()
	m.update = systray.AddMenuItem("", "")
	m.update.Hide()
	m.usage = systray.AddMenuItem("", "")
	m.usage.Disable()
	m.usage.Hide()
	for i := range m.accounts {
		m.accounts[i] = systray.AddMenuItem("", "")
		m.accounts[i].Disable()
		m.accounts[i].Hide()
	}
	lb := v.Labels
	m.proxy = systray.AddMenuItemCheckbox(lb.Proxy, lb.ProxyTip, v.ProxyChecked)
	m.copyEndpoint = systray.AddMenuItem(lb.Copy, lb.CopyTip)
	systray.AddSeparator()
	m.open = systray.AddMenuItem(lb.Open, lb.OpenTip)
	m.login = systray.AddMenuItemCheckbox(lb.Login, lb.LoginTip, v.LoginChecked)
	systray.AddSeparator()
	m.quit = systray.AddMenuItem(lb.Quit, lb.QuitTip)
	build(m, v)

	go m.forward(ctx)
	return m
}

// forward turns systray's per-item channels into item names. systray drops
// a click when nobody is receiving on its channel at that moment, so this
// goroutine does nothing else and hands the click on through a buffer.
func (m *systrayMenu) forward(ctx context.Context) {
	for {
		var item string
		select {
		case <-m.proxy.ClickedCh:
			item = trayproto.ItemToggleProxy
		case <-m.copyEndpoint.ClickedCh:
			item = trayproto.ItemCopyEndpoint
		case <-m.open.ClickedCh:
			item = trayproto.ItemOpen
		case <-m.login.ClickedCh:
			item = trayproto.ItemStartAtLogin
		case <-m.quit.ClickedCh:
			item = trayproto.ItemQuit
		case <-m.update.ClickedCh:
			item = trayproto.ItemUpdate
		case <-ctx.Done():
			return
		}
		select {
		case m.clicks <- item:
		case <-ctx.Done():
			return
		}
	}
}

func (m *systrayMenu) Clicks() <-chan string { return m.clicks }
func (m *systrayMenu) Quit()                 { systray.Quit() }
func (m *systrayMenu) SetStatus(text string) { m.status.SetTitle(text) }

// SetTooltip sets the hover text (Windows, macOS; appindicator has none).
// The title (systray.SetTitle) stays unset on purpose: on macOS and in
// GNOME's indicator extension it is drawn as text beside the icon.
func (m *systrayMenu) SetTooltip(text string) { systray.SetTooltip(text) }

func (m *systrayMenu) SetIcon(name string) {
	if b := m.icons[name]; len(b) > 0 {
		systray.SetIcon(b)
	}
}

// SetLabels retitles the fixed items (the language changed). SetTitle
// keeps an item's check mark and enabled state.
func (m *systrayMenu) SetLabels(l Labels) {
	for _, it := range []struct {
		item         *systray.MenuItem
		title, hover string
	}{
		{m.proxy, l.Proxy, l.ProxyTip}, {m.copyEndpoint, l.Copy, l.CopyTip}, {m.open, l.Open, l.OpenTip},
		{m.login, l.Login, l.LoginTip}, {m.quit, l.Quit, l.QuitTip},
	} {
		it.item.SetTitle(it.title)
		it.item.SetTooltip(it.hover)
	}
}

func (m *systrayMenu) SetProxy(checked, enabled bool) { setItem(m.proxy, checked, enabled) }
func (m *systrayMenu) SetCopy(enabled bool)           { setEnabled(m.copyEndpoint, enabled) }
func (m *systrayMenu) SetLogin(checked, enabled bool) { setItem(m.login, checked, enabled) }

func (m *systrayMenu) SetAccounts(lines []string) {
	for i, it := range m.accounts {
		if i < len(lines) {
			it.SetTitle(lines[i])
			it.Show()
		} else {
			it.Hide()
		}
	}
}

func (m *systrayMenu) SetUsage(text string) {
	if text == "" {
		m.usage.Hide()
		return
	}
	m.usage.SetTitle(text)
	m.usage.Show()
}

func (m *systrayMenu) SetUpdate(text, tip string) {
	if text == "" {
		m.update.Hide()
		return
	}
	m.update.SetTitle(text)
	m.update.SetTooltip(tip)
	m.update.Show()
}

// setItem always calls Check or Uncheck, even when systray thinks the mark
// is already right: after a click GTK's own mark may differ from systray's.
func setItem(it *systray.MenuItem, checked, enabled bool) {
	if checked {
		it.Check()
	} else {
		it.Uncheck()
	}
	setEnabled(it, enabled)
}

func setEnabled(it *systray.MenuItem, enabled bool) {
	if enabled {
		it.Enable()
	} else {
		it.Disable()
	}
}
