package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gofrs/flock"

	"kirodesk/internal/uitext"
)

// Store is the config folder: its lock and its state files.
type Store struct {
	Dir          string
	Config       *File[Config]
	Pool         *File[Pool]
	QuotaNotices *File[QuotaNotices]
	Usage        *File[Usage]
	UpdateCheck  *File[UpdateCheck]
	lock         *flock.Flock
	notices      []uitext.Text // the Store's own, beside each File's
}

// Options tune Open; the zero value is production's setting.
type Options struct {
	Logger        *slog.Logger
	FlushInterval time.Duration
	// UsageFlushInterval spaces usage.json's writes; UsageFlushInterval
	// (the constant) if zero.
	UsageFlushInterval time.Duration
}

// Open prepares dir (created 0700, or tightened to 0700), takes its lock and
// loads the files. On error nothing stays locked.
func Open(dir string, opts Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create config folder: %w", err)
	}
	// The folder holds no secret, but account labels and usage are nobody
	// else's business; tighten a folder created with looser permissions.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("config folder %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	// fail closes the files opened so far, newest first, and releases the
	// lock: on error nothing stays locked.
	var opened []func(context.Context) error
	fail := func(err error) (*Store, error) {
		for _, closeFile := range slices.Backward(opened) {
			closeFile(context.Background())
		}
		lock.Unlock()
		return nil, err
	}
	fo := FileOptions{Logger: opts.Logger, FlushInterval: opts.FlushInterval}
	cfg, err := OpenFile(dir, ConfigSchema(), fo)
	if err != nil {
		return fail(err)
	}
	opened = append(opened, cfg.Close)
	pool, err := OpenFile(dir, PoolSchema(), fo)
	if err != nil {
		return fail(err)
	}
	opened = append(opened, pool.Close)
	qn, qnNotes, err := openQuotaNotices(dir, fo)
	if err != nil {
		return fail(err)
	}
	opened = append(opened, qn.Close)
	uo := fo
	uo.FlushInterval = opts.UsageFlushInterval
	if uo.FlushInterval <= 0 {
		uo.FlushInterval = UsageFlushInterval
	}
	us, usNotes, err := openRestarting(dir, UsageSchema(), uo, msgUsageRestarted)
	if err != nil {
		return fail(err)
	}
	opened = append(opened, us.Close)
	uc, ucNotes, err := openRestarting(dir, UpdateCheckSchema(), fo, msgUpdateCheckRestarted)
	if err != nil {
		return fail(err)
	}
	notices := append(qnNotes, usNotes...)
	return &Store{Dir: dir, Config: cfg, Pool: pool, QuotaNotices: qn, Usage: us, UpdateCheck: uc, lock: lock,
		notices: append(notices, ucNotes...)}, nil
}

// Notices gathers what the person should be told about the load, in
// English (logs, the CLI).
func (s *Store) Notices() []string { return uitext.Strings(s.NoticeTexts()) }

// NoticeTexts are the Notices with their codes, for the window.
func (s *Store) NoticeTexts() []uitext.Text {
	out := append(s.Config.NoticeTexts(), s.Pool.NoticeTexts()...)
	out = append(out, s.QuotaNotices.NoticeTexts()...)
	out = append(out, s.UpdateCheck.NoticeTexts()...)
	return append(out, s.notices...)
}

// Close writes what is pending and releases the lock. The lock is released
// even if a write fails, and the failure is returned.
func (s *Store) Close(ctx context.Context) error {
	err := errors.Join(s.UpdateCheck.Close(ctx), s.Usage.Close(ctx), s.QuotaNotices.Close(ctx), s.Pool.Close(ctx), s.Config.Close(ctx))
	_ = os.Remove(filepath.Join(s.Dir, pidName)) // before unlocking: the next owner writes its own
	return errors.Join(err, s.lock.Unlock())
}
