package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"kirodesk/internal/core"
)

// errChecksFailed makes doctor exit 1 once its report is printed.
var errChecksFailed = errors.New("some checks failed: see the report above")

func runDoctor(ctx context.Context, args []string, env Env) error {
	f := newFlags("doctor", env)
	if err := f.parse(args, env); err != nil {
		return err
	}
	// The report is the output; logs would only interleave with it.
	log := slog.New(slog.DiscardHandler)
	opts := core.Options{ConfigDir: f.configDir, Logger: log, Getenv: env.Getenv, Secrets: env.Secrets}
	c, err := core.Open(ctx, opts)
	var text string
	failed := false
	switch {
	case core.IsLocked(err):
		// A running Kirodesk owns the folder: check what can be checked read-only.
		rep := core.DiagnoseReadOnly(ctx, opts, env.Version)
		text, failed = rep.Text(), rep.Failed()
	case err != nil:
		return err
	default:
		select { // let the start-up check of the keychain items settle first
		case <-c.Reconciled():
		case <-ctx.Done():
		}
		rep := c.Diagnose(ctx, env.Version)
		text, failed = rep.Text(), rep.Failed()
		if err := c.Close(context.WithoutCancel(ctx)); err != nil {
			return err
		}
	}
	fmt.Fprint(env.Stdout, text)
	if failed {
		return errChecksFailed
	}
	return nil
}
