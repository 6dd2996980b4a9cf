package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	ledger "kirodesk/internal/usage"
)

// Usage returns the usage history for the Usage view and the dashboard's
// sparkline: rng is 24h, 7d, 30d or 90d; stack is account, model or client.
func (a *App) Usage(rng, stack string) (ledger.Series, error) {
	c, err := a.ready()
	if err != nil {
		return ledger.Series{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.UsageSeries(ctx, rng, stack)
}

// ExportUsageCSV writes the Usage view's table (rng, per hour or day, with
// the totals) as CSV into the person's Downloads folder and returns the
// file's path.
func (a *App) ExportUsageCSV(rng string) (string, error) {
	c, err := a.ready()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := c.UsageSeries(ctx, rng, ledger.ByAccount)
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
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
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
