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
	"strings"
	"sync"
	"time"

	"kirodesk/internal/accounts"
	"kirodesk/internal/kiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/uitext"
)

// RefreshBefore is how long before expiry a token is renewed on use.
const RefreshBefore = 5 * time.Minute

// ErrNoAccount means no account can serve the request now.
type ErrNoAccount struct {
	Reason     string
	RetryAfter time.Duration // 0 when no account will come back by itself
	// Cause is the failure of this request's last try, if it made one.
	Cause error
	// ModelUnavailable: the accounts that could serve cannot use the model
	// asked for at all (Kiro answered INVALID_MODEL_ID); waiting will not help.
	ModelUnavailable bool
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
	// lastFailure is when each account's last counted failure happened
	// (guarded by mu; see newFailure).
	lastFailure map[string]time.Time
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
		creds: map[string]*entry{}, models: map[modelKey]modelRest{}, lastFailure: map[string]time.Time{}, strategy: opts.Strategy,
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
	return p.pick(tried, key, model, true, "")
}

// Resting says why and until when every account is out for model, soft
// rests included, or returns nil when one is ready: after a request's
// tries all failed, the client is told when to come back.
// A pinned request (Pin in ctx) hears about its own account only.
func (p *Pool) Resting(ctx context.Context, model string) *ErrNoAccount {
	_, err := p.pick(nil, "", model, false, Pinned(ctx))
	var none *ErrNoAccount
	if errors.As(err, &none) {
		return none
	}
	return nil
}

// only, when set, is the one account a pinned request may use (pin.go):
// the others are not candidates, nor part of the answer's reasons.
func (p *Pool) pick(tried map[string]bool, key, model string, allowSoft bool, only string) (store.Account, error) {
	sel, ok := p.selectors[p.strategy()]
	if !ok {
		sel = p.selectors[StrategySticky]
	}
	var (
		chosen store.Account
		found  bool
		// soft is the resting account that comes back first among those
		// whose rest is only a preference (see softRest): the fallback when
		// no account is ready, so scattered errors never refuse a request.
		soft     store.Account
		softBack time.Time
		haveSoft bool
		out      resting
		n        int
		// usableLeft counts accounts passed over only because the model is
		// unavailable on them for good (INVALID_MODEL_ID).
		usableLeft, modelGone int
	)
	now := p.now()
	// A read-only view, not a Snapshot: this runs for every request, and a
	// copy of a large pool each time would be the proxy's main cost. Only
	// the chosen account (and the soft fallback) are copied out.
	p.file.View(func(pl *store.Pool) {
		n = len(pl.Accounts)
		if only != "" {
			n = 0
		}
		considerSoft := func(a *store.Account, back time.Time) {
			if !haveSoft || back.Before(softBack) {
				soft, softBack, haveSoft = detach(a), back, true
			}
		}
		var candidates []*store.Account
		for i := range pl.Accounts {
			a := &pl.Accounts[i]
			if only != "" {
				if a.ID != only {
					continue
				}
				n++
			}
			if tried[a.ID] {
				out.note("already failed for this request", a, time.Time{})
				continue
			}
			ok, back := usable(a, now)
			if ok {
				usableLeft++
				if mr := p.modelCooling(a.ID, model, now); !mr.until.IsZero() {
					if mr.hard {
						modelGone++
						out.note("cannot use model "+model, a, mr.until)
					} else {
						out.note("model "+model+" busy", a, mr.until)
					}
					if mr.soft() {
						considerSoft(a, mr.until)
					}
					continue
				}
				candidates = append(candidates, a)
				continue
			}
			switch {
			case a.Disabled:
				out.note("disabled", a, time.Time{})
			case a.State.Reason != "":
				out.note(a.State.Reason, a, back)
			default:
				out.note(a.State.Status, a, back)
			}
			if !a.Disabled && softRest(a.State) {
				if mr := p.modelCooling(a.ID, model, now); mr.until.IsZero() || mr.soft() {
					considerSoft(a, back)
				}
			}
		}
		if len(candidates) > 0 {
			chosen, found = detach(sel.pick(candidates, key)), true
		}
	})
	if n == 0 && only != "" {
		return store.Account{}, &PinError{ID: only, Reason: "is not set up (it was removed)"}
	}
	if n == 0 {
		return store.Account{}, &ErrNoAccount{Reason: "no Kiro account is set up: add one in Kirodesk's Accounts window"}
	}
	if found {
		return chosen, nil
	}
	if haveSoft && allowSoft {
		return soft, nil
	}
	e := &ErrNoAccount{Reason: "no Kiro account can take this request now: " + out.String(now),
		ModelUnavailable: usableLeft > 0 && modelGone == usableLeft}
	if !out.earliest.IsZero() {
		e.RetryAfter = out.earliest.Sub(now).Round(time.Second) + time.Second
	}
	return store.Account{}, e
}

