// Package apikey owns the local API key: the one credential a client needs to
// use the proxy. It lives in the keychain (item "apikey"), is generated on
// first use, and is compared in constant time.
package apikey

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"kirodesk/internal/secrets"
)

// Item is the keychain item that holds the key.
const Item = "apikey"

// Prefix makes the key recognisable in a person's shell history or config.
const Prefix = "kd-"

// Generate returns a fresh random key (256 bits).
func Generate() secrets.Secret {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return secrets.New(Prefix + base64.RawURLEncoding.EncodeToString(b))
}

// Ensure returns the stored key, generating and storing one if there is none.
func Ensure(ctx context.Context, store secrets.Store) (secrets.Secret, error) {
	key, err := store.Get(ctx, Item)
	if err == nil && !key.IsZero() {
		return key, nil
	}
	if err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return secrets.Secret{}, fmt.Errorf("read the API key from the keychain: %w", err)
	}
	return Regenerate(ctx, store)
}

// Regenerate replaces the stored key with a new one; the old key stops working
// wherever the new one is installed.
func Regenerate(ctx context.Context, store secrets.Store) (secrets.Secret, error) {
	key := Generate()
	if err := store.Set(ctx, Item, key); err != nil {
		return secrets.Secret{}, fmt.Errorf("save the API key in the keychain: %w", err)
	}
	return key, nil
}

// Equal compares a presented key with the real one in constant time.
func Equal(presented string, key secrets.Secret) bool {
	k := key.Reveal()
	return k != "" && subtle.ConstantTimeCompare([]byte(presented), []byte(k)) == 1
}
