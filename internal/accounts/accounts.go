// Package accounts adds and removes Kiro accounts so that their two halves
// stay consistent: the metadata in pool.json (through the store) and the
// credentials in the keychain (through secrets). It is the only code that
// writes account credentials.
//
// The order guarantees that no crash leaves a secret without an owner
// (design.md, invariant 7). Adding records the id in pool.json's
// pendingSecrets first, then writes the keychain item, then adds the account
// and clears the pending id in one durable update. Removing drops the
// account and records the id as pending in one update, then deletes the
// item, then clears the id. Reconcile, at start-up, deletes the item of
// every id still pending and marks accounts whose item is missing as
// needing a login.
package accounts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// ErrNotFound means no account has the id.
var ErrNotFound = errors.New("no such account")

// Service adds, removes and reconciles accounts. Safe for concurrent use;
// the store serialises the pool changes.
type Service struct {
	pool *store.File[store.Pool]
	sec  secrets.Store
	log  *slog.Logger
	now  func() time.Time
	// pending serialises Add, Remove and Reconcile's repair of pending
	// ids. A pending mark is a leftover of an interrupted Add or Remove
	// only when none is running: the start-up Reconcile runs in the
	// background, and without this it could delete the item an Add had
	// just written, leaving the account without credentials.
	pending sync.Mutex
}

// New returns a Service over the pool file and the keychain.
func New(pool *store.File[store.Pool], sec secrets.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{pool: pool, sec: sec, log: log, now: time.Now}
}

// NewID returns a fresh account id.
func NewID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "acc-" + hex.EncodeToString(b)
}

// SecretKey is the keychain item that holds an account's credentials.
func SecretKey(id string) string { return "account:" + id }

// Add stores creds in the keychain and a, with its State set to ready, in the
// pool. An empty a.ID gets a fresh one. It returns the account as saved.
func (s *Service) Add(ctx context.Context, a store.Account, creds secrets.Secret) (store.Account, error) {
	if a.ID == "" {
		a.ID = NewID()
	}
	if !store.ValidID(a.ID) {
		return a, fmt.Errorf("account id %q must be 1-64 letters, digits, - or _", a.ID)
	}
	if creds.IsZero() {
		return a, errors.New("an account needs credentials")
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.now().UTC()
	}
	a.State = store.AccountState{Status: store.StatusReady}

	s.pending.Lock()
	defer s.pending.Unlock()
	err := s.pool.Update(ctx, func(p *store.Pool) error {
		if p.Account(a.ID) != nil {
			return fmt.Errorf("account %s already exists", a.ID)
		}
		if !slices.Contains(p.PendingSecrets, a.ID) {
			p.PendingSecrets = append(p.PendingSecrets, a.ID)
		}
		return nil
	})
	if err != nil {
		return a, err
	}
	if err := s.sec.Set(ctx, SecretKey(a.ID), creds); err != nil {
		s.clearPending(ctx, a.ID)
		return a, fmt.Errorf("save the account's credentials in the keychain: %w", err)
	}
	err = s.pool.Update(ctx, func(p *store.Pool) error {
		p.PendingSecrets = slices.DeleteFunc(p.PendingSecrets, func(id string) bool { return id == a.ID })
		p.Accounts = append(p.Accounts, a)
		return nil
	})
	if err != nil {
		// Refused (invalid metadata, or the disk would not take it): the
		// account was not added, so undo the keychain half. If that fails
		// too the id stays pending and the next start deletes the item.
		if derr := s.sec.Delete(ctx, SecretKey(a.ID)); derr == nil || errors.Is(derr, secrets.ErrNotFound) {
			s.clearPending(ctx, a.ID)
		}
		return a, err
	}
	return a, err
}

// Remove deletes the account from the pool and its credentials from the
// keychain.
func (s *Service) Remove(ctx context.Context, id string) error {
	s.pending.Lock()
	defer s.pending.Unlock()
	err := s.pool.Update(ctx, func(p *store.Pool) error {
		if !p.Remove(id) {
			return fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		if !slices.Contains(p.PendingSecrets, id) {
			p.PendingSecrets = append(p.PendingSecrets, id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.sec.Delete(ctx, SecretKey(id)); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		// The account is gone; its item stays pending and Reconcile retries.
		return fmt.Errorf("account removed, but its credentials could not be deleted from the keychain yet (will retry at next start): %w", err)
	}
	s.clearPending(ctx, id)
	return nil
}

// Credentials returns the account's keychain item.
func (s *Service) Credentials(ctx context.Context, id string) (secrets.Secret, error) {
	return s.sec.Get(ctx, SecretKey(id))
}

// SetCredentials replaces an existing account's keychain item (a refreshed
// or rotated token). The account must exist.
func (s *Service) SetCredentials(ctx context.Context, id string, creds secrets.Secret) error {
	if s.pool.Snapshot().Account(id) == nil {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return s.sec.Set(ctx, SecretKey(id), creds)
}

// Report says what Reconcile did.
type Report struct {
	OrphansDeleted []string // pending ids whose leftover item was removed (or was already gone)
	LoginNeeded    []string // accounts whose credentials are missing from the keychain
}

// Reconcile repairs what an interrupted Add or Remove left behind, and marks
// accounts without credentials as needing a login. It keeps going past
// keychain errors and returns them joined.
func (s *Service) Reconcile(ctx context.Context) (Report, error) {
	var rep Report
	var errs []error
	s.pending.Lock()
	for _, id := range s.pool.Snapshot().PendingSecrets {
		err := s.sec.Delete(ctx, SecretKey(id))
		if err != nil && !errors.Is(err, secrets.ErrNotFound) {
			errs = append(errs, fmt.Errorf("delete leftover credentials of %s: %w", id, err))
			continue
		}
		s.clearPending(ctx, id)
		rep.OrphansDeleted = append(rep.OrphansDeleted, id)
	}
	s.pending.Unlock()
	// An account is in the pool only once its item was written (Add), so
	// this check needs no lock.
	for _, a := range s.pool.Snapshot().Accounts {
		_, err := s.sec.Get(ctx, SecretKey(a.ID))
		switch {
		case errors.Is(err, secrets.ErrNotFound):
			rep.LoginNeeded = append(rep.LoginNeeded, a.ID)
			// A fact found, not a choice made: Record keeps it in effect
			// even if the disk refuses it.
			uerr := s.pool.Record(ctx, func(p *store.Pool) error {
				if acc := p.Account(a.ID); acc != nil {
					acc.State = store.AccountState{Status: store.StatusLoginNeeded}.WithReason(store.ReasonNoCredentials.With())
				}
				return nil
			})
			if uerr != nil {
				errs = append(errs, uerr)
			}
		case err != nil:
			errs = append(errs, fmt.Errorf("check credentials of %s: %w", a.ID, err))
		}
	}
	if len(rep.OrphansDeleted)+len(rep.LoginNeeded) > 0 {
		s.log.Info("accounts reconciled", "orphans_deleted", len(rep.OrphansDeleted), "login_needed", len(rep.LoginNeeded))
	}
	return rep, errors.Join(errs...)
}

func (s *Service) clearPending(ctx context.Context, id string) {
	err := s.pool.Update(ctx, func(p *store.Pool) error {
		p.PendingSecrets = slices.DeleteFunc(p.PendingSecrets, func(x string) bool { return x == id })
		return nil
	})
	if err != nil {
		s.log.Warn("could not clear a pending credentials marker; the next start will", "account", id, "err", err)
	}
}
