// Package pool chooses the account that serves a request, keeps each
// account's credentials fresh, and records what happened to it.
//
// Credentials are read from the keychain once and then served from memory;
// a refresh is single-flight per account: however many requests find the
// token expired (or get a 401 with it), one refresh runs and they all use
// its result. A rotated refresh token is written to the keychain before the
// new access token is used, so a crash cannot lose the only valid token.
//
// Account state changes (cooling down, exhausted, login needed) are
// acknowledged writes through the store; counters are batched (Touch).
package pool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"kirodesk/internal/accounts"
	"kirodesk/internal/kiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// RefreshBefore is how long before expiry a token is renewed on use.
const RefreshBefore = 5 * time.Minute

// ErrNoAccount means no account can serve the request now.
type ErrNoAccount struct {
	Reason     string
	RetryAfter time.Duration // 0 when no account will come back by itself
	// Cause is the failure of this request's last try, if it made one.
	Cause error
}

func (e *ErrNoAccount) Error() string { return e.Reason }

func (e *ErrNoAccount) Unwrap() error { return e.Cause }

// Refresher renews credentials (kiro.Client in production).
type Refresher interface {
	Refresh(ctx context.Context, cr kiro.Credentials) (kiro.Credentials, error)
}

// Options configure a Pool.
type Options struct {
	File      *store.File[store.Pool]
	Accounts  *accounts.Service
	Refresher Refresher
	Logger    *slog.Logger
	Now       func() time.Time
	// Strategy returns the selection strategy (a setting, read per
	// request); nil or an unknown name means sticky.
	Strategy func() string
	// Limits returns the concurrency limits (settings, read per request);
	// nil means unlimited.
	Limits func() Limits
	// Quota asks Kiro for an account's credits (kiro.Client in
	// production); nil turns quota checks off.
	Quota QuotaSource
	// QuotaTTL is how long a quota answer is trusted (a setting, read per
	// pass); nil means DefaultQuotaTTL.
	QuotaTTL func() time.Duration
	// ReadIDEFile reads a Kiro IDE token file (kiro.ReadIDEFile unless a
	// test says otherwise).
	ReadIDEFile func(path string) (kiro.Credentials, error)
}

// Pool is safe for concurrent use.
type Pool struct {
	file *store.File[store.Pool]
	acc  *accounts.Service
	ref  Refresher
	log  *slog.Logger
	now  func() time.Time

	strategy  func() string
	selectors map[string]selector

	mu    sync.Mutex
	creds map[string]*entry
	// models holds per-account model cooldowns: a capacity error cools
	// the model on that account, not the account (kiro-protocol.md §6).
	models map[modelKey]modelRest
	// restSince is when each account's current cooldown began (guarded by mu).
	restSince map[string]time.Time
	// inflight counts requests per account (only with a limit set); freed
	// is closed and replaced whenever one ends, to wake waiters.
	inflight map[string]int
	freed    chan struct{}
	limits   func() Limits

	quota    QuotaSource
	quotaTTL func() time.Duration
	readIDE  func(string) (kiro.Credentials, error)
}

type modelKey struct{ account, model string }

// modelRest is how long a model rests on an account, after how many
// consecutive capacity errors.
type modelRest struct {
	until  time.Time
	since  time.Time // when this rest began
	streak int
	hard   bool // INVALID_MODEL_ID: never soft, not ended by a success in flight
}

// entry is one account's credentials in memory; mu makes refresh single-flight.
type entry struct {
	mu     sync.Mutex
	loaded bool
	cr     kiro.Credentials
}

