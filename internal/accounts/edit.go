package accounts

import (
	"context"
	"fmt"
	"strings"

	"kirodesk/internal/store"
)

// MaxLabel bounds an account's display name.
const MaxLabel = 100

// Rename changes the account's display name.
func (s *Service) Rename(ctx context.Context, id, label string) error {
	label = strings.TrimSpace(label)
	if label == "" {
		return fmt.Errorf("an account needs a name")
	}
	if len([]rune(label)) > MaxLabel {
		return fmt.Errorf("the name is longer than %d characters", MaxLabel)
	}
	return s.edit(ctx, id, func(a *store.Account) { a.Label = label })
}

// SetDisabled takes the account out of rotation (or puts it back) without
// touching its credentials.
func (s *Service) SetDisabled(ctx context.Context, id string, disabled bool) error {
	return s.edit(ctx, id, func(a *store.Account) { a.Disabled = disabled })
}

func (s *Service) edit(ctx context.Context, id string, fn func(*store.Account)) error {
	return s.pool.Update(ctx, func(p *store.Pool) error {
		for i := range p.Accounts {
			if p.Accounts[i].ID == id {
				fn(&p.Accounts[i])
				return nil
			}
		}
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	})
}
