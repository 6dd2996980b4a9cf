// Package relay runs one model call against the account pool: it picks an
// account, builds Kiro's request, sends it, refreshes a rejected token once,
// fails over to another account on errors another account could avoid (and
// tries the same one again, after a pause, on transient ones when no other
// can take the request), and turns the answer into canonical events for the
// client API's writer. Errors are answered by their class (failure.go).
//
// Nothing reaches the client until an upstream answered 200: Sink.Start is
// called only then, so a streaming request fails over as freely as a plain
// one. After Start, failures arrive as one canonical error event.
package relay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"kirodesk/internal/canon"
	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/eventstream"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/kiro/response"
	"kirodesk/internal/pool"
	"kirodesk/internal/reqlog"
	"kirodesk/internal/store"
	"kirodesk/internal/tokens"
)

// DefaultAttempts is how many tries one request may make, on any
// accounts (the same one again when it is the only one).
const DefaultAttempts = 3

// DefaultBackoff is the first pause before the same account is tried
// again; it doubles with each retry (0.5 s, 1 s, 2 s, jittered).
const DefaultBackoff = 500 * time.Millisecond

// DefaultFirstByte is how long Kiro may take to start answering. Kiro
// reads the whole prompt before it sends its first frame, and a prompt
// near the 200k-token window (a coding agent's usual turn) with thinking
// on legitimately takes a minute or more; a shorter wait would cut off
// exactly the largest, costliest requests and retry them for nothing.
const DefaultFirstByte = 90 * time.Second

// DefaultIdle is how long a stream may stay silent between two frames.
const DefaultIdle = 120 * time.Second

// Sink receives a call's result.
type Sink interface {
	// Start is called once, when an upstream answered 200, before any event.
	Start(info Started) error
	// Event receives the canonical events in order; the last is a stop or an error.
	Event(ev canon.Event) error
	// Flush sends what the events wrote to the client. The relay calls it
	// whenever the next upstream frame has not arrived yet, so writes that
	// arrive together go out together and nothing waits on the network.
	Flush() error
}

// Started describes the call that is answering.
type Started struct {
	Account       string // account id
	Model         string // Kiro model id
	InputEstimate int    // local estimate of input tokens, for message_start
}

// Options configure a Relay.
type Options struct {
	Pool     *pool.Pool
	Client   *kiro.Client
	Tokens   *tokens.Counter
	Logger   *slog.Logger
	Attempts int
	// AttemptsSetting, when set, is read per request and wins over
	// Attempts when it returns more than 0 (the retries setting).
	AttemptsSetting func() int
	// Backoff is the first pause before retrying the same account
	// (DefaultBackoff when 0); tests shrink it.
	Backoff time.Duration
	// Timeouts returns, per call, how long to wait for Kiro's answer to
	// start and how long a stream may stay silent (settings, read live).
	Timeouts func() (firstByte, idle time.Duration)
	// ServerTools runs requests that declare server tools (web search; see
	// servertools.go). Nil: they go to Kiro without them.
	ServerTools ServerToolRunner
}

var (
	errFirstByte = errors.New("first byte timeout")
	errIdle      = errors.New("idle timeout")
)

// Relay is safe for concurrent use.
type Relay struct {
	opts   Options
	log    *slog.Logger
	models catalogue
}

// New returns a Relay.
func New(opts Options) *Relay {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Attempts <= 0 {
		opts.Attempts = DefaultAttempts
	}
	if opts.Backoff <= 0 {
		opts.Backoff = DefaultBackoff
	}
	if opts.Tokens == nil {
		opts.Tokens = &tokens.Counter{}
	}
	if opts.Timeouts == nil {
		opts.Timeouts = func() (time.Duration, time.Duration) { return DefaultFirstByte, DefaultIdle }
	}
	return &Relay{opts: opts, log: opts.Logger}
}

