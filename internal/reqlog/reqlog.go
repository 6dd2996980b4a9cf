// Package reqlog remembers the proxy's recent requests in memory, for the
// Logs window's request log and the dashboard's live figures (rate, errors,
// tokens today). The server opens a Note per request in its context; the
// relay fills in the model, account and tokens as it learns them; the
// server hands the finished entry to a Log. Nothing here is written to disk,
// and no body nor header but the User-Agent is kept, so no credential can
// end up here.
package reqlog

import (
	"context"
	"sync"
	"time"

	"kirodesk/internal/ring"
)

// Entry is one finished request.
type Entry struct {
	Seq          int64     `json:"seq"`
	Time         time.Time `json:"time"`
	Method       string    `json:"method"`
	Path         string    `json:"path"`
	Model        string    `json:"model,omitempty"`
	Account      string    `json:"account,omitempty"` // account id
	Status       int       `json:"status"`
	LatencyMs    int64     `json:"latencyMs"`
	InputTokens  int       `json:"inputTokens"`
	OutputTokens int       `json:"outputTokens"`
	Credits      float64   `json:"credits"` // Kiro's metering, when it sent one
	// RequestedModel is the client's model name when a model alias sent
	// the request to Model, the Kiro model that served it (config.json
	// modelAliases, unknownModelAlias); "" when no alias applied.
	RequestedModel string `json:"requestedModel,omitempty"`
	// Warnings say what was dropped or changed in the request instead of
	// refusing it (a tool type Kiro cannot carry, say).
	Warnings []string `json:"warnings,omitempty"`
	// RequestID is set when the request failed for a reason no rule
	// classified: the client was given this id, the log has the details.
	RequestID string `json:"requestId,omitempty"`
	// Error is what the client was told when the request failed.
	Error string `json:"error,omitempty"`
	// Tries are the accounts tried, in order, with what each one did.
	Tries []Try `json:"tries,omitempty"`
	// Client is the program that sent the request, named from its
	// User-Agent (see ClientName); UserAgent is that header, cut short.
	Client    string `json:"client"`
	UserAgent string `json:"userAgent,omitempty"`
	// FirstByteMs is the time until the first byte of the answer was
	// written (-1: nothing was written); BytesIn and BytesOut are the sizes
	// of the request body read and of the answer written.
	FirstByteMs int64 `json:"firstByteMs"`
	BytesIn     int64 `json:"bytesIn"`
	BytesOut    int64 `json:"bytesOut"`
	// Pinned is the account the client asked to be served by (the
	// X-Kirodesk-Account header); such a request never fails over.
	Pinned string `json:"pinned,omitempty"`
}

// Outcomes of a Try.
const (
	OutcomeAnswered = "answered" // this account answered the client
	OutcomeFailed   = "failed"   // the failure was the request's answer
	OutcomeMovedOn  = "moved-on" // the account cannot serve it; another was tried
	OutcomeRetry    = "retry"    // a transient failure; tried again
)

// Try is one attempt on one account.
type Try struct {
	Account string `json:"account"` // account id
	Label   string `json:"label,omitempty"`
	Outcome string `json:"outcome"`
	Status  int    `json:"status,omitempty"` // Kiro's HTTP status, when it sent one
	Error   string `json:"error,omitempty"`
	// WaitMs is the pause before this try (a backoff on the same account).
	WaitMs int64 `json:"waitMs,omitempty"`
}

// maxUserAgent bounds the User-Agent kept per entry.
const maxUserAgent = 200

// Note collects what the handlers learn about a request while it runs.
type Note struct {
	mu    sync.Mutex
	model string
	acct  string
	pin   string
	in    int
	out   int
	cred  float64
	warn  []string
	id    string
	err   string
	tries []Try

	// requested is the client's model name, when an alias changed it.
	requested string

	client, ua        string
	firstByte         time.Duration
	wrote             bool
	bytesIn, bytesOut int64
	// Token detail for the usage history (detail.go).
	cacheRd, cacheWr int
	estimated        bool
}

type noteKey struct{}

// WithNote returns ctx carrying a fresh Note.
func WithNote(ctx context.Context) (context.Context, *Note) {
	n := &Note{}
	return context.WithValue(ctx, noteKey{}, n), n
}

// note calls set with ctx's Note locked (nothing without a Note).
func note(ctx context.Context, set func(n *Note)) {
	if n, ok := ctx.Value(noteKey{}).(*Note); ok {
		n.mu.Lock()
		defer n.mu.Unlock()
		set(n)
	}
}

// SetModel records the model a request asked for (no-op without a Note).
func SetModel(ctx context.Context, model string) {
	note(ctx, func(n *Note) { n.model = model })
}

// SetRequestedModel records the client's model name when a model alias
// sent the request to another (SetModel records that one).
func SetRequestedModel(ctx context.Context, name string) {
	note(ctx, func(n *Note) { n.requested = name })
}

// SetAccount records the account that answered.
func SetAccount(ctx context.Context, id string) {
	note(ctx, func(n *Note) { n.acct = id })
}

// SetPinned records the account a request was pinned to.
func SetPinned(ctx context.Context, id string) {
	note(ctx, func(n *Note) { n.pin = id })
}

// SetUsage records the tokens and credits of the answer.
func SetUsage(ctx context.Context, in, out int, credits float64) {
	note(ctx, func(n *Note) { n.in, n.out, n.cred = in, out, credits })
}

