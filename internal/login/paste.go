package login

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"kirodesk/internal/kiro"
	"kirodesk/internal/store"
)

// ImportKiroIDE adds the account the Kiro IDE is logged in with, from its
// token file (path "" = ~/.aws/sso/cache/kiro-auth-token.json) and, for IdC,
// its client registration file. It does not refresh the token, which would
// rotate it under the IDE; it links the account to the file instead so the
// pool can adopt the IDE's later rotations.
func (s *Service) ImportKiroIDE(ctx context.Context, path, label string) (store.Account, error) {
	if path == "" {
		home, err := s.opts.Home()
		if err != nil {
			return store.Account{}, fmt.Errorf("find the home folder: %w", err)
		}
		path = filepath.Join(home, kiro.DefaultIDEFile)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return store.Account{}, err
	}
	c, err := kiro.ReadIDEFile(abs)
	if err != nil {
		return store.Account{}, fmt.Errorf("%w (is the Kiro IDE logged in on this computer?)", err)
	}
	email := ""
	if !c.ExpiresWithin(s.opts.Now(), time.Minute) {
		email = s.fetchEmail(ctx, c) // a read with the IDE's own token: nothing rotates
	}
	return s.save(ctx, c, store.Account{Label: label, IDETokenFile: abs, Email: email})
}

// AddToken adds an account from a pasted social refresh token or a Kiro
// credential JSON. It is proven by one refresh before it is saved, and the
// refreshed (possibly rotated) token is what is kept.
func (s *Service) AddToken(ctx context.Context, input, label string) (store.Account, error) {
	input = strings.TrimSpace(input)
	var c kiro.Credentials
	switch {
	case input == "":
		return store.Account{}, errors.New("nothing was pasted: give a refresh token or a Kiro credential JSON")
	case strings.HasPrefix(input, "{"):
		var err error
		if c, _, err = kiro.ParseCredentialJSON([]byte(input)); err != nil {
			return store.Account{}, fmt.Errorf("the pasted JSON: %w", err)
		}
		if c.AuthMethod != store.AuthSocial && !c.IsOIDC() {
			return store.Account{}, errors.New("the pasted JSON is a Builder ID / IAM Identity Center login without its clientId and clientSecret: paste them too, or use `kirodesk login builder-id`")
		}
	default:
		if strings.IndexFunc(input, unicode.IsSpace) >= 0 {
			return store.Account{}, errors.New("a refresh token is one word: paste only the token, or the whole credential JSON")
		}
		c = kiro.Credentials{RefreshToken: input, AuthMethod: store.AuthSocial}
	}
	if s.opts.Refresher == nil {
		return store.Account{}, errors.New("no way to check the token (login service built without a refresher)")
	}
	s.addMu.Lock()
	dup, err := s.findDuplicate(ctx, nil, c.RefreshToken, "")
	s.addMu.Unlock()
	if err != nil {
		return store.Account{}, err
	}
	if dup != nil {
		return *dup, fmt.Errorf("%w: it is %q (%s)", ErrDuplicate, dup.Label, dup.ID)
	}
	fresh, err := s.opts.Refresher.Refresh(ctx, c)
	if err != nil {
		return store.Account{}, fmt.Errorf("Kiro did not accept the token, so it was not saved: %w", err)
	}
	// The old token may be dead now (rotation): the refreshed one is kept,
	// and saving it is the next step.
	return s.save(ctx, fresh, store.Account{Label: label, Email: s.fetchEmail(ctx, fresh)})
}
