package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"kirodesk/internal/control"
	"kirodesk/internal/store"
	ledger "kirodesk/internal/usage"
)

// runUsage is `kirodesk usage`: the usage history as a table, JSON or CSV,
// from the running instance (which has the last second's requests too)
// or, when none runs, from usage.json.
func runUsage(ctx context.Context, args []string, env Env) error {
	f := newFlags("usage", env)
	since := f.String("since", "7d", "from: a span back from now (24h, 7d, 30d, 90d) or a date (2006-01-02)")
	until := f.String("until", "", "to this date, not included (default: now)")
	by := f.String("by", ledger.ByDay, "group by "+strings.Join(ledger.Groupings, ", "))
	asJSON := f.Bool("json", false, "print JSON (as GET /v1/kirodesk/usage answers)")
	asCSV := f.Bool("csv", false, "print CSV")
	if err := f.parse(args, env); err != nil {
		return err
	}
	if *asJSON && *asCSV {
		return usageError{errors.New("usage: --json and --csv: choose one")}
	}
	// Checked here too, so a mistake is a usage error whichever side answers.
	if _, err := ledger.ParseQuery(*since, *until, *by, time.Now()); err != nil {
		return usageError{fmt.Errorf("usage: %w", err)}
	}
	rep, err := usageReport(ctx, f.configDir, *since, *until, *by, env)
	if err != nil {
		return err
	}
	switch {
	case *asJSON:
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case *asCSV:
		return ledger.WriteCSV(env.Stdout, rep)
	}
	return ledger.WriteTable(env.Stdout, rep)
}

func usageReport(ctx context.Context, dir, since, until, by string, env Env) (ledger.Report, error) {
	log := quietLogger(env)
	st, err := store.Open(dir, store.Options{Logger: log})
	if errors.Is(err, store.ErrLocked) {
		c, derr := control.Dial(ctx, dir)
		if derr != nil {
			return ledger.Report{}, derr
		}
		defer c.Close()
		return c.Usage(ctx, since, until, by)
	}
	if err != nil {
		return ledger.Report{}, err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = st.Close(ctx) // nothing was changed: there is nothing to save
	}()
	for _, n := range st.Notices() {
		log.Warn(n)
	}
	now := time.Now()
	q, err := ledger.ParseQuery(since, until, by, now)
	if err != nil {
		return ledger.Report{}, usageError{err}
	}
	u := st.Usage.Snapshot()
	return ledger.WithForecasts(ledger.Build(u, q, time.Local), u, st.Pool.Snapshot(), now, time.Local), nil
}