// AddWarnings records what was dropped or changed in the request.
func AddWarnings(ctx context.Context, ws []string) {
	note(ctx, func(n *Note) { n.warn = append(n.warn, ws...) })
}

// SetRequestID records the id a failed request's client was given.
func SetRequestID(ctx context.Context, id string) {
	note(ctx, func(n *Note) { n.id = id })
}

// SetError records what the client was told about a failure. The first
// one stays: it is the cause, a later one only its echo.
func SetError(ctx context.Context, msg string) {
	note(ctx, func(n *Note) {
		if n.err == "" {
			n.err = msg
		}
	})
}

// AddTry records one attempt on one account.
func AddTry(ctx context.Context, t Try) {
	note(ctx, func(n *Note) {
		if n.tries == nil {
			n.tries = make([]Try, 0, 2) // most requests fail over at most once
		}
		n.tries = append(n.tries, t)
	})
}

// EndTries says the request gave up: the last try, which said another would
// follow, was the last.
func EndTries(ctx context.Context) {
	note(ctx, func(n *Note) {
		if k := len(n.tries) - 1; k >= 0 && n.tries[k].Outcome != OutcomeAnswered {
			n.tries[k].Outcome = OutcomeFailed
		}
	})
}

// SetClient records the request's User-Agent and the client it names.
func (n *Note) SetClient(userAgent string) {
	name := ClientName(userAgent)
	if len(userAgent) > maxUserAgent {
		userAgent = userAgent[:maxUserAgent]
	}
	n.mu.Lock()
	n.client, n.ua = name, userAgent
	n.mu.Unlock()
}

// SetTransfer records the sizes read and written and, when anything was
// written, how long the first byte took.
func (n *Note) SetTransfer(in, out int64, wrote bool, firstByte time.Duration) {
	n.mu.Lock()
	n.bytesIn, n.bytesOut, n.wrote, n.firstByte = in, out, wrote, firstByte
	n.mu.Unlock()
}

// Entry turns the note into an entry for a finished request.
func (n *Note) Entry(start time.Time, method, path string, status int) Entry {
	n.mu.Lock()
	defer n.mu.Unlock()
	return Entry{Time: start, Method: method, Path: path, Model: n.model, RequestedModel: n.requested, Account: n.acct, Status: status,
		LatencyMs: time.Since(start).Milliseconds(), InputTokens: n.in, OutputTokens: n.out, Credits: n.cred,
		Warnings: append([]string(nil), n.warn...), RequestID: n.id, Error: n.err,
		Tries: append([]Try(nil), n.tries...), Client: n.client, UserAgent: n.ua,
		FirstByteMs: firstByteMs(n.wrote, n.firstByte), BytesIn: n.bytesIn, BytesOut: n.bytesOut,
		Pinned: n.pin}
}

func firstByteMs(wrote bool, d time.Duration) int64 {
	if !wrote {
		return -1
	}
	return d.Milliseconds()
}

// Stats are the dashboard's live figures.
type Stats struct {
	// PerMinute is the number of requests finished in the last 60 seconds.
	PerMinute     int     `json:"perMinute"`
	RequestsToday int64   `json:"requestsToday"`
	ErrorsToday   int64   `json:"errorsToday"`
	InputToday    int64   `json:"inputTokensToday"`
	OutputToday   int64   `json:"outputTokensToday"`
	CreditsToday  float64 `json:"creditsToday"`
}

// Log keeps the last entries and today's totals. Safe for concurrent use.
type Log struct {
	now     func() time.Time
	entries *ring.Ring[Entry] // has its own lock

	mu     sync.Mutex
	day    string // local date of the totals
	today  Stats
	minute []time.Time // finish times within the last minute
	watch  []func(Entry)
}

// New returns a Log keeping size entries; now is time.Now if nil.
func New(size int, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{entries: ring.New[Entry](size), now: now}
}

// Add records a finished request.
func (l *Log) Add(e Entry) {
	l.mu.Lock()
	// Numbered under l.mu, so watchers see entries in Seq order.
	e = l.entries.Push(func(seq int64) Entry { e.Seq = seq; return e })
	now := l.now()
	l.rollLocked(now)
	l.today.RequestsToday++
	if e.Status >= 400 {
		l.today.ErrorsToday++
	}
	l.today.InputToday += int64(e.InputTokens)
	l.today.OutputToday += int64(e.OutputTokens)
	l.today.CreditsToday += e.Credits
	l.minute = append(l.minute, now)
	watchers := l.watch
	l.mu.Unlock()
	for _, fn := range watchers {
		fn(e)
	}
}

// Watch calls fn after every Add, outside the Log's lock.
func (l *Log) Watch(fn func(Entry)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.watch = append(l.watch, fn)
}

// Since returns the entries with Seq > after, oldest first.
func (l *Log) Since(after int64) []Entry { return l.entries.Since(after) }

// Stats returns the live figures.
func (l *Log) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rollLocked(l.now())
	s := l.today
	s.PerMinute = len(l.minute)
	return s
}

// rollLocked starts a new day's totals at local midnight and drops finish
// times older than a minute.
func (l *Log) rollLocked(now time.Time) {
	if d := now.Format(time.DateOnly); d != l.day {
		l.day, l.today = d, Stats{}
	}
	cut := now.Add(-time.Minute)
	i := 0
	for i < len(l.minute) && !l.minute[i].After(cut) {
		i++
	}
	l.minute = l.minute[i:]
}
