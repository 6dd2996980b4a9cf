package app

import (
	"context"
	"os"
	"time"

	"kirodesk/app/trayproto"
	"kirodesk/internal/core"
	"kirodesk/internal/store"
	"kirodesk/internal/update"
)

// Update states, UpdateInfo.State.
const (
	UpdateUnknown   = "unknown"   // never checked (or the feed URL changed since)
	UpdateCurrent   = "current"   // this build is the newest offered to it
	UpdateAvailable = "available" // a newer release exists
	UpdateFailed    = "failed"    // the check could not tell; the log says why, once
)

// How the automatic update check is paced: the first look a while after
// start-up, then every hour; update.Checker asks the feed at most once a day.
const (
	updateDelay = 30 * time.Second
	updateTick  = time.Hour
)

// UpdateInfo is what About and the window's notice show of the update
// check. Nothing is ever downloaded: Page is opened in the browser.
type UpdateInfo struct {
	State   string `json:"state"`
	Current string `json:"current"` // this build's version
	// Version, Date (YYYY-MM-DD), Notes and Page describe the newest
	// release the feed offers, when one was read.
	Version string `json:"version"`
	Date    string `json:"date"`
	Notes   string `json:"notes"`
	Page    string `json:"page"`
	// CheckedAt is the last attempt (RFC 3339), "" when never.
	CheckedAt string `json:"checkedAt"`
	// Available: Version is newer than this build and offered to it
	// (pre-releases only to pre-releases), as the last feed read said; it
	// outlives a later failed check, State does not.
	Available bool `json:"available"`
	// Dismissed: the person closed the notice of this Version.
	Dismissed bool `json:"dismissed"`
}

// updateInfo renders a check's result for the window.
func updateInfo(current string, r update.Result) UpdateInfo {
	info := UpdateInfo{State: UpdateUnknown, Current: current}
	if !r.CheckedAt.IsZero() {
		info.CheckedAt = r.CheckedAt.UTC().Format(time.RFC3339)
	}
	if l := r.Latest; l != nil {
		info.Version, info.Date, info.Notes, info.Page = l.Version.String(), l.Date.Format(update.DateLayout), l.Notes, l.Page
		info.Dismissed = r.Dismissed == info.Version
		info.State, info.Available = UpdateCurrent, r.Available
		if r.Available {
			info.State = UpdateAvailable
		}
	}
	if r.Err != nil {
		info.State = UpdateFailed
	}
	return info
}

// startUpdates builds the update checker on the core's outbound client
// (the proxy and CAs Kiro's calls use) and starts the automatic check.
func (a *App) startUpdates(ctx context.Context, c *core.Core) {
	u := update.New(update.Options{Client: c.Outbound.HTTP(), Running: a.version, State: c.Store.UpdateCheck,
		Logger: c.Log, Now: a.updateClock})
	a.mu.Lock()
	a.updates = u
	a.mu.Unlock()
	delay, tick := a.updatePace[0], a.updatePace[1]
	if tick < 0 {
		return
	}
	a.background.Go(func() {
		u.Run(ctx, delay, tick, func() (bool, string) {
			s := a.updateSettings(c)
			return s.Check, s.FeedURL
		}, func(r update.Result) { a.updated(updateInfo(a.version, r)) })
	})
}

// updater returns the checker and the feed URL in effect.
func (a *App) updater() (*update.Checker, string, error) {
	c, err := a.ready()
	if err != nil {
		return nil, "", err
	}
	a.mu.Lock()
	u := a.updates
	a.mu.Unlock()
	if u == nil {
		return nil, "", ErrNotReady
	}
	return u, a.updateSettings(c).FeedURL, nil
}

// updateSettings are config.json's, with the environment's feed URL
// (store.EnvFeedURL) when it is set; a bad one is logged and ignored.
func (a *App) updateSettings(c *core.Core) store.Updates {
	u := c.Store.Config.Snapshot().Updates
	e, err := u.WithEnv(os.Getenv)
	if err != nil {
		a.log.Warn("update check: the environment's feed URL is ignored", "err", err)
		return u
	}
	return e
}

// updated tells the window (EventUpdate) and the tray about a result.
func (a *App) updated(info UpdateInfo) {
	a.emit(EventUpdate, info)
	if t := a.tray.Load(); t != nil {
		t.Send(a.trayState())
	}
}

// CheckForUpdates asks the release feed now (About's button), whether or
// not the daily check is on. A check that cannot tell is State "failed",
// not an error: the window stays quiet about why, the log says it once.
func (a *App) CheckForUpdates() (UpdateInfo, error) {
	u, feed, err := a.updater()
	if err != nil {
		return UpdateInfo{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), update.Timeout+5*time.Second)
	defer cancel()
	info := updateInfo(a.version, u.Check(ctx, feed))
	a.updated(info)
	return info, nil
}

// UpdateStatus is what the last check found, without asking anyone: the
// window's notice after a restart.
func (a *App) UpdateStatus() (UpdateInfo, error) {
	u, feed, err := a.updater()
	if err != nil {
		return UpdateInfo{}, err
	}
	return updateInfo(a.version, u.Known(feed)), nil
}

// DismissUpdate closes the window's notice for version for good; a newer
// version brings a new one.
func (a *App) DismissUpdate(version string) (UpdateInfo, error) {
	u, feed, err := a.updater()
	if err != nil {
		return UpdateInfo{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := u.Dismiss(ctx, version); err != nil {
		return UpdateInfo{}, err
	}
	info := updateInfo(a.version, u.Known(feed))
	a.emit(EventUpdate, info)
	return info, nil
}

// trayUpdate is the tray's "Update available" line, nil when there is
// none. It stays while the last read feed offers a newer release, whatever
// the window's notice (dismissed or not) and a later failed check.
func (a *App) trayUpdate() *trayproto.Update {
	u, feed, err := a.updater()
	if err != nil {
		return nil
	}
	r := u.Known(feed)
	if r.Latest == nil || !r.Available {
		return nil
	}
	return &trayproto.Update{Version: r.Latest.Version.String()}
}

// openReleasePage is the tray line's click: the release page in the browser.
func (a *App) openReleasePage() {
	u, feed, err := a.updater()
	if err != nil {
		return
	}
	r := u.Known(feed)
	if r.Latest == nil || !r.Available {
		return
	}
	if rt := a.windowRuntime(); rt != nil {
		rt.BrowserOpenURL(r.Latest.Page)
	}
}
