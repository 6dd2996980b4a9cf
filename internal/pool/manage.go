package pool

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"kirodesk/internal/accounts"
	"kirodesk/internal/store"
)

// Forget drops the account's credentials from memory, so the next request
// reads the keychain again (after a new login replaced them).
func (p *Pool) Forget(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.creds, id)
	delete(p.lastFailure, id)
	for k := range p.models {
		if k.account == id {
			delete(p.models, k)
		}
	}
}

// Reset puts an account back in service after a person acted: a suspension
// lifted, a new login, or "try again" on a cooling or exhausted account.
func (p *Pool) Reset(ctx context.Context, id string) error {
	p.Forget(id)
	return p.file.Update(ctx, func(pl *store.Pool) error {
		a := pl.Account(id)
		if a == nil {
			return fmt.Errorf("%w: %s", accounts.ErrNotFound, id)
		}
		a.State = store.AccountState{Status: store.StatusReady}
		return nil
	})
}

// SetDisabled takes an account out of service, or puts it back, by the
// person's choice; its state and reason are kept for when it comes back.
func (p *Pool) SetDisabled(ctx context.Context, id string, disabled bool) error {
	return p.file.Update(ctx, func(pl *store.Pool) error {
		a := pl.Account(id)
		if a == nil {
			return fmt.Errorf("%w: %s", accounts.ErrNotFound, id)
		}
		a.Disabled = disabled
		return nil
	})
}

// stateOf is the account's state as selection sees it now: a cooldown or
// exhaustion whose time has passed reads as ready.
func stateOf(a *store.Account, now time.Time) store.AccountState {
	if ok, _ := usable(a, now); ok && (a.State.Status == store.StatusCooling || a.State.Status == store.StatusExhausted) {
		return store.AccountState{Status: store.StatusReady}
	}
	return a.State
}

// StateNow is a's state as selection sees it at the pool's clock (see
// stateOf), for status displays.
func (p *Pool) StateNow(a *store.Account) store.AccountState { return stateOf(a, p.now()) }

// ModelRest is a model an account cannot serve until a time (capacity
// errors rest it briefly, INVALID_MODEL_ID for an hour).
type ModelRest struct {
	Model string    `json:"model"`
	Until time.Time `json:"until"`
}

// ModelRests lists the models resting on the account now, for status
// displays ("model unavailable").
func (p *Pool) ModelRests(id string) []ModelRest {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []ModelRest
	for k, r := range p.models {
		if k.account == id && now.Before(r.until) {
			out = append(out, ModelRest{Model: k.model, Until: r.until})
		}
	}
	slices.SortFunc(out, func(a, b ModelRest) int { return strings.Compare(a.Model, b.Model) })
	return out
}
