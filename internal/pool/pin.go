package pool

import (
	"context"
	"fmt"
	"strings"

	"kirodesk/internal/store"
)

// A pinned request is served by one named account and no other: the
// playground's "try this account", or a client that wants to check one.
// The API handlers pin a request only after the server checked its key.

type pinKey struct{}

// Pin returns ctx asking that the request be served by account id only.
func Pin(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, pinKey{}, id)
}

// Pinned returns the account a request is pinned to, or "".
func Pinned(ctx context.Context) string {
	id, _ := ctx.Value(pinKey{}).(string)
	return id
}

// PinError refuses a pinned request whose account cannot serve it at all:
// the caller named an account that is not set up or that is turned off.
// It is the caller's mistake (400), not a passing state.
type PinError struct {
	ID     string
	Reason string
}

func (e *PinError) Error() string {
	return fmt.Sprintf("the request is pinned to account %q, which %s", e.ID, e.Reason)
}

// CheckPin says whether a request may be pinned to account id: it must
// exist and be turned on. A resting account is accepted; the request then
// gets the pool's usual "no account can take this request now".
func (p *Pool) CheckPin(id string) error {
	id = strings.TrimSpace(id)
	if id == "" {
		return &PinError{ID: id, Reason: "is empty: name an account id"}
	}
	var found, disabled bool
	p.file.View(func(pl *store.Pool) {
		for i := range pl.Accounts {
			if pl.Accounts[i].ID == id {
				found, disabled = true, pl.Accounts[i].Disabled
				return
			}
		}
	})
	switch {
	case !found:
		return &PinError{ID: id, Reason: "is not set up (see the ids in Kirodesk's Accounts window or `kirodesk accounts list`)"}
	case disabled:
		return &PinError{ID: id, Reason: "is turned off: turn it on in Kirodesk's Accounts window first"}
	}
	return nil
}
