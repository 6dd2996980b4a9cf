// Package relay runs one model call against the account pool: it picks an
// account, builds Kiro's request, sends it, refreshes a rejected token once,
// fails over to another account on errors another account could avoid, and
// turns the answer into canonical events for the client API's writer.
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
	"math/rand/v2"
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

// DefaultAttempts is how many accounts one request may try.
const DefaultAttempts = 3

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
	// Backoff is the base pause between attempts (jittered); default 100ms.
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
		opts.Backoff = 100 * time.Millisecond
	}
	if opts.Tokens == nil {
		opts.Tokens = &tokens.Counter{}
	}
	if opts.Timeouts == nil {
		opts.Timeouts = func() (time.Duration, time.Duration) { return 90 * time.Second, 120 * time.Second }
	}
	return &Relay{opts: opts, log: opts.Logger}
}

// Do runs req. An error returned before Start is for the handler to answer
// with a status (a *payload.RuleError, *kiro.UpstreamError, *pool.ErrNoAccount
// or the context's error); after Start, Do returns only the sink's write error.
func (r *Relay) Do(ctx context.Context, req *canon.Request, sink Sink) error {
	if run := r.opts.ServerTools; run != nil && len(req.ServerTools) > 0 {
		return run(ctx, req, sink, serverUpstream{r}) // server tools: servertools.go
	}
	estimate := -1 // counted once the request passed the builder's checks
	key := conversationKey(req)
	model := payload.NormalizeModel(req.Model, r.cachedModels())
	reqlog.SetModel(ctx, model)
	tried := map[string]bool{}
	var lastErr error
	attempts := r.opts.Attempts
	if r.opts.AttemptsSetting != nil {
		if n := r.opts.AttemptsSetting(); n > 0 {
			attempts = n
		}
	}
	for attempt := range attempts {
		if attempt > 0 {
			if err := pause(ctx, r.opts.Backoff, attempt); err != nil {
				return err
			}
		}
		acct, release, err := r.opts.Pool.Acquire(ctx, tried, key, model)
		if err != nil {
			if lastErr != nil && len(tried) > 0 {
				return r.failed(lastErr, model)
			}
			return err
		}
		tried[acct.ID] = true
		retry, err := r.attempt(ctx, req, acct, attempt, &estimate, sink, release)
		if !retry {
			return err
		}
		lastErr = err
	}
	return r.failed(lastErr, model)
}

// failed is the answer after every try failed with last. When the tries
// took every account out (cooling down, exhausted), the client is told when
// the first comes back, with last as the reason; otherwise last itself
// says more than "nothing left".
func (r *Relay) failed(last error, model string) error {
	var ue *kiro.UpstreamError
	if errors.As(last, &ue) && ue.Class == kiro.ClassModel {
		return last // no account has the model: waiting will not help
	}
	if none := r.opts.Pool.Resting(model); none != nil && none.RetryAfter > 0 {
		none.Reason += "; the last try failed: " + last.Error()
		none.Cause = last
		return none
	}
	return last
}

// attempt runs one try on acct, holding the account's slot until it
// returns. retry reports that another account may succeed where this one
// failed; otherwise err is the final result of the call.
func (r *Relay) attempt(ctx context.Context, req *canon.Request, acct store.Account, n int, estimate *int, sink Sink, release func()) (retry bool, err error) {
	defer release()
	began := r.opts.Pool.Now() // failures of calls begun before a rest do not lengthen it
	cr, err := r.opts.Pool.Credentials(ctx, acct.ID)
	if err != nil {
		r.log.Warn("account not usable", "account", acct.ID, "err", err)
		return true, err
	}
	built, err := payload.Build(req, payload.Options{ConversationID: kiro.UUID(), ProfileARN: profileARN(acct, cr), Models: r.cachedModels()})
	if err != nil {
		return false, err // the request's shape: no other account would do better
	}
	if *estimate < 0 {
		*estimate = r.opts.Tokens.Request(req)
	}
	firstByte, idle := r.opts.Timeouts()
	callCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := time.AfterFunc(firstByte, func() { cancel(errFirstByte) })
	resp, err := r.chat(callCtx, acct.ID, cr, built.Body)
	timer.Stop()
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err() // the client left: not the account's fault
		}
		if errors.Is(context.Cause(callCtx), errFirstByte) {
			err = &kiro.UpstreamError{Status: 504, Class: kiro.ClassServer,
				Message: fmt.Sprintf("Kiro did not start answering within %s", firstByte)}
		}
		r.opts.Pool.Report(ctx, acct.ID, pool.Outcome{Model: built.ModelID, Err: err, Began: began})
		var ue *kiro.UpstreamError
		if errors.As(err, &ue) && !ue.Retryable() {
			return false, err
		}
		r.log.Info("failing over", "account", acct.ID, "attempt", n+1, "err", err)
		return true, err
	}
	err = r.stream(ctx, callCtx, cancel, idle, req, acct.ID, built, resp, *estimate, sink, began)
	if re, ok := err.(*retryable); ok {
		r.log.Info("failing over", "account", acct.ID, "attempt", n+1, "err", re.err)
		return true, re.err
	}
	return false, err
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

// stream reads the answer. ctx is the client's; callCtx is the upstream
// call's, cancelled by the idle watchdog when Kiro goes silent too long.
func (r *Relay) stream(ctx, callCtx context.Context, cancel context.CancelCauseFunc, idle time.Duration,
	req *canon.Request, id string, built *payload.Built, body io.ReadCloser, estimate int, sink Sink, began time.Time) error {
	defer body.Close()
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
	r.opts.Pool.Report(ctx, id, pool.Outcome{Model: built.ModelID, Err: failed, Began: began, InputTokens: usage.InputTokens,
		OutputTokens: usage.OutputTokens, Credits: usage.Credits})
	return nil
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

func pause(ctx context.Context, base time.Duration, attempt int) error {
	d := base << (attempt - 1)
	d += time.Duration(rand.Int64N(int64(d)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// conversationKey identifies the conversation for sticky selection: the
// client's own key (metadata.user_id, user) when it sent one, else a hash of
// the system prompt and the first message, which stay the same for every
// turn of a conversation.
func conversationKey(req *canon.Request) string {
	if req.ConversationKey != "" {
		return req.ConversationKey
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
