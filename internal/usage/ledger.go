// Package usage is the usage ledger: every finished request adds one
// Record, which is counted per hour × account × model × client × API into
// the store's usage history (usage.json), and Build answers questions about
// that history (per hour, day, account, model or client), for the Usage
// view, `kirodesk usage` and GET /v1/kirodesk/usage.
//
// The request path only hands a Record to a buffered channel (Add: no lock,
// no allocation); one goroutine classifies and sums them and merges the sums
// into the store about once a second, and again just before each write. The
// store writes usage.json at most every store.UsageFlushInterval (10 s), so
// a crash loses at most the last ten seconds of counts (plus the write under
// way), never the file.
package usage

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"kirodesk/internal/clientname"
	"kirodesk/internal/store"
)

// Record is one finished request, as the server saw it.
type Record struct {
	Start     time.Time // when it arrived
	Account   string    // account id ("" if none was reached)
	Model     string    // the Kiro model that served it
	Requested string    // the client's name for it, when a model alias changed it
	UserAgent string    // classified off the request path (clientname.Of)
	API       string    // API(path): messages, chat, responses
	Status    int       // HTTP status sent; 0 if the client left before one was sent
	// Tokens: Kiro's own figures where it sent them, else counted locally
	// (Estimated).
	Input, Output, CacheRead, CacheWrite int
	Estimated                            bool
	Credits                              float64
	Latency                              time.Duration // to the end of the answer
	FirstByte                            time.Duration // to its first byte; 0 if none was sent
}

// The APIs a Record can name.
const (
	APIMessages  = "messages"
	APIChat      = "chat"
	APIResponses = "responses"
)

// API names the API of a request path, or "" for a path that is not one of
// the three the history counts (models, count_tokens, status, this one).
func API(path string) string {
	switch path {
	case "/v1/messages":
		return APIMessages
	case "/v1/chat/completions":
		return APIChat
	case "/v1/responses":
		return APIResponses
	}
	return ""
}

// Error classes, from the status the client was sent.
const (
	ErrInvalid    = "invalid_request"
	ErrAuth       = "authentication"
	ErrRateLimit  = "rate_limit"
	ErrOverloaded = "overloaded"
	ErrUpstream   = "upstream"
	ErrCanceled   = "canceled"
)

// ErrorClasses lists the classes in display order.
var ErrorClasses = []string{ErrInvalid, ErrAuth, ErrRateLimit, ErrOverloaded, ErrUpstream, ErrCanceled}

// ErrorClass is the class of a status, or "" for a success.
func ErrorClass(status int) string {
	switch {
	case status == 0 || status == 499:
		return ErrCanceled
	case status < 400:
		return ""
	case status == 401 || status == 403:
		return ErrAuth
	case status == 429:
		return ErrRateLimit
	case status == 503 || status == 529:
		return ErrOverloaded
	case status >= 500:
		return ErrUpstream
	}
	return ErrInvalid
}

// MaxLoss bounds what a crash (kill -9) can lose of the history: the counts
// since the last write began, store.UsageFlushInterval at most, and a second
// for the write that was under way (encoding, fsync and rename; tens of
// milliseconds on an idle disk). The crash tests hold the ledger to it.
const MaxLoss = store.UsageFlushInterval + time.Second

// Options tune a Ledger; the zero value is production's setting.
type Options struct {
	Logger *slog.Logger
	Every  time.Duration // merge into the store this often; 1s if zero
	Buffer int           // records that may wait for the merger; 8192 if zero
}

// Ledger counts finished requests into a usage history File.
type Ledger struct {
	file    *store.File[store.Usage]
	log     *slog.Logger
	every   time.Duration
	in      chan Record
	syncReq chan chan struct{}
	dropped atomic.Int64
	done    chan struct{}
	exited  chan struct{}
	closed  atomic.Bool
	now     func() time.Time
	folded  time.Time // when the retention rules were last applied

	pending map[store.UsageKey]*store.UsageCounts // the merger's own
}

// New starts a Ledger over file (the store's Usage).
func New(file *store.File[store.Usage], opts Options) *Ledger {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Every <= 0 {
		opts.Every = time.Second
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 8192
	}
	l := &Ledger{file: file, log: opts.Logger, every: opts.Every, in: make(chan Record, opts.Buffer),
		syncReq: make(chan chan struct{}), done: make(chan struct{}), exited: make(chan struct{}), now: time.Now,
		pending: map[store.UsageKey]*store.UsageCounts{}}
	go l.run()
	// The store's batch writer takes what is pending at each write, so a
	// count waits for one write at most, not for a merge and then a write.
	file.SetBeforeBatch(func() { _ = l.Sync(context.Background()) })
	return l
}