// New returns a Pool.
func New(opts Options) *Pool {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Strategy == nil {
		opts.Strategy = func() string { return StrategySticky }
	}
	if opts.Limits == nil {
		opts.Limits = func() Limits { return Limits{} }
	}
	if opts.QuotaTTL == nil {
		opts.QuotaTTL = func() time.Duration { return DefaultQuotaTTL }
	}
	if opts.ReadIDEFile == nil {
		opts.ReadIDEFile = kiro.ReadIDEFile
	}
	return &Pool{file: opts.File, acc: opts.Accounts, ref: opts.Refresher, log: opts.Logger, now: opts.Now,
		creds: map[string]*entry{}, models: map[modelKey]modelRest{}, restSince: map[string]time.Time{}, strategy: opts.Strategy,
		inflight: map[string]int{}, freed: make(chan struct{}), limits: opts.Limits,
		quota: opts.Quota, quotaTTL: opts.QuotaTTL, readIDE: opts.ReadIDEFile,
		selectors: map[string]selector{
			StrategySticky: newSticky(), StrategyRoundRobin: &roundRobin{},
			StrategyLeastUsed: leastUsed{}, StrategyFillFirst: fillFirst{},
		}}
}

// usable reports whether a can take a request now, and if not, when it may.
func usable(a *store.Account, now time.Time) (ok bool, back time.Time) {
	if a.Disabled {
		return false, time.Time{}
	}
	switch a.State.Status {
	case store.StatusReady, store.StatusModelUnavailable:
		return true, time.Time{}
	case store.StatusCooling, store.StatusExhausted:
		if !a.State.Until.IsZero() && !now.Before(a.State.Until) {
			return true, time.Time{}
		}
		return false, a.State.Until
	}
	return false, time.Time{}
}

// Pick chooses a usable account by the configured strategy for the
// conversation key (may be empty) and model (Kiro's id; may be empty),
// skipping the ids in tried. With none usable it says why and when the
// first one comes back.
func (p *Pool) Pick(tried map[string]bool, key, model string) (store.Account, error) {
	return p.pick(tried, key, model, true)
}

// Resting says why and until when every account is out for model, soft
// rests included, or returns nil when one is ready: after a request's
// tries all failed, the client is told when to come back.
func (p *Pool) Resting(model string) *ErrNoAccount {
	_, err := p.pick(nil, "", model, false)
	var none *ErrNoAccount
	if errors.As(err, &none) {
		return none
	}
	return nil
}

func (p *Pool) pick(tried map[string]bool, key, model string, allowSoft bool) (store.Account, error) {
	var candidates []store.Account
	var earliest time.Time
	// soft is the resting account that comes back first among those whose
	// rest is only a preference (see softRest): the fallback when no
	// account is ready, so scattered errors never refuse a request.
	var soft *store.Account
	var softBack time.Time
	considerSoft := func(a *store.Account, back time.Time) {
		if soft == nil || back.Before(softBack) {
			c := *a
			c.Extra, c.LastError, c.Quota = nil, nil, nil
			soft, softBack = &c, back
		}
	}
	reasons := map[string]int{}
	now := p.now()
	n := 0
	// A read-only view, not a Snapshot: this runs for every request, and a
	// deep copy of a large pool each time would be the proxy's main cost.
	p.file.View(func(pl *store.Pool) {
		n = len(pl.Accounts)
		for i := range pl.Accounts {
			a := &pl.Accounts[i]
			if tried[a.ID] {
				reasons["already failed for this request"]++
				continue
			}
			ok, back := usable(a, now)
			if ok {
				if until, softly := p.modelCooling(a.ID, model, now); !until.IsZero() {
					reasons["model "+model+" busy or unavailable there"]++
					if earliest.IsZero() || until.Before(earliest) {
						earliest = until
					}
					if softly {
						considerSoft(a, until)
					}
					continue
				}
				c := *a
				c.Extra, c.LastError, c.Quota = nil, nil, nil // nothing of the store's may escape the view
				candidates = append(candidates, c)
				continue
			}
			switch {
			case a.Disabled:
				reasons["disabled"]++
			case a.State.Reason != "":
				reasons[a.State.Reason]++
			default:
				reasons[a.State.Status]++
			}
			if !back.IsZero() && (earliest.IsZero() || back.Before(earliest)) {
				earliest = back
			}
			if !a.Disabled && softRest(a.State) {
				if until, softly := p.modelCooling(a.ID, model, now); until.IsZero() || softly {
					considerSoft(a, back)
				}
			}
		}
	})
	if n == 0 {
		return store.Account{}, &ErrNoAccount{Reason: "no Kiro account is set up: add one in Kirodesk's Accounts window"}
	}
	if len(candidates) > 0 {
		sel, ok := p.selectors[p.strategy()]
		if !ok {
			sel = p.selectors[StrategySticky]
		}
		ptrs := make([]*store.Account, len(candidates))
		for i := range candidates {
			ptrs[i] = &candidates[i]
		}
		return *sel.pick(ptrs, key), nil
	}
	if soft != nil && allowSoft {
		return *soft, nil
	}
	msg := "no Kiro account can take this request now:"
	for r, c := range reasons {
		msg += fmt.Sprintf(" %d %s;", c, r)
	}
	e := &ErrNoAccount{Reason: msg[:len(msg)-1]}
	if !earliest.IsZero() {
		e.RetryAfter = earliest.Sub(now).Round(time.Second) + time.Second
	}
	return store.Account{}, e
}