// Do runs req. An error returned before Start is for the handler to answer
// with a status (a *payload.RuleError, *kiro.UpstreamError, *ModelError,
// *Failed, *pool.ErrNoAccount or the context's error); after Start, Do
// returns only the sink's write error.
//
// A transient failure (5xx, no answer, throttling, capacity, a broken
// answer nobody saw yet) is tried on another account first, and on the
// same one after a pause when no other can take it; a failure only this
// account has (quota, suspension, auth) moves on to another account; the
// request's own faults (malformed, too long, unknown model) end the
// request at once and mark no account.
//
// A request pinned to an account (pool.Pin) is refused with a
// *pool.PinError when that account is not set up or turned off, and is
// never served by another account: its tries all go to the one named.
func (r *Relay) Do(ctx context.Context, req *canon.Request, sink Sink) error {
	if id := pool.Pinned(ctx); id != "" {
		reqlog.SetPinned(ctx, id) // refused or not, the log says what was asked
		if err := r.opts.Pool.CheckPin(id); err != nil {
			return err
		}
	}
	if run := r.opts.ServerTools; run != nil && len(req.ServerTools) > 0 {
		return run(ctx, req, sink, serverUpstream{r}) // server tools: servertools.go
	}
	estimate := &inputCount{} // counted once the request passed the builder's checks
	key := conversationKey(req)
	// A copy: the request log keeps it, and a long client string may
	// share the request body's memory (jsontree), which it would then
	// keep for as long.
	model := strings.Clone(payload.NormalizeModel(req.Model, r.cachedModels()))
	reqlog.SetModel(ctx, model)
	if !r.knownModel(ctx, model) {
		return &ModelError{Model: req.Model, Known: r.modelNames(ctx)}
	}
	attempts := r.opts.Attempts
	if r.opts.AttemptsSetting != nil {
		if n := r.opts.AttemptsSetting(); n > 0 {
			attempts = n
		}
	}
	tried := map[string]int{} // tries per account
	out := map[string]bool{}  // accounts this request will not try again
	skip := map[string]bool{} // tried or out: prefer another account
	f := &Failed{}
	for range attempts {
		acct, release, err := r.opts.Pool.Acquire(ctx, skip, key, model)
		if err != nil && len(out) < len(tried) {
			// No other account: one that failed in a way that may pass, again.
			acct, release, err = r.opts.Pool.Acquire(ctx, out, key, model)
		}
		if err != nil {
			if f.Last != nil && !errors.Is(err, context.Canceled) {
				return r.failed(ctx, req, model, f)
			}
			var none *pool.ErrNoAccount
			if errors.As(err, &none) && none.ModelUnavailable {
				return &ModelError{Model: req.Model, Known: r.modelNames(ctx), Unavailable: true}
			}
			return err
		}
		var wait time.Duration
		if n := tried[acct.ID] + 1; n > 1 {
			d, ok := r.backoff(n, f.Last)
			if !ok {
				release()
				return r.failed(ctx, req, model, f)
			}
			if err := sleep(ctx, d); err != nil {
				release()
				return err
			}
			wait = d
		}
		tried[acct.ID]++
		skip[acct.ID] = true
		if tried[acct.ID] == 1 {
			f.Accounts = append(f.Accounts, pool.Label(acct))
		}
		f.Tries++
		v, err := r.attempt(ctx, req, acct, f.Tries, estimate, sink, release)
		reqlog.AddTry(ctx, logTry(acct, v, err, wait))
		switch {
		case v == final:
			return err
		case v == elsewhere, v == again && slowStart(err) && tried[acct.ID] >= maxSlowStarts:
			out[acct.ID] = true
		}
		f.Last = err
	}
	return r.failed(ctx, req, model, f)
}

// maxSlowStarts is how many first-byte timeouts one account gets in one
// request. Each costs the whole firstByteTimeoutSeconds (90 s by default),
// so a second try on the same account is worth it (a slow start is often a
// busy moment) but a third would keep a client with one account waiting
// four and a half minutes for a 504.
const maxSlowStarts = 2

// slowStart reports whether err is Kiro not starting to answer in time.
func slowStart(err error) bool {
	var ue *kiro.UpstreamError
	return errors.As(err, &ue) && ue.Status == http.StatusGatewayTimeout
}

