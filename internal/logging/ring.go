package logging

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"
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
	mu    sync.Mutex
	lines []Line
	next  int // where the next line goes once full
	seq   int64
	size  int
}

// NewRing returns a Ring holding at most size lines.
func NewRing(size int) *Ring {
	if size < 1 {
		size = 1
	}
	return &Ring{size: size}
}

// Handler returns a slog handler that writes into the ring at level and above.
func (r *Ring) Handler(level slog.Leveler) slog.Handler {
	return slog.NewTextHandler(r, &slog.HandlerOptions{Level: level, ReplaceAttr: Redact})
}

// Write stores one formatted record.
func (r *Ring) Write(p []byte) (int, error) {
	text := strings.TrimRight(string(p), "\n")
	l := Line{Time: time.Now(), Level: levelOf(text), Text: text}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	l.Seq = r.seq
	if len(r.lines) < r.size {
		r.lines = append(r.lines, l)
	} else {
		r.lines[r.next] = l
		r.next = (r.next + 1) % r.size
	}
	return len(p), nil
}

// Since returns the lines with Seq > after, oldest first.
func (r *Ring) Since(after int64) []Line {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Line, 0, len(r.lines))
	for i := range r.lines {
		l := r.lines[(r.next+i)%len(r.lines)]
		if l.Seq > after {
			out = append(out, l)
		}
	}
	return out
}

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
