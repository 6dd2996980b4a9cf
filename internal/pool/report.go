package pool

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"time"

	"kirodesk/internal/kiro"
	"kirodesk/internal/store"
	"kirodesk/internal/uitext"
)

// softStreak is how many consecutive transient errors (throttles, failures
// without an answer, capacity errors) leave a rest soft: the account or
// model is passed over while another is ready, and still tried when none
// is, so that scattered errors, which another try usually gets past, never
// refuse a request. A longer streak means the trouble persists: the rest
// then holds until its time, and a client that finds every account so
// rested gets 429 with Retry-After.
const softStreak = 4

// softRest reports whether an account's state is a soft rest. A cooling
// state written before streaks were stored (Streak 0) counts as one.
func softRest(st store.AccountState) bool {
	return st.Status == store.StatusCooling && st.Streak <= softStreak
}

// Outcome is what happened to one upstream attempt.
type Outcome struct {
	Model        string // the Kiro model id asked for
	Err          error  // nil on success
	InputTokens  int
	OutputTokens int
	Credits      float64 // Kiro's meteringEvent for the turn
	// Began is when the attempt started (Pool.Now); zero: unknown. A
	// failure of an attempt begun before the account's last counted
	// failure is part of the same episode and does not lengthen its streak.
	Began time.Time
	// ClientFault marks a failure the request caused (a model no catalogue
	// knows): it counts as a request and changes nothing else. Kiro's
	// bad-request and too-long answers are recognised without it.
	ClientFault bool
}

// Now is the pool's clock, for Outcome.Began.
func (p *Pool) Now() time.Time { return p.now() }

// Cooldowns: a throttled account rests 1 s from the first throttle,
// doubling with each consecutive one up to 30 minutes. An account that
// failed without a usable answer (connection, 5xx, first-byte timeout, a
// broken stream) keeps serving until failuresBeforeRest such failures in a
// row, then rests 1 s, doubling up to 5 minutes: one 500 says nothing
// about the account, and with one account a rest would refuse requests
// that the next try would have served. Both get up to 20% jitter; a success
// ends them. The first softStreak failures of a streak are soft rests.
var (
	throttleRest = rest{base: time.Second, max: 30 * time.Minute, after: 1}
	failureRest  = rest{base: time.Second, max: 5 * time.Minute, after: failuresBeforeRest}
)

const failuresBeforeRest = 3

type rest struct {
	base, max time.Duration
	after     int  // the streak at which the rest begins
	hard      bool // never soft, whatever the streak
}

// Report records an attempt: counters always; the account's state and
// last error when the failure says something about the account. Nothing
// here touches the disk: state and counters go out with the store's
// batched flush (a lost second of cooldown after a power cut is harmless),
// so failing over costs no fsync.
func (p *Pool) Report(_ context.Context, id string, o Outcome) {
	now := p.now()
	var ue *kiro.UpstreamError
	upstream := errors.As(o.Err, &ue)
	client := o.Err != nil && (o.ClientFault || upstream && (ue.Class == kiro.ClassBadRequest || ue.Class == kiro.ClassTooLong))

	var cool *rest
	var what coolKind
	switch {
	case o.Err == nil:
		if o.Model != "" {
			p.rested(id, o.Model)
		}
	case client:
	case !upstream:
		cool, what = &failureRest, coolKind{msg: store.ReasonCoolingNoReply}
	case ue.Class == kiro.ClassServer:
		cool, what = &failureRest, coolKind{msg: store.ReasonCoolingFailed, status: ue.Status}
	case ue.Class == kiro.ClassThrottle:
		cool, what = &throttleRest, coolKind{msg: store.ReasonCoolingThrottl, status: ue.Status}
	case ue.Class == kiro.ClassCapacity:
		p.restModel(id, o.Model, o.Began, modelCapacityRest)
	case ue.Class == kiro.ClassModel:
		p.restModel(id, o.Model, o.Began, rest{base: modelUnavailableRest, max: modelUnavailableRest, hard: true})
	}
	counted := cool != nil && p.newFailure(id, o.Began, now)
	var resetAt time.Time
	if upstream && !client && ue.Class == kiro.ClassQuota {
		resetAt = p.resetDate(id, now)
	}
	p.file.Touch(func(pl *store.Pool) {
		a := pl.Account(id)
		if a == nil {
			return
		}
		a.Counters.Requests++
		a.Counters.LastUsed = now
		a.Counters.InputTokens += int64(o.InputTokens)
		a.Counters.OutputTokens += int64(o.OutputTokens)
		a.Counters.Credits += o.Credits
		switch {
		case o.Err == nil:
			switch a.State.Status {
			case store.StatusCooling, store.StatusExhausted:
				a.State = store.AccountState{Status: store.StatusReady}
			default:
				a.State.Streak = 0
			}
			return
		case client:
			return // the request's fault: the account's record stays as it was
		}
		a.Counters.Errors++
		if counted {
			coolLocked(a, *cool, what, now)
			if upstream && a.State.Status == store.StatusCooling && ue.RetryAfter > 0 && now.Add(ue.RetryAfter).After(a.State.Until) {
				a.State.Until = now.Add(ue.RetryAfter) // Kiro said how long
			}
		}
		le := lastError(o.Err, now)
		if upstream {
			switch ue.Class {
			case kiro.ClassQuota:
				a.State = store.AccountState{Status: store.StatusExhausted, Until: resetAt}.WithReason(store.ReasonCreditsUsed402.With())
			case kiro.ClassSuspended:
				a.State = store.AccountState{Status: store.StatusSuspended}.WithReason(store.ReasonSuspended.With("message", ue.Message))
			}
		}
		a.LastError = le
	})
}