// attempt runs one try on acct, holding the account's slot until it
// returns, and says what its failure means for the next (see verdict).
func (r *Relay) attempt(ctx context.Context, req *canon.Request, acct store.Account, n int, estimate *inputCount, sink Sink, release func()) (verdict, error) {
	defer release()
	began := r.opts.Pool.Now() // failures of calls begun before a rest do not lengthen it
	cr, err := r.opts.Pool.Credentials(ctx, acct.ID)
	if err != nil {
		if ctx.Err() != nil {
			return final, ctx.Err()
		}
		r.log.Warn("account not usable", "account", acct.ID, "err", err)
		return elsewhere, err
	}
	built, err := payload.Build(req, payload.Options{ConversationID: kiro.UUID(), ProfileARN: profileARN(acct, cr), Models: r.cachedModels()})
	if err != nil {
		return final, err // the request's shape: no other account would do better
	}
	// Counted while Kiro reads the prompt, not before sending it.
	estimate.start(func() int { return r.opts.Tokens.Request(req) })
	firstByte, idle := r.opts.Timeouts()
	callCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := time.AfterFunc(firstByte, func() { cancel(errFirstByte) })
	resp, err := r.chat(callCtx, acct.ID, cr, built.Body)
	timer.Stop()
	if err != nil {
		if ctx.Err() != nil {
			return final, ctx.Err() // the client left: not the account's fault
		}
		var ue *kiro.UpstreamError
		switch {
		case errors.Is(context.Cause(callCtx), errFirstByte):
			err = &kiro.UpstreamError{Status: 504, Class: kiro.ClassServer,
				Message: fmt.Sprintf("Kiro did not start answering within %s", firstByte)}
		case !errors.As(err, &ue):
			err = fmt.Errorf("no answer from Kiro: %w", err) // refused, reset, cut before the status line
		}
		if errors.As(err, &ue) && ue.Class == kiro.ClassModel && !r.listed(built.ModelID) {
			// No catalogue lists the model: the request's fault, and no
			// other account will know it either.
			r.opts.Pool.Report(ctx, acct.ID, pool.Outcome{Model: built.ModelID, Err: err, Began: began, ClientFault: true})
			return final, &ModelError{Model: req.Model, Known: r.modelNames(ctx)}
		}
		r.opts.Pool.Report(ctx, acct.ID, pool.Outcome{Model: built.ModelID, Err: err, Began: began})
		v := judge(err)
		if v != final {
			r.log.Info("trying again", "account", acct.ID, "attempt", n, "err", err)
		}
		return v, err
	}
	err = r.stream(ctx, streamArgs{callCtx: callCtx, cancel: cancel, idle: idle, req: req, account: acct.ID,
		built: built, body: resp, count: estimate, sink: sink, began: began})
	if re, ok := err.(*retryable); ok {
		r.log.Info("trying again", "account", acct.ID, "attempt", n, "err", re.err)
		return again, re.err
	}
	return final, err
}

// inputCount is the request's local input-token estimate, which
// message_start reports and the answer's usage falls back on. Counting a
// coding agent's 500 KB turn takes tens of milliseconds, so it runs once,
// in the background, from the first upstream call on, and is waited for
// only when Kiro has answered 200 and message_start is due: Kiro reads the
// whole prompt before it answers, so in practice the count is long done.
type inputCount struct {
	once sync.Once
	done chan struct{}
	n    int
}

// start begins counting, the first time it is called.
func (c *inputCount) start(count func() int) {
	c.once.Do(func() {
		c.done = make(chan struct{})
		go func() {
			defer close(c.done)
			c.n = count()
		}()
	})
}

// wait returns the count once it is done; start must have been called.
func (c *inputCount) wait() int {
	<-c.done
	return c.n
}

// Rewinder is a Sink that can forget what it received, because none of it
// has reached the client yet; the relay then tries another account when
// an answer breaks off.
type Rewinder interface {
	Rewind() bool
}

// retryable is stream's way of saying "this try failed before the client
// saw anything; try another account".
type retryable struct{ err error }

func (e *retryable) Error() string { return e.err.Error() }

