package logging

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"kirodesk/internal/ring"
)

// Line is one log record as the Logs window shows it.
type Line struct {
	Seq   int64     `json:"seq"`
	Time  time.Time `json:"time"`
	Level string    `json:"level"`
	Text  string    `json:"text"` // the whole record in text form, credentials redacted
}

// Ring keeps the most recent log lines in memory for the Logs window. It is
// an io.Writer for a slog.TextHandler (one Write per record), so lines get
// the same formatting and the same redaction as the log file.
type Ring struct {
	lines *ring.Ring[Line]
}

// NewRing returns a Ring holding at most size lines.
func NewRing(size int) *Ring {
	return &Ring{lines: ring.New[Line](size)}
}

// Handler returns a slog handler that writes into the ring at level and above.
func (r *Ring) Handler(level slog.Leveler) slog.Handler {
	return slog.NewTextHandler(r, &slog.HandlerOptions{Level: level, ReplaceAttr: Redact})
}

// Write stores one formatted record.
func (r *Ring) Write(p []byte) (int, error) {
	text := strings.TrimRight(string(p), "\n")
	l := Line{Time: time.Now(), Level: levelOf(text), Text: text}
	r.lines.Push(func(seq int64) Line { l.Seq = seq; return l })
	return len(p), nil
}

// Since returns the lines with Seq > after, oldest first.
func (r *Ring) Since(after int64) []Line { return r.lines.Since(after) }

func levelOf(text string) string {
	for _, lv := range []string{"DEBUG", "INFO", "WARN", "ERROR"} {
		if strings.Contains(text, " level="+lv) || strings.HasPrefix(text, "level="+lv) {
			return strings.ToLower(lv)
		}
	}
	return "info"
}

// Tee returns a handler that passes every record to each of hs that is
// enabled for its level.
func Tee(hs ...slog.Handler) slog.Handler { return tee(hs) }

type tee []slog.Handler

func (t tee) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range t {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (t tee) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (t tee) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(tee, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (t tee) WithGroup(name string) slog.Handler {
	out := make(tee, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(name)
	}
	return out
}