func (p *Pool) entry(id string) *entry {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.creds[id]
	if e == nil {
		e = &entry{}
		p.creds[id] = e
	}
	return e
}

// Credentials returns usable credentials for the account, refreshing them
// first if they expire within RefreshBefore.
func (p *Pool) Credentials(ctx context.Context, id string) (kiro.Credentials, error) {
	e := p.entry(id)
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := p.loadLocked(ctx, id, e); err != nil {
		return kiro.Credentials{}, err
	}
	if e.cr.ExpiresWithin(p.now(), RefreshBefore) {
		if err := p.refreshLocked(ctx, id, e); err != nil {
			return kiro.Credentials{}, err
		}
	}
	return e.cr, nil
}

// Reauthorize is called after Kiro refused the access token rejected: one
// refresh runs for everyone who saw the same token fail; callers holding
// an older token get the current one.
func (p *Pool) Reauthorize(ctx context.Context, id, rejected string) (kiro.Credentials, error) {
	e := p.entry(id)
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := p.loadLocked(ctx, id, e); err != nil {
		return kiro.Credentials{}, err
	}
	if e.cr.AccessToken != rejected {
		return e.cr, nil // someone refreshed while we waited
	}
	if err := p.refreshLocked(ctx, id, e); err != nil {
		return kiro.Credentials{}, err
	}
	return e.cr, nil
}

func (p *Pool) loadLocked(ctx context.Context, id string, e *entry) error {
	if e.loaded {
		return nil
	}
	s, err := p.acc.Credentials(ctx, id)
	if errors.Is(err, secrets.ErrNotFound) {
		p.setState(ctx, id, store.StatusLoginNeeded, "its credentials are missing from the keychain: log in again", time.Time{})
		return fmt.Errorf("account %s has no credentials: %w", id, err)
	}
	if err != nil {
		return fmt.Errorf("read account %s's credentials: %w", id, err)
	}
	cr, err := kiro.ParseCredentials(s)
	if err != nil {
		p.setState(ctx, id, store.StatusLoginNeeded, err.Error()+": log in again", time.Time{})
		return err
	}
	cr.AccountID = id // calls take the account's proxy and hosts
	e.cr, e.loaded = cr, true
	return nil
}

func (p *Pool) refreshLocked(ctx context.Context, id string, e *entry) error {
	next, err := p.ref.Refresh(ctx, e.cr)
	var ue *kiro.UpstreamError
	if errors.As(err, &ue) && ue.Class == kiro.ClassDeadRefresh {
		// Dead or rotated elsewhere: a newer token may be waiting in the
		// keychain (a new login) or in the Kiro IDE's file. Adopt it and
		// try once more before asking the person to log in.
		if adopted, how := p.adoptLocked(ctx, id, e); adopted {
			p.log.Info("adopted a newer refresh token", "account", id, "from", how)
			if !e.cr.ExpiresWithin(p.now(), RefreshBefore) {
				return nil // its access token is good as it is
			}
			next, err = p.ref.Refresh(ctx, e.cr)
		}
	}
	if err != nil {
		if errors.As(err, &ue) && ue.Class == kiro.ClassDeadRefresh {
			p.setState(ctx, id, store.StatusLoginNeeded, "Kiro no longer accepts its refresh token: log in again", time.Time{})
		}
		return fmt.Errorf("refresh account %s: %w", id, err)
	}
	// Durable before use: a rotated refresh token is the only one that works
	// now, so it is saved even if the caller gave up meanwhile (a client
	// that disconnected, a shutdown): losing it would mean a new login.
	saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := p.acc.SetCredentials(saveCtx, id, next.Secret()); err != nil {
		return fmt.Errorf("save account %s's new token: %w", id, err)
	}
	next.AccountID = id
	e.cr = next
	p.log.Debug("token refreshed", "account", id, "expires", next.ExpiresAt)
	return nil
}