// Add counts a finished request. It never blocks: if the merger has fallen
// a whole buffer behind, the record is dropped and counted (Dropped), since
// the request path matters more than its statistics. Safe on a nil Ledger.
func (l *Ledger) Add(r Record) {
	if l == nil || r.API == "" {
		return
	}
	select {
	case l.in <- r:
	default:
		l.dropped.Add(1)
	}
}

// Dropped is the number of records Add could not hand over.
func (l *Ledger) Dropped() int64 { return l.dropped.Load() }

// Sync merges every record added so far into the store's state (not yet
// to disk), so a query that follows sees them.
func (l *Ledger) Sync(ctx context.Context) error {
	if l.closed.Load() {
		return nil // Close merged everything
	}
	ack := make(chan struct{})
	select {
	case l.syncReq <- ack:
	case <-l.exited:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close merges what is pending and stops the merger. The store's Usage
// file must be closed after it (Store.Close writes it).
func (l *Ledger) Close() {
	if l.closed.Swap(true) {
		return
	}
	close(l.done)
	<-l.exited
}

func (l *Ledger) run() {
	defer close(l.exited)
	// A history opened after days without a request is folded now, not at
	// the first request.
	l.foldIfDue()
	t := time.NewTicker(l.every)
	defer t.Stop()
	for {
		select {
		case r := <-l.in:
			l.count(r)
		case <-t.C:
			l.merge()
			l.foldIfDue()
		case ack := <-l.syncReq:
			l.drain()
			l.merge()
			close(ack)
		case <-l.done:
			l.drain()
			l.merge()
			return
		}
	}
}

func (l *Ledger) drain() {
	for {
		select {
		case r := <-l.in:
			l.count(r)
		default:
			return
		}
	}
}

// count adds r to the pending sums.
func (l *Ledger) count(r Record) {
	k := store.UsageKey{Start: time.Unix(r.Start.Unix()/3600*3600, 0).UTC(), Account: r.Account, Model: r.Model,
		Requested: r.Requested, Client: clientname.Of(r.UserAgent), API: r.API}
	c := l.pending[k]
	if c == nil {
		c = &store.UsageCounts{Latency: make([]int64, store.LatencyBuckets), FirstByte: make([]int64, store.LatencyBuckets)}
		l.pending[k] = c
	}
	c.Requests++
	if cl := ErrorClass(r.Status); cl != "" {
		if c.Errors == nil {
			c.Errors = map[string]int64{}
		}
		c.Errors[cl]++
	}
	c.Input += int64(r.Input)
	c.Output += int64(r.Output)
	c.CacheRd += int64(r.CacheRead)
	c.CacheWr += int64(r.CacheWrite)
	if r.Estimated {
		c.Estimated++
	}
	c.Credits += r.Credits
	c.Latency[bucket(r.Latency)]++
	if r.FirstByte > 0 {
		c.FirstByte[bucket(r.FirstByte)]++
	}
}

// merge hands the pending sums to the store (which writes them with its
// next batch) and applies the retention rules.
func (l *Ledger) merge() {
	if len(l.pending) == 0 {
		return
	}
	pending := l.pending
	l.pending = map[store.UsageKey]*store.UsageCounts{}
	now := l.now()
	l.folded = now
	l.file.Touch(func(u *store.Usage) {
		idx := u.UsageIndex()
		for k, c := range pending {
			u.AddHour(idx, k, c)
		}
		u.Fold(now)
	})
}

// foldIfDue applies the retention rules when the history holds a row they
// would fold or drop, at most once an hour (a merge applies them too).
// Only then is the file touched, so an idle app does not rewrite it.
func (l *Ledger) foldIfDue() {
	now := l.now()
	if !l.folded.IsZero() && now.Sub(l.folded) < time.Hour {
		return
	}
	l.folded = now
	due := false
	l.file.View(func(u *store.Usage) { due = u.FoldDue(now) })
	if due {
		l.file.Touch(func(u *store.Usage) { u.Fold(now) })
	}
}

// bucket is the histogram bucket of a duration.
func bucket(d time.Duration) int {
	ms := d.Milliseconds()
	for i, b := range store.LatencyBoundsMs {
		if ms <= b {
			return i
		}
	}
	return len(store.LatencyBoundsMs)
}
