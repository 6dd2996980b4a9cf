package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"time"

	"kirodesk/app/trayproto"
	"kirodesk/internal/core"
	"kirodesk/internal/store"
	ledger "kirodesk/internal/usage"
)

// Usage returns the usage history for the Usage view and the dashboard's
// sparkline: rng is 24h, 7d, 30d or 90d; stack is account, model or client.
func (a *App) Usage(rng, stack string) (ledger.Series, error) {
	return withCore(a, 10*time.Second, func(ctx context.Context, c *core.Core) (ledger.Series, error) {
		return c.UsageSeries(ctx, rng, stack)
	})
}

// ExportUsageCSV writes the Usage view's table (rng, per hour or day, with
// the totals) as CSV into the person's Downloads folder and returns the
// file's path.
func (a *App) ExportUsageCSV(rng string) (string, error) {
	s, err := a.Usage(rng, ledger.ByAccount)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := ledger.WriteCSV(&buf, s.Table); err != nil {
		return "", err
	}
	dir := a.exportDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("cannot create %s: %w", dir, err)
	}
	path := filepath.Join(dir, fmt.Sprintf("kirodesk-usage-%s-%s.csv", rng, time.Now().Format("2006-01-02-150405")))
	// A file the person asked for, outside the config folder: not state.
	// Private (0600) like the request log's export: it names the accounts.
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return "", fmt.Errorf("cannot save the CSV: %w", err)
	}
	return path, nil
}

// exportDir is where exports go: $KIRODESK_EXPORT_DIR (tests), the XDG
// download folder, ~/Downloads, or the home folder.
func (a *App) exportDir() string {
	if d := os.Getenv("KIRODESK_EXPORT_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DOWNLOAD_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return os.TempDir()
	}
	if st, err := os.Stat(filepath.Join(home, "Downloads")); err == nil && st.IsDir() {
		return filepath.Join(home, "Downloads")
	}
	return home
}

// trayToday is the tray's usage line: today's requests, and the credits
// left of the account in use (the one that answered last, else the first
// in service).
func (a *App) trayToday() *trayproto.Today {
	c, err := a.ready()
	if err != nil {
		return nil
	}
	// Today's requests from the usage history, which a restart keeps; the
	// request log's count if the history cannot be read in time.
	t := &trayproto.Today{Requests: c.Requests.Stats().RequestsToday}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if n, err := c.RequestsToday(ctx); err == nil {
		t.Requests = n
	}
	active := ""
	recent := c.Requests.Since(0)
	for i := len(recent) - 1; i >= 0 && active == ""; i-- {
		active = recent[i].Account
	}
	accs := c.Store.Pool.Snapshot().Accounts
	pick := slices.IndexFunc(accs, func(x store.Account) bool { return x.ID == active })
	if pick < 0 {
		pick = slices.IndexFunc(accs, func(x store.Account) bool {
			return !x.Disabled && x.State.Status == store.StatusReady
		})
	}
	if pick >= 0 {
		acc := accs[pick]
		t.Account = acc.Label
		if q := acc.Quota; q != nil && q.Limit > 0 {
			t.CreditsLeft = new(q.Limit - q.Used)
		}
	}
	return t
}

// refreshTrayToday sends the tray a new state when the usage line changed
// (requests are counted without telling anyone; the watcher asks).
func (a *App) refreshTrayToday() {
	link := a.tray.Load()
	if link == nil {
		return
	}
	t := a.trayToday()
	a.mu.Lock()
	same := reflect.DeepEqual(t, a.sentToday)
	a.sentToday = t
	a.mu.Unlock()
	if !same {
		link.Send(a.trayState())
	}
}