// modelCooling returns until when model rests on the account (zero: it
// does not), and whether that rest is only a preference (see softRest).
func (p *Pool) modelCooling(account, model string, now time.Time) (until time.Time, soft bool) {
	if model == "" {
		return time.Time{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	k := modelKey{account, model}
	r, ok := p.models[k]
	if ok && !now.Before(r.until) {
		delete(p.models, k)
		return time.Time{}, false
	}
	return r.until, ok && !r.hard && r.streak <= softStreak
}

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

// softStreak is how many consecutive transient errors (throttles, failures
// without an answer, capacity errors) leave a rest soft: the account or
// model is passed over while another is ready, and still tried when none
// is, so that scattered errors, which another try usually gets past, never
// refuse a request. A longer streak means the trouble persists: the rest
// then holds until its time, and a client that finds every account so
// rested gets 429 with Retry-After.
const softStreak = 4

// softRest reports whether an account's state is a soft rest.
func softRest(st store.AccountState) bool {
	return st.Status == store.StatusCooling && coolingStreak(st.Reason) <= softStreak
}

// Outcome is what happened to one upstream attempt.
type Outcome struct {
	Model        string // the Kiro model id asked for
	Err          error  // nil on success
	InputTokens  int
	OutputTokens int
	Credits      float64 // Kiro's meteringEvent for the turn
	// Began is when the attempt started (Pool.Now); zero: unknown. A
	// failure of an attempt begun before the account's current rest is
	// part of the same episode and does not lengthen the rest.
	Began time.Time
}

// Now is the pool's clock, for Outcome.Began.
func (p *Pool) Now() time.Time { return p.now() }

// Report records an attempt: counters always, and the account's state when
// the error says something about the account.
func (p *Pool) Report(ctx context.Context, id string, o Outcome) {
	now := p.now()
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
		if o.Err != nil {
			a.Counters.Errors++
		}
	})
	var ue *kiro.UpstreamError
	if o.Err == nil {
		p.clearCooling(ctx, id)
		if o.Model != "" {
			p.rested(id, o.Model)
		}
		return
	}
	if !errors.As(o.Err, &ue) {
		// The connection failed (refused, reset, cut before an answer):
		// rest the account briefly so the next requests do not pay for
		// the same failure before they fail over.
		p.coolDown(ctx, id, o.Began, failureRest, "failure(s) (no answer)")
		p.file.Touch(func(pl *store.Pool) {
			if a := pl.Account(id); a != nil {
				a.LastError = &store.LastError{At: now, Message: o.Err.Error()}
			}
		})
		return
	}
	switch ue.Class {
	case kiro.ClassThrottle:
		p.coolDown(ctx, id, o.Began, throttleRest, fmt.Sprintf("throttle(s) (%d)", ue.Status))
	case kiro.ClassServer:
		p.coolDown(ctx, id, o.Began, failureRest, fmt.Sprintf("failure(s) (%d)", ue.Status))
	case kiro.ClassQuota:
		p.setState(ctx, id, store.StatusExhausted, "monthly credits used up (402)", p.resetDate(id, now))
	case kiro.ClassSuspended:
		p.setState(ctx, id, store.StatusSuspended, "Kiro suspended the account: "+ue.Message, time.Time{})
	case kiro.ClassCapacity:
		p.restModel(id, o.Model, o.Began, modelCapacityRest)
	case kiro.ClassModel:
		p.restModel(id, o.Model, o.Began, rest{base: modelUnavailableRest, max: modelUnavailableRest, hard: true})
	}
	p.file.Touch(func(pl *store.Pool) {
		if a := pl.Account(id); a != nil {
			a.LastError = &store.LastError{At: now, Status: ue.Status, Message: ue.Error()}
		}
	})
}