// coolLocked counts one more failure of a's streak and, once the streak
// reaches r.after, takes a out for an exponentially growing, capped and
// jittered time; what names the kind in the reason ("3 throttle(s) (429)").
// It runs under the store's lock.
func coolLocked(a *store.Account, r rest, what coolKind, now time.Time) {
	switch a.State.Status {
	case store.StatusReady, store.StatusCooling, store.StatusModelUnavailable:
	default:
		return // exhausted, suspended or login needed say more
	}
	streak := a.State.Streak + 1
	if a.State.Status == store.StatusCooling && a.State.Streak == 0 {
		streak = 2 // a rest written before streaks were stored
	}
	if streak < r.after && a.State.Status != store.StatusCooling {
		a.State.Streak = streak // still serving; the streak is remembered
		return
	}
	d := min(r.base<<min(max(streak-r.after, 0), 20), r.max)
	d += time.Duration(rand.Int64N(int64(d/5) + 1))
	a.State = store.AccountState{Status: store.StatusCooling, Until: now.Add(d), Streak: streak}.WithReason(what.reason(streak))
}

// coolKind is the kind of failure behind a rest, for its reason: failures
// with no answer, failures with an HTTP status, or throttles.
type coolKind struct {
	msg    uitext.Msg
	status int // the HTTP status; 0 for no answer
}

func (k coolKind) reason(streak int) uitext.Text {
	if k.status == 0 {
		return k.msg.With("n", strconv.Itoa(streak))
	}
	return k.msg.With("n", strconv.Itoa(streak), "status", strconv.Itoa(k.status))
}

// newFailure reports whether a failure of an attempt begun at began is new
// news about the account, and if so marks now as its last counted failure:
// with many requests in flight, one upstream hiccup fails several of them
// at once, and that is one failure, not a streak.
func (p *Pool) newFailure(id string, began, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if since, ok := p.lastFailure[id]; ok && !began.IsZero() && began.Before(since) {
		return false
	}
	p.lastFailure[id] = now
	return true
}

// modelCooling returns how model rests on the account (zero until: it
// does not).
func (p *Pool) modelCooling(account, model string, now time.Time) modelRest {
	if model == "" {
		return modelRest{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	k := modelKey{account, model}
	r, ok := p.models[k]
	if ok && !now.Before(r.until) {
		delete(p.models, k)
		return modelRest{}
	}
	return r
}

// soft reports whether a model's rest is only a preference (see softRest).
func (r modelRest) soft() bool { return !r.until.IsZero() && !r.hard && r.streak <= softStreak }

// Model cooldowns: a capacity error rests the model on that account for
// 2 s, doubling with each consecutive one up to 2 minutes (a success ends
// it); a model the account cannot use at all (INVALID_MODEL_ID) rests an
// hour, and that rest is never soft.
var modelCapacityRest = rest{base: 2 * time.Second, max: 2 * time.Minute}

const modelUnavailableRest = time.Hour

func (p *Pool) restModel(account, model string, began time.Time, r rest) {
	if model == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	k := modelKey{account, model}
	prev, resting := p.models[k]
	if resting && !began.IsZero() && began.Before(prev.since) {
		return // the same episode (see sameEpisode)
	}
	streak := prev.streak + 1
	d := min(r.base<<min(streak-1, 20), r.max)
	d += time.Duration(rand.Int64N(int64(d/5) + 1))
	p.models[k] = modelRest{until: p.now().Add(d), since: p.now(), streak: streak, hard: r.hard}
}

// rested ends a model's rest on an account that just served it.
func (p *Pool) rested(account, model string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.models[modelKey{account, model}]; ok && !r.hard {
		delete(p.models, modelKey{account, model})
	}
}
