//go:build !linux

package secrets

// On macOS and Windows the keychain is part of the operating system and
// go-keyring's errors are specific enough, so there is nothing to check up
// front and nothing to diagnose. (BSDs also use the Secret Service, but
// Kirodesk does not ship there.)

func preflight() error { return nil }

func diagnose(err error) error { return err }