// Cooldowns: a throttled account rests 1 s, doubling with each
// consecutive throttle up to 30 minutes; an account that failed without a
// usable answer (connection, 5xx, first-byte timeout) rests 1 s, doubling
// up to 5 minutes. Both get up to 20% jitter; a success ends them. The
// first softStreak rests of a streak are soft (see softStreak).
var (
	throttleRest = rest{base: time.Second, max: 30 * time.Minute}
	failureRest  = rest{base: time.Second, max: 5 * time.Minute}
)

type rest struct {
	base, max time.Duration
	hard      bool // never soft, whatever the streak
}

// coolDown takes the account out for an exponentially growing, capped and
// jittered time after each consecutive failure of its kind; what names the
// kind in the reason ("throttle(s) (429)").
func (p *Pool) coolDown(ctx context.Context, id string, began time.Time, r rest, what string) {
	now := p.now()
	if p.sameEpisode(id, began) {
		return // begun before the account's current rest: nothing new learnt
	}
	// A fact learnt from upstream: in effect even if the disk refuses it.
	_ = p.file.Record(ctx, func(pl *store.Pool) error {
		a := pl.Account(id)
		if a == nil {
			return nil
		}
		switch a.State.Status {
		case store.StatusReady, store.StatusCooling, store.StatusModelUnavailable:
		default:
			return nil // exhausted, suspended or login needed say more
		}
		streak := 1
		if a.State.Status == store.StatusCooling {
			streak = coolingStreak(a.State.Reason) + 1
		}
		d := min(r.base<<min(streak-1, 20), r.max)
		d += time.Duration(rand.Int64N(int64(d/5) + 1))
		a.State = store.AccountState{Status: store.StatusCooling, Until: now.Add(d),
			Reason: fmt.Sprintf("cooling down after %d %s", streak, what)}
		p.mu.Lock()
		p.restSince[id] = now
		p.mu.Unlock()
		return nil
	})
}

// sameEpisode reports whether an attempt begun at began started before the
// account's current rest did: with many requests in flight, one upstream
// hiccup fails several of them at once, and that is one failure, not a
// streak.
func (p *Pool) sameEpisode(id string, began time.Time) bool {
	if began.IsZero() {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	since, ok := p.restSince[id]
	return ok && began.Before(since)
}

func coolingStreak(reason string) int {
	var n int
	if _, err := fmt.Sscanf(reason, "cooling down after %d ", &n); err != nil || n < 1 {
		return 1
	}
	return n
}

func (p *Pool) clearCooling(ctx context.Context, id string) {
	cooling := false
	p.file.View(func(pl *store.Pool) { // every success passes here: no copy
		if a := pl.Account(id); a != nil {
			cooling = a.State.Status == store.StatusCooling || a.State.Status == store.StatusExhausted
		}
	})
	if !cooling {
		return
	}
	p.setState(ctx, id, store.StatusReady, "", time.Time{})
}

// setState records a state learnt from upstream (Record: in effect even
// if the disk refuses it, and saved when the disk takes it again).
func (p *Pool) setState(ctx context.Context, id, status, reason string, until time.Time) {
	err := p.file.Record(ctx, func(pl *store.Pool) error {
		if a := pl.Account(id); a != nil {
			a.State = store.AccountState{Status: status, Reason: reason, Until: until}
		}
		return nil
	})
	if err != nil {
		p.log.Warn("could not save an account's state", "account", id, "err", err)
	}
}

// resetDate is when the account's credits come back: the quota's reset
// date when one is known and ahead, else the first of next month.
func (p *Pool) resetDate(id string, now time.Time) time.Time {
	var at time.Time
	p.file.View(func(pl *store.Pool) {
		if a := pl.Account(id); a != nil && a.Quota != nil {
			at = a.Quota.ResetAt
		}
	})
	if at.After(now) {
		return at
	}
	return nextMonth(now)
}

// nextMonth is the first day of the next month (UTC), Kiro's usual reset;
// the quota call refines it once it lands.
func nextMonth(now time.Time) time.Time {
	y, m, _ := now.UTC().Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
}