// detach copies an account out of a View, without the parts that share
// memory with the store.
func detach(a *store.Account) store.Account {
	c := *a
	c.Extra, c.LastError, c.Quota = nil, nil, nil
	return c
}

// resting collects why accounts cannot serve, for the client's message:
// which accounts, why, and when the first of each group comes back.
type resting struct {
	groups   []restGroup
	earliest time.Time
}

type restGroup struct {
	why    string
	labels []string
	count  int
	back   time.Time
}

// maxLabels bounds the account names listed per reason.
const maxLabels = 3

func (r *resting) note(why string, a *store.Account, back time.Time) {
	if !back.IsZero() && (r.earliest.IsZero() || back.Before(r.earliest)) {
		r.earliest = back
	}
	var g *restGroup
	for i := range r.groups {
		if r.groups[i].why == why {
			g = &r.groups[i]
			break
		}
	}
	if g == nil {
		r.groups = append(r.groups, restGroup{why: why})
		g = &r.groups[len(r.groups)-1]
	}
	g.count++
	if len(g.labels) < maxLabels {
		g.labels = append(g.labels, Label(*a))
	}
	if !back.IsZero() && (g.back.IsZero() || back.Before(g.back)) {
		g.back = back
	}
}

// String reads "A and B: cooling down after 2 throttle(s) (429), back in
// 3s (20:15:03 UTC); C: disabled".
func (r *resting) String(now time.Time) string {
	var b strings.Builder
	for i, g := range r.groups {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(joinLabels(g.labels, g.count-len(g.labels)))
		b.WriteString(": ")
		b.WriteString(g.why)
		if !g.back.IsZero() {
			in := g.back.Sub(now).Round(time.Second) + time.Second
			at := g.back.UTC().Format(time.TimeOnly)
			if in > 12*time.Hour {
				at = g.back.UTC().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(&b, ", back in %s (%s UTC)", in, at)
		}
	}
	return b.String()
}

func joinLabels(labels []string, more int) string {
	s := strings.Join(labels, ", ")
	if more > 0 {
		return fmt.Sprintf("%s and %d more", s, more)
	}
	if i := strings.LastIndex(s, ", "); i >= 0 {
		s = s[:i] + " and " + s[i+2:]
	}
	return s
}

// Label names an account for people: its label, else its id.
func Label(a store.Account) string {
	if a.Label != "" {
		return a.Label
	}
	return a.ID
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
		p.setState(ctx, id, store.StatusLoginNeeded, store.ReasonNoCredentials.With(), time.Time{})
		return fmt.Errorf("account %s has no credentials: %w", id, err)
	}
	if err != nil {
		return fmt.Errorf("read account %s's credentials: %w", id, err)
	}
	cr, err := kiro.ParseCredentials(s)
	if err != nil {
		p.setState(ctx, id, store.StatusLoginNeeded, store.ReasonLoginAgain.With("error", err.Error()), time.Time{})
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
			p.setState(ctx, id, store.StatusLoginNeeded, store.ReasonRefreshRefused.With(), time.Time{})
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

// setState records a state learnt from upstream (Record: in effect even
// if the disk refuses it, and saved when the disk takes it again).
func (p *Pool) setState(ctx context.Context, id, status string, reason uitext.Text, until time.Time) {
	err := p.file.Record(ctx, func(pl *store.Pool) error {
		if a := pl.Account(id); a != nil {
			a.State = store.AccountState{Status: status, Until: until}.WithReason(reason)
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
