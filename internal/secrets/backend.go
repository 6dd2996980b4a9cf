package secrets

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/zalando/go-keyring"
)

// backend is the slice of go-keyring that Keyring uses. It exists so unit
// tests can inject a fake with a Windows-like size limit, a hanging call or a
// missing chunk. Implementations report an absent item with an error
// wrapping ErrNotFound; any call may block indefinitely (Keyring bounds it).
type backend interface {
	Get(service, user string) (string, error)
	Set(service, user, pass string) error
	Delete(service, user string) error
}

// goKeyring is the production backend: the OS keychain via go-keyring.
type goKeyring struct{}

func (goKeyring) Get(service, user string) (string, error) {
	if err := preflight(); err != nil {
		return "", err
	}
	v, err := keyring.Get(service, user)
	if err != nil {
		return "", translate(err)
	}
	return v, nil
}

func (goKeyring) Set(service, user, pass string) error {
	if err := preflight(); err != nil {
		return err
	}
	return translate(keyring.Set(service, user, pass))
}

func (goKeyring) Delete(service, user string) error {
	if err := preflight(); err != nil {
		return err
	}
	return translate(keyring.Delete(service, user))
}

// translate maps go-keyring's errors onto this package's sentinels. Anything
// else is a keychain failure that diagnose explains where it can (on Linux:
// is there a session bus, is there a Secret Service on it).
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		// Chunking keeps items under every platform's limit, so this means
		// the limit is smaller than chunkSize assumes.
		return fmt.Errorf("the keychain refused an item of this size (chunks are %d bytes): %w", chunkSize, err)
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return fmt.Errorf("%w: go-keyring has no keychain for %s/%s", ErrUnavailable, runtime.GOOS, runtime.GOARCH)
	}
	return diagnose(err)
}
