// Package secrets owns every secret Kirodesk keeps at rest: access and refresh
// tokens, IdC client secrets and the local API key. They live only in the
// operating system's keychain (Keychain on macOS, Credential Manager on
// Windows, the Secret Service over D-Bus on Linux), through
// github.com/zalando/go-keyring, one item per key under the service
// "kirodesk". There is no file fallback: when no keychain is reachable the
// calls fail with ErrUnavailable and a message that says what is missing.
//
// # Who calls it
//
// main builds one *Keyring and passes it, as a Store, to the account code,
// which keys items by account ID (and uses a fixed key for the local API key).
// Per the design's consistency rule, adding an account writes the secret
// first and the pool entry second; removing goes the other way round. Tests
// of other packages use NewMemory, which follows the same contract (checked by
// one contract test run against both).
//
// # Values
//
// Values travel as Secret, which renders as "[redacted]" everywhere (fmt,
// slog, JSON). Error messages from this package name keys, never values.
//
// Keychains limit item size (Windows 2,560 bytes, macOS about 3 KB), and Kiro
// access tokens plus IdC client secrets can exceed that. Values longer than
// one chunk are split into numbered chunk items plus a small manifest stored
// under the key itself; see Keyring for the write order that keeps the
// previous value readable until the new one is complete.
//
// # Concurrency and time
//
// All methods are safe for concurrent use. A Keyring runs one operation at a
// time, so a chunked value is never read while it is being replaced;
// Kirodesk is single-instance, so no other process writes its items. Every
// keychain call has a timeout (WithTimeout, default 10s, or the context's
// deadline if sooner): a locked Secret Service with nobody to answer the
// password prompt blocks forever, and the app must say so instead of hanging.
package secrets

import (
	"context"
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap them (test with
// errors.Is) and add a message fit to show a person.
var (
	// ErrNotFound: there is no item under the key.
	ErrNotFound = errors.New("secret not found in the keychain")
	// ErrUnavailable: no keychain is reachable (on Linux: no D-Bus session
	// bus, or no Secret Service on it). The wrapping message says what is
	// missing and what to do.
	ErrUnavailable = errors.New("no keychain available")
	// ErrTimeout: the keychain did not answer in time, typically because it
	// is locked and waiting on a password prompt that nobody sees.
	ErrTimeout = errors.New("the keychain did not answer in time")
	// ErrCorrupt: the stored item is inconsistent (a chunk is missing, the
	// checksum does not match, or the item was not written by Kirodesk).
	// Setting the key again repairs it.
	ErrCorrupt = errors.New("the keychain item is corrupt")
	// ErrInvalidKey: the key is empty, too long or uses characters outside
	// the allowed set. It is a programming error in the caller.
	ErrInvalidKey = errors.New("invalid secret key")
)

// Store is where secrets live. Keys are account IDs or fixed names such as
// "api-key": 1 to 128 bytes of ASCII letters, digits and . _ - @ :
type Store interface {
	// Get returns the secret under key, or an error wrapping ErrNotFound when
	// there is none.
	Get(ctx context.Context, key string) (Secret, error)
	// Set stores value under key, replacing any previous value.
	Set(ctx context.Context, key string, value Secret) error
	// Delete removes the secret under key, or returns an error wrapping
	// ErrNotFound when there is none.
	Delete(ctx context.Context, key string) error
}

// maxKeyLen bounds keys so that a chunk item's name (key, separator,
// generation, index) plus a full chunk stays well inside macOS's limit on
// the whole `security add-generic-password` command (4,096 bytes).
const maxKeyLen = 128

// validateKey enforces the key charset. It matters for more than tidiness:
// chunk items are named key + chunkSep + ..., so a key containing chunkSep
// could collide with another key's chunks. The error reports the offending
// byte and its position but not the key itself, in case a caller passed a
// secret where a key belongs.
func validateKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: the key is empty", ErrInvalidKey)
	}
	if len(key) > maxKeyLen {
		return fmt.Errorf("%w: the key is %d bytes long, the limit is %d", ErrInvalidKey, len(key), maxKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if !keyByteOK(key[i]) {
			return fmt.Errorf("%w: byte %d of the key is %s; keys may use ASCII letters, digits and . _ - @ :",
				ErrInvalidKey, i, describeByte(key[i]))
		}
	}
	return nil
}

func keyByteOK(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c == '.', c == '_', c == '-', c == '@', c == ':':
		return true
	}
	return false
}

// describeByte names a byte for an error message without producing
// misleading text for non-ASCII bytes (which would otherwise print as an
// unrelated Latin-1 letter).
func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("0x%02x", c)
}
