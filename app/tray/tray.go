package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"

	"kirodesk/app/trayproto"
	"kirodesk/internal/locale"
)

// menu is what the tray loop needs from the tray icon. systrayMenu is the
// real one; tests use a recorder, so the loop runs without a GUI.
type menu interface {
	SetStatus(text string)
	SetTooltip(text string)
	SetIcon(name string)
	// SetLabels titles the fixed items (Proxy on, Copy endpoint, Open,
	// Start at login, Quit) in the current language.
	SetLabels(l Labels)
	SetProxy(checked, enabled bool)
	SetCopy(enabled bool)
	SetLogin(checked, enabled bool)
	// SetAccounts shows lines in the account slots and hides the rest.
	SetAccounts(lines []string)
	// SetUsage shows the day's usage line, or hides it when text is empty.
	SetUsage(text string)
	// SetUpdate shows the "Update available" line (a click opens the
	// release page), or hides it when text is empty.
	SetUpdate(text, tip string)
	// Clicks delivers the trayproto.Item* of each click.
	Clicks() <-chan string
	// Quit ends systray.Run; main returns after it.
	Quit()
}

// tray connects the pipe from the app to the menu. Only run's goroutine
// touches the menu: systray's MenuItem methods are not safe for concurrent
// use.
type tray struct {
	in      io.Reader
	out     *trayproto.Writer
	log     *slog.Logger
	newMenu func(ctx context.Context, v View) menu
	// system is the system's language: the menu's until the app names one
	// (and for an older app, which never does).
	system locale.Lang
}

func newTray(in io.Reader, out io.Writer, goos string, log *slog.Logger) *tray {
	return &tray{
		in:  in,
		out: trayproto.NewWriter(out),
		log: log,
		newMenu: func(ctx context.Context, v View) menu {
			return newSystrayMenu(ctx, v, goos, log)
		},
		// The tray runs in the app's environment, so this is the app's
		// reading of the system too.
		system: locale.Match(locale.System()...),
	}
}

// run builds the menu, says ready, then applies states and forwards clicks
// until standard input ends. It is systray's onReady.
func (t *tray) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	shown := startingView(t.system)
	m := t.newMenu(ctx, shown)
	states := make(chan trayproto.State)
	go t.readStates(ctx, states)
	if err := t.out.Write(trayproto.Ready{}); err != nil {
		t.log.Warn("cannot write to the app", "err", err)
	}

	for {
		select {
		case s, ok := <-states:
			if !ok {
				m.Quit()
				return
			}
			s.Language = string(langOf(s, t.system))
			v := viewOf(s)
			apply(m, shown, v)
			shown = v
		case item := <-m.Clicks():
			if err := t.out.Write(trayproto.Click{Item: item}); err != nil {
				t.log.Warn("cannot write to the app", "click", item, "err", err)
			}
			// A checkbox click flips the GTK check mark on its own. Put
			// back what the app last said: the app answers with a new
			// State if the click changed anything, and if it could not
			// (the port is taken), the mark must not claim otherwise.
			switch item {
			case trayproto.ItemToggleProxy:
				m.SetProxy(shown.ProxyChecked, shown.ProxyEnabled)
			case trayproto.ItemStartAtLogin:
				m.SetLogin(shown.LoginChecked, shown.LoginEnabled)
			}
		}
	}
}

// readStates sends each State read from the app and closes states at the
// end of the input.
func (t *tray) readStates(ctx context.Context, states chan<- trayproto.State) {
	defer close(states)
	r := trayproto.NewReader(t.in)
	for {
		m, err := r.Next()
		var lineErr *trayproto.LineError
		switch {
		case errors.As(err, &lineErr):
			t.log.Warn("ignoring a line from the app", "err", err)
			continue
		case errors.Is(err, io.EOF):
			return
		case err != nil:
			t.log.Error("reading from the app", "err", err)
			return
		}
		if s, ok := m.(trayproto.State); ok {
			select {
			case states <- s:
			case <-ctx.Done():
				return
			}
		}
	}
}

// build shows v on a fresh menu.
func build(m menu, v View) {
	m.SetStatus(v.Status)
	m.SetTooltip(v.Tooltip)
	m.SetIcon(v.Icon)
	m.SetLabels(v.Labels)
	m.SetProxy(v.ProxyChecked, v.ProxyEnabled)
	m.SetCopy(v.CopyEnabled)
	m.SetLogin(v.LoginChecked, v.LoginEnabled)
	m.SetAccounts(v.Accounts)
	m.SetUsage(v.Usage)
	m.SetUpdate(v.Update, v.UpdateTip)
}

// apply changes what differs between the shown view and v. Skipping the
// rest matters for the icon: on Linux every SetIcon writes a temp file.
func apply(m menu, old, v View) {
	if v.Status != old.Status {
		m.SetStatus(v.Status)
	}
	if v.Tooltip != old.Tooltip {
		m.SetTooltip(v.Tooltip)
	}
	if v.Icon != old.Icon {
		m.SetIcon(v.Icon)
	}
	if v.Labels != old.Labels {
		m.SetLabels(v.Labels)
	}
	if v.ProxyChecked != old.ProxyChecked || v.ProxyEnabled != old.ProxyEnabled {
		m.SetProxy(v.ProxyChecked, v.ProxyEnabled)
	}
	if v.CopyEnabled != old.CopyEnabled {
		m.SetCopy(v.CopyEnabled)
	}
	if v.LoginChecked != old.LoginChecked || v.LoginEnabled != old.LoginEnabled {
		m.SetLogin(v.LoginChecked, v.LoginEnabled)
	}
	if !slices.Equal(v.Accounts, old.Accounts) {
		m.SetAccounts(v.Accounts)
	}
	if v.Usage != old.Usage {
		m.SetUsage(v.Usage)
	}
	if v.Update != old.Update || v.UpdateTip != old.UpdateTip {
		m.SetUpdate(v.Update, v.UpdateTip)
	}
}
