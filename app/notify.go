package app

import (
	"context"
	"time"

	"kirodesk/app/trayproto"
	"kirodesk/internal/store"
)

// Notifier shows a desktop notification. run.go uses the OS's (on Linux
// org.freedesktop.Notifications over D-Bus); tests record.
type Notifier interface {
	Notify(title, body string) error
}

func (a *App) notify(title, body string) {
	if a.notifier == nil {
		return
	}
	if err := a.notifier.Notify(title, body); err != nil {
		a.log.Debug("notification not shown", "title", title, "err", err)
	}
}

// watchInterval is how often the app looks for accounts that need their
// person (login needed): pool state changes come from request handling and
// background refreshes, which tell nobody.
const watchInterval = 10 * time.Second

// watchAccounts tells the person (notification, tray, window) when an
// account comes to need a new sign-in, once per account and occurrence.
func (a *App) watchAccounts(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		a.checkAccounts()
		a.refreshTrayToday()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *App) checkAccounts() {
	c, err := a.ready()
	if err != nil {
		return
	}
	now := map[string]string{}
	for _, acc := range c.Store.Pool.Snapshot().Accounts {
		if acc.State.Status == store.StatusLoginNeeded && !acc.Disabled {
			now[acc.ID] = acc.Label
		}
	}
	a.checkQuota(c)
	a.mu.Lock()
	before := a.loginNeeded
	a.loginNeeded = now
	a.mu.Unlock()
	changed := len(now) != len(before)
	for id, label := range now {
		if _, seen := before[id]; !seen {
			changed = true
			a.notify(a.tr("NotifySignInAgainTitle"), a.tr("NotifySignInAgainBody", "Account", label))
		}
	}
	if changed {
		a.emitAccounts()
	}
}

// trayAccounts lists the accounts for the tray's accounts section.
func (a *App) trayAccounts() []trayproto.Account {
	c, err := a.ready()
	if err != nil {
		return nil
	}
	var out []trayproto.Account
	l := a.lang()
	for _, acc := range c.Status().Accounts {
		out = append(out, trayproto.Account{Label: acc.Label, State: acc.State, Disabled: acc.Disabled, Quota: quotaNote(l, acc.Quota)})
	}
	return out
}
