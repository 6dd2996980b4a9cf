package secrets

import (
	"context"
	"fmt"
	"sync"
)

// Memory is an in-memory Store for unit tests of other packages. It follows
// the same contract as Keyring (key validation, ErrNotFound wrapping, context
// cancellation) so that code tested against it behaves the same against the
// real keychain. It is safe for concurrent use. It is never used by the app
// itself: Kirodesk keeps secrets only in the keychain.
type Memory struct {
	mu    sync.RWMutex
	items map[string]string
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{items: make(map[string]string)}
}

// Get implements Store.
func (m *Memory) Get(ctx context.Context, key string) (Secret, error) {
	if err := checkCall(ctx, "get", key); err != nil {
		return Secret{}, err
	}
	m.mu.RLock()
	v, ok := m.items[key]
	m.mu.RUnlock()
	if !ok {
		return Secret{}, fmt.Errorf("secrets: get %q: %w", key, ErrNotFound)
	}
	return New(v), nil
}

// Set implements Store.
func (m *Memory) Set(ctx context.Context, key string, value Secret) error {
	if err := checkCall(ctx, "set", key); err != nil {
		return err
	}
	m.mu.Lock()
	m.items[key] = value.Reveal()
	m.mu.Unlock()
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(ctx context.Context, key string) error {
	if err := checkCall(ctx, "delete", key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.items[key]; !ok {
		return fmt.Errorf("secrets: delete %q: %w", key, ErrNotFound)
	}
	delete(m.items, key)
	return nil
}

// checkCall does the argument and context checks shared by both stores.
func checkCall(ctx context.Context, op, key string) error {
	if err := validateKey(key); err != nil {
		return fmt.Errorf("secrets: %s: %w", op, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("secrets: %s %q: %w", op, key, err)
	}
	return nil
}
