package relay

import (
	"context"
	"errors"
	"fmt"
	"kirodesk/internal/canon"
	"math/rand/v2"
	"strings"
	"time"

	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/reqlog"
)

// Failed is the answer when every try of a request failed before the
// client saw a byte, and the accounts are not all resting: the client is
// told what went wrong (Last) and where, not to come back later.
type Failed struct {
	Last     error    // the last try's failure
	Accounts []string // the accounts tried, by label, in order, each once
	Tries    int
	// RetryAfter is when a throttled or busy upstream may take the request
	// again (Kiro's Retry-After, or the accounts' rests); 0: not said.
	RetryAfter time.Duration
}

func (f *Failed) Error() string {
	tries := "1 try"
	if f.Tries != 1 {
		tries = fmt.Sprintf("%d tries", f.Tries)
	}
	acct := "account"
	if len(f.Accounts) != 1 {
		acct = "accounts"
	}
	return fmt.Sprintf("%s on Kiro %s %s failed; the last: %v", tries, acct, strings.Join(f.Accounts, ", "), f.Last)
}

func (f *Failed) Unwrap() error { return f.Last }

// ModelError means the model asked for is one no account can use: the
// client's to fix, answered at once, with the models that work.
type ModelError struct {
	Model string   // as the client spelled it
	Known []string // Kiro model ids that work
	// Unavailable: a catalogue lists the model but Kiro said the accounts
	// cannot use it (INVALID_MODEL_ID); Accounts names those this request
	// tried. Otherwise no catalogue knows the model.
	Unavailable bool
	Accounts    []string
	// Alias is the client's own name when Model came from one of
	// Kirodesk's model aliases (set by the API handler, which applied it).
	Alias string
}

func (e *ModelError) Error() string {
	subject := fmt.Sprintf("%q", echo(e.Model))
	if e.Alias != "" {
		// Never served by another model in its place: the client is told
		// which model its name stands for, so the person can change the alias.
		subject += fmt.Sprintf(" (Kirodesk's alias for %q)", echo(e.Alias))
	}
	if e.Unavailable {
		who := "any of the Kiro accounts"
		if len(e.Accounts) > 0 {
			who = "Kiro account(s) " + strings.Join(e.Accounts, ", ")
		}
		return fmt.Sprintf("model %s is not available to %s; models that work: %s", subject, who, strings.Join(e.Known, ", "))
	}
	return fmt.Sprintf("unknown model %s; models that work: %s", subject, strings.Join(e.Known, ", "))
}

// echo cuts a client's model name for an answer: it can be any size; the
// answer need not be.
func echo(model string) string {
	if len(model) > maxModelEcho {
		return strings.ToValidUTF8(model[:maxModelEcho], "") + "…"
	}
	return model
}

// maxModelEcho bounds how much of a client's model name an error repeats.
const maxModelEcho = 100

// verdict is what one try's failure means for the request's next try.
type verdict int

const (
	final     verdict = iota // answer the client with it
	elsewhere                // this account cannot serve it; another may
	again                    // transient: another account, or this one after a pause
)

// judge sorts a failure before the first byte (kiro-protocol.md §6).
func judge(err error) verdict {
	var ue *kiro.UpstreamError
	if !errors.As(err, &ue) {
		return again // no answer, a broken stream: transient
	}
	switch ue.Class {
	case kiro.ClassBadRequest, kiro.ClassTooLong:
		return final
	case kiro.ClassServer, kiro.ClassThrottle, kiro.ClassCapacity:
		return again
	}
	return elsewhere // quota, suspension, auth a refresh did not fix, model
}

// maxRetryAfter bounds how long a request waits on Kiro's Retry-After
// before trying the same account again; a longer one ends the request
// with 429 and that Retry-After.
const maxRetryAfter = 8 * time.Second

