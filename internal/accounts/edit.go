package accounts

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

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