// chat sends the body, refreshing a rejected token once.
func (r *Relay) chat(ctx context.Context, id string, cr kiro.Credentials, body []byte) (io.ReadCloser, error) {
	resp, err := r.opts.Client.Chat(ctx, cr, kiro.MachineID(id), body)
	var ue *kiro.UpstreamError
	if errors.As(err, &ue) && ue.Class == kiro.ClassAuth {
		fresh, rerr := r.opts.Pool.Reauthorize(ctx, id, cr.AccessToken)
		if rerr != nil {
			return nil, rerr
		}
		resp, err = r.opts.Client.Chat(ctx, fresh, kiro.MachineID(id), body)
	}
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// streamArgs is what one attempt hands Relay.stream once Kiro has
// answered: built for that one call and dropped with it.
type streamArgs struct {
	callCtx context.Context         // the upstream call's; its cause says why it ended
	cancel  context.CancelCauseFunc // cancels callCtx (the idle watchdog)
	idle    time.Duration           // the longest silence allowed between frames
	req     *canon.Request
	account string // the account answering
	built   *payload.Built
	body    io.ReadCloser // Kiro's event stream; stream closes it
	count   *inputCount
	sink    Sink
	began   time.Time // when the attempt began, for the pool's latency
}

// stream reads the answer. ctx is the client's; callCtx is the upstream
// call's, cancelled by the idle watchdog when Kiro goes silent too long.
// The fields are unpacked into locals so the body reads as before.
func (r *Relay) stream(ctx context.Context, a streamArgs) error {
	callCtx, cancel, idle, req, id, built, body, count, sink, began :=
		a.callCtx, a.cancel, a.idle, a.req, a.account, a.built, a.body, a.count, a.sink, a.began
	defer body.Close()
	// The count is done before the idle clock starts: waiting for it is
	// not Kiro going silent.
	estimate := count.wait()
	watchdog := time.AfterFunc(idle, func() { cancel(errIdle) })
	defer watchdog.Stop()
	reqlog.SetAccount(ctx, id)
	if err := sink.Start(Started{Account: id, Model: built.ModelID, InputEstimate: estimate}); err != nil {
		return err
	}
	dec := response.NewDecoder(response.Options{
		ToolNames: built.ToolNames, Thinking: req.Thinking != nil, EstimateInput: estimate,
		ContextWindow: 200_000, CountOutput: r.opts.Tokens.Text,
	})
	rd := eventstream.NewReader(body, eventstream.WithLogger(r.log))
	defer rd.Release()
	var buf []canon.Event
	var usage canon.Usage
	var failed error
	unflushed := false
	for done := false; !done; {
		ev, err := rd.Next()
		watchdog.Reset(idle)
		if err != nil && errors.Is(context.Cause(callCtx), errIdle) {
			err = fmt.Errorf("Kiro sent nothing for %s and the answer was cut off", idle)
		}
		switch {
		case errors.Is(err, io.EOF):
			buf, done = dec.End(buf[:0]), true
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err() // client gone; the account did nothing wrong
			}
			if rw, ok := sink.(Rewinder); ok && rw.Rewind() {
				// Nothing reached the client yet (a non-streaming answer
				// is sent whole): another account can still answer.
				r.opts.Pool.Report(ctx, id, pool.Outcome{Model: built.ModelID, Err: err, Began: began})
				return &retryable{err: fmt.Errorf("Kiro's answer broke off: %w", err)}
			}
			failed = err
			reqlog.SetError(ctx, err.Error())
			buf, done = dec.Fail(buf[:0], err), true
		default:
			buf = dec.Feed(buf[:0], ev)
		}
		for _, e := range buf {
			if e.Kind == canon.EventUsage {
				usage = *e.Usage
			}
			if err := sink.Event(e); err != nil {
				return err
			}
		}
		unflushed = unflushed || len(buf) > 0
		if unflushed && (done || !rd.FrameReady()) {
			if err := sink.Flush(); err != nil {
				return err
			}
			unflushed = false
		}
	}
	reqlog.SetUsage(ctx, usage.InputTokens, usage.OutputTokens, usage.Credits)
	reqlog.SetTokenDetail(ctx, usage.CacheReadInputTokens, usage.CacheCreationInputTokens, usage.Estimated)
	r.opts.Pool.Report(ctx, id, pool.Outcome{Model: built.ModelID, Err: failed, Began: began, InputTokens: usage.InputTokens,
		OutputTokens: usage.OutputTokens, Credits: usage.Credits})
	return nil
}

// logTry describes one attempt for the request log.
func logTry(acct store.Account, v verdict, err error, wait time.Duration) reqlog.Try {
	t := reqlog.Try{Account: acct.ID, Label: pool.Label(acct), WaitMs: wait.Milliseconds()}
	switch {
	case v == final && err == nil:
		t.Outcome = reqlog.OutcomeAnswered
	case v == final:
		t.Outcome = reqlog.OutcomeFailed
	case v == elsewhere:
		t.Outcome = reqlog.OutcomeMovedOn
	default:
		t.Outcome = reqlog.OutcomeRetry
	}
	if err != nil {
		t.Error = err.Error()
		var ue *kiro.UpstreamError
		if errors.As(err, &ue) {
			t.Status = ue.Status
		}
	}
	return t
}

// profileARN is sent for social accounts only (kiro-protocol.md section 7).
func profileARN(a store.Account, cr kiro.Credentials) string {
	if a.AuthMethod != store.AuthSocial {
		return ""
	}
	if cr.ProfileARN != "" {
		return cr.ProfileARN
	}
	return a.ProfileARN
}

// conversationKey identifies the conversation for sticky selection: the
// client's own key (metadata.user_id, user) when it sent one, else a hash of
// the system prompt and the first message, which stay the same for every
// turn of a conversation.
func conversationKey(req *canon.Request) string {
	if req.ConversationKey != "" {
		// A copy: sticky selection keeps it (see Do on the model name).
		return strings.Clone(req.ConversationKey)
	}
	if len(req.Messages) == 0 {
		return ""
	}
	h := sha256.New()
	h.Write([]byte(req.Model))
	h.Write([]byte{0})
	h.Write([]byte(req.System))
	h.Write([]byte{0})
	h.Write([]byte(canon.TextOf(req.Messages[0].Content)))
	return "h:" + hex.EncodeToString(h.Sum(nil)[:12])
}
