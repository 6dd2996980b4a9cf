package app

import (
	"context"
	"os"
	"time"

	"kirodesk/app/trayproto"
	"kirodesk/internal/autostart"
)

// trayState is what the tray shows for the current status.
func (a *App) trayState() trayproto.State {
	st, _ := a.Status()
	on, _ := a.autostart.Enabled()
	return trayproto.State{ProxyOn: st.ProxyOn, Endpoint: st.Endpoint, Error: st.Error, StartAtLogin: on,
		Accounts: a.trayAccounts(), Today: a.trayToday(), Language: string(a.lang()), Update: a.trayUpdate()}
}

// onTrayClick runs a tray click through the same methods the window uses.
// It is called on the tray link's reader goroutine, so anything slow (the
// proxy drains for up to its drain time) goes to a goroutine of its own.
func (a *App) onTrayClick(item string) {
	switch item {
	case trayproto.ItemToggleProxy:
		go func() {
			st, _ := a.Status()
			if _, err := a.SetProxyEnabled(!st.ProxyOn); err != nil {
				a.log.Error("tray: turning the proxy on or off failed", "err", err)
			}
		}()
	case trayproto.ItemCopyEndpoint:
		if st, err := a.Status(); err == nil && st.Endpoint != "" {
			if err := a.CopyToClipboard(st.Endpoint); err != nil {
				a.log.Error("tray: copy endpoint", "err", err)
			}
		}
	case trayproto.ItemOpen:
		a.ShowWindow()
	case trayproto.ItemStartAtLogin:
		go func() {
			on, _ := a.autostart.Enabled()
			if err := a.setStartAtLogin(!on); err != nil {
				a.log.Error("tray: start at login", "err", err)
			}
		}()
	case trayproto.ItemUpdate:
		a.openReleasePage()
	case trayproto.ItemQuit:
		go a.quit()
	default:
		a.log.Debug("tray: unknown menu item", "item", item)
	}
}

// setStartAtLogin adds or removes the OS's login entry; it starts this same
// executable with the window hidden and the same config folder.
func (a *App) setStartAtLogin(on bool) error {
	var err error
	if on {
		exe, xerr := os.Executable()
		if xerr != nil {
			return xerr
		}
		err = a.autostart.Enable(autostart.Entry{Exe: exe, Args: append([]string{"--hidden"}, a.extraArgs...)})
	} else {
		err = a.autostart.Disable()
	}
	a.emitStatus()
	return err
}

// quit ends the app the graceful way: the window closes for good and Wails'
// shutdown drains the proxy, saves state and releases the lock.
func (a *App) quit() {
	a.quitting.Store(true)
	if rt := a.windowRuntime(); rt != nil {
		rt.Quit()
	}
}

// beforeClose decides what closing the window means: with a tray to come
// back through, hide it and keep the proxy running; without one (no tray
// host, or the tray never started), or when quitting, really close.
func (a *App) beforeClose() (prevent bool) {
	if a.quitting.Load() || !a.trayUp.Load() {
		return false
	}
	if rt := a.windowRuntime(); rt != nil {
		rt.HideWindow()
	}
	return true
}

// startTray runs the tray process next to this executable, if there is one.
func (a *App) startTray(ctx context.Context) {
	path, err := TrayPath()
	if err != nil {
		a.log.Warn("no tray: closing the window will quit", "err", err)
		a.noTray("NoTrayProgram")
		return
	}
	if !a.trayHost() {
		// The tray process still runs (a tray host may start later), but
		// nothing shows its icon yet.
		a.log.Warn("no system tray on this desktop (no StatusNotifierWatcher): the window stays the way in")
		a.noTray("NoTrayHost")
	}
	a.tray.Store(StartTray(ctx, TrayOptions{
		Path: path, Logger: a.log, OnClick: a.onTrayClick,
		OnReady: func() {
			// Without a host the menu exists but nobody can see it.
			if a.trayHost() {
				a.trayUp.Store(true)
				a.mu.Lock()
				a.trayNotice = ""
				a.mu.Unlock()
			}
			go a.emitStatus()
		},
	}))
	a.emitStatus()
}

// noTray makes the window the way in: it opens (even with --hidden), says
// why (why is the app catalog's ID of the reason), and closing it quits
// (beforeClose, as trayUp stays false).
func (a *App) noTray(why string) {
	a.mu.Lock()
	a.trayNotice = why
	a.mu.Unlock()
	a.ShowWindow()
	a.emitStatus()
}

// stopTray ends the tray process (it also ends when our stdin pipe closes).
func (a *App) stopTray() {
	if t := a.tray.Load(); t != nil {
		done := make(chan struct{})
		go func() { t.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
}
