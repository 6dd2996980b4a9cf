package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// List returns a copy of the accounts' metadata (no secret is in it).
func (s *Service) List() []store.Account {
	return s.pool.Snapshot().Accounts
}

// Get returns one account's metadata.
func (s *Service) Get(id string) (store.Account, error) {
	if a := s.pool.Snapshot().Account(id); a != nil {
		return *a, nil
	}
	return store.Account{}, fmt.Errorf("%w: %s", ErrNotFound, id)
}

// Update changes an existing account's metadata through fn (never its
// credentials) and returns the account as saved.
func (s *Service) Update(ctx context.Context, id string, fn func(*store.Account)) (store.Account, error) {
	var out store.Account
	err := s.pool.Update(ctx, func(p *store.Pool) error {
		a := p.Account(id)
		if a == nil {
			return fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		fn(a)
		out = *a
		return nil
	})
	return out, err
}

// SetDisabled takes the account out of (or back into) rotation.
func (s *Service) SetDisabled(ctx context.Context, id string, disabled bool) (store.Account, error) {
	return s.Update(ctx, id, func(a *store.Account) { a.Disabled = disabled })
}

// Rename sets the account's label.
func (s *Service) Rename(ctx context.Context, id, label string) (store.Account, error) {
	label = strings.TrimSpace(label)
	if label == "" || !utf8.ValidString(label) || len(label) > 200 {
		return store.Account{}, fmt.Errorf("a label must be 1-200 bytes of text")
	}
	return s.Update(ctx, id, func(a *store.Account) { a.Label = label })
}

// Replace puts new credentials under an existing account (the same person
// signing in again) and marks it ready. Its id, label and counters stay;
// fn may update the metadata the new sign-in tells (email, region...).
// The keychain is written first: if the pool update then fails, the new
// credentials are already where the pool looks for a newer token.
func (s *Service) Replace(ctx context.Context, id string, creds secrets.Secret, fn func(*store.Account)) (store.Account, error) {
	if creds.IsZero() {
		return store.Account{}, errors.New("an account needs credentials")
	}
	if _, err := s.Get(id); err != nil {
		return store.Account{}, err
	}
	if err := s.sec.Set(ctx, SecretKey(id), creds); err != nil {
		return store.Account{}, fmt.Errorf("save the account's new credentials in the keychain: %w", err)
	}
	return s.Update(ctx, id, func(a *store.Account) {
		if fn != nil {
			fn(a)
		}
		a.State = store.AccountState{Status: store.StatusReady}
	})
}