// backoff is the pause before trying an account for the n-th time (n >= 2):
// base, doubled each time, with up to 50% jitter, or Kiro's Retry-After
// when it asked for longer. ok is false when Kiro asked for more than
// maxRetryAfter.
func (r *Relay) backoff(n int, last error) (d time.Duration, ok bool) {
	d = r.opts.Backoff << min(n-2, 10)
	d += time.Duration(rand.Int64N(int64(d/2) + 1))
	var ue *kiro.UpstreamError
	if errors.As(last, &ue) && ue.RetryAfter > 0 {
		if ue.RetryAfter > maxRetryAfter {
			return 0, false
		}
		d = max(d, ue.RetryAfter)
	}
	return d, true
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// failed is the answer after every try failed. When the tries took every
// account out (throttled, exhausted, suspended), the client is told which
// and when the first comes back, with the last failure as the reason. A
// failure without an answer (5xx, timeout, a broken stream) is said as
// such: it is no reason to wait.
func (r *Relay) failed(ctx context.Context, req *canon.Request, model string, f *Failed) error {
	reqlog.EndTries(ctx)
	var ue *kiro.UpstreamError
	if !errors.As(f.Last, &ue) {
		return f
	}
	switch ue.Class {
	case kiro.ClassModel:
		return &ModelError{Model: req.Model, Known: r.modelNames(ctx), Unavailable: true, Accounts: f.Accounts}
	case kiro.ClassServer, kiro.ClassBadRequest, kiro.ClassTooLong:
		return f
	}
	if none := r.opts.Pool.Resting(ctx, model); none != nil && none.RetryAfter > 0 {
		none.Reason += "; the last try failed: " + ue.Error()
		none.RetryAfter = max(none.RetryAfter, ue.RetryAfter)
		none.Cause = f
		return none
	} else if none != nil && ue.Class != kiro.ClassThrottle && ue.Class != kiro.ClassCapacity {
		none.Cause = f
		return none
	}
	if ue.Class == kiro.ClassThrottle || ue.Class == kiro.ClassCapacity {
		f.RetryAfter = max(ue.RetryAfter, time.Second)
	}
	return f
}

// Known reports whether the relay would take name as a model: a catalogue
// lists it (as the builder normalises it), or it is shaped like a Claude
// model. The API handlers apply the unknown-model alias only to names it
// refuses.
func (r *Relay) Known(ctx context.Context, name string) bool {
	return r.knownModel(ctx, payload.NormalizeModel(name, r.cachedModels()))
}

// Listed reports whether a catalogue (the built-in one, or the accounts'
// list once fetched) lists name as one of Kiro's models, as the builder
// normalises it. An alias never hides such a model (alias.go in api).
// Like knownModel, the first call fetches the accounts' list.
func (r *Relay) Listed(ctx context.Context, name string) bool {
	cat := r.cachedModels()
	if cat == nil {
		cat = r.Models(ctx)
	}
	model := payload.NormalizeModel(name, cat)
	if _, ok := cat.Lookup(model); ok {
		return true
	}
	_, ok := payload.BuiltinModels().Lookup(model)
	return ok
}

// knownModel reports whether a catalogue (the accounts' or the built-in
// one) lists model, or whether it is shaped like a Claude model the table
// does not know yet (Kiro is asked; see payload.NormalizeModel).
func (r *Relay) knownModel(ctx context.Context, model string) bool {
	if model == "" || model == "auto" || strings.HasPrefix(model, "claude") {
		return true
	}
	if _, ok := payload.BuiltinModels().Lookup(model); ok {
		return true
	}
	cat := r.cachedModels()
	if cat == nil {
		cat = r.Models(ctx) // the first request: the accounts' own list may hold more
	}
	_, ok := cat.Lookup(model)
	return ok
}

// listed reports whether a catalogue lists model (not merely its shape).
func (r *Relay) listed(model string) bool {
	if _, ok := payload.BuiltinModels().Lookup(model); ok {
		return true
	}
	_, ok := r.cachedModels().Lookup(model)
	return ok
}

// modelNames is what the client is told works.
func (r *Relay) modelNames(ctx context.Context) []string {
	cat := r.Models(ctx)
	out := make([]string, 0, len(cat))
	for _, m := range cat {
		out = append(out, m.ID)
	}
	return out
}
