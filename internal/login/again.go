package login

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"kirodesk/internal/kiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// ErrOtherUser refuses a sign-in again that turned out to be another person
// (or another kind of sign-in): the account's credentials are left alone.
var ErrOtherUser = errors.New("a different account signed in")

// Again is a started sign-in again. Device or Social is set when the person
// has a step to do (Wait on it); Account when it is already done (the Kiro
// IDE's file re-read).
type Again struct {
	Device  *DeviceFlow
	Social  *SocialFlow
	Account *store.Account
}

// StartAgain signs account id in again the way it was added: the device
// flow for Builder ID and IAM Identity Center, Kiro's page for Google and
// GitHub, the IDE's token file for an IDE import. On success the account
// keeps its id, label and counters, gets the new credentials and is ready.
func (s *Service) StartAgain(ctx context.Context, id string, noBrowser bool) (Again, error) {
	a, err := s.opts.Accounts.Get(id)
	if err != nil {
		return Again{}, err
	}
	switch {
	case a.IDETokenFile != "":
		acct, err := s.reimportIDE(ctx, a)
		if err != nil {
			return Again{}, err
		}
		return Again{Account: &acct}, nil
	case a.AuthMethod == store.AuthBuilderID || a.AuthMethod == store.AuthIdC:
		f, err := s.StartDevice(ctx, DeviceOptions{StartURL: a.StartURL, Region: a.AuthRegion, NoBrowser: noBrowser, Replace: id})
		return Again{Device: f}, err
	case a.AuthMethod == store.AuthSocial && a.Provider != "":
		f, err := s.StartSocialWith(ctx, SocialOptions{Provider: a.Provider, NoBrowser: noBrowser, Replace: id})
		return Again{Social: f}, err
	}
	return Again{}, fmt.Errorf("%q was added from a pasted token, so Kirodesk cannot sign it in again: paste a new token for it, or remove it and add it with Google or GitHub", a.Label)
}

// reimportIDE reads the Kiro IDE's file again for an account imported from
// it: after signing in again in the IDE, the file holds a working token.
func (s *Service) reimportIDE(ctx context.Context, a store.Account) (store.Account, error) {
	c, err := kiro.ReadIDEFile(a.IDETokenFile)
	if err != nil {
		return store.Account{}, fmt.Errorf("%w (sign in in the Kiro IDE first, then try again)", err)
	}
	if sec, err := s.opts.Accounts.Credentials(ctx, a.ID); err == nil {
		if old, err := kiro.ParseCredentials(sec); err == nil && old.RefreshToken == c.RefreshToken {
			return store.Account{}, errors.New("the Kiro IDE still holds the sign-in Kiro refused: sign in again in the Kiro IDE first, then try again")
		}
	}
	email := ""
	if !c.ExpiresWithin(s.opts.Now(), 0) {
		email = s.fetchEmail(ctx, c)
	}
	return s.replace(ctx, a.ID, c, store.Account{Email: email})
}

// saveOrReplace adds a new account, or signs account replace in again.
func (s *Service) saveOrReplace(ctx context.Context, replace string, c kiro.Credentials, meta store.Account) (store.Account, error) {
	if replace == "" {
		return s.save(ctx, c, meta)
	}
	return s.replace(ctx, replace, c, meta)
}

// replace gives account id the credentials of a new sign-in, after checking
// that the sign-in is the same person: the same email when Kiro told both,
// else at least the same kind of sign-in, and never another account's token.
func (s *Service) replace(ctx context.Context, id string, c kiro.Credentials, meta store.Account) (store.Account, error) {
	s.addMu.Lock()
	defer s.addMu.Unlock()
	a, err := s.opts.Accounts.Get(id)
	if err != nil {
		return store.Account{}, fmt.Errorf("the account to sign in again is gone (removed meanwhile?): %w", err)
	}
	if err := sameUser(a, c, meta.Email); err != nil {
		return store.Account{}, err
	}
	dup, err := s.findDuplicate(ctx, nil, c.RefreshToken, meta.Email)
	if err != nil {
		return store.Account{}, err
	}
	if dup != nil && dup.ID != id {
		return store.Account{}, fmt.Errorf("%w: this sign-in is the account %q, not %q", ErrOtherUser, dup.Label, a.Label)
	}
	if err := c.Check(); err != nil {
		return store.Account{}, fmt.Errorf("not saved: %w", err)
	}
	api, _ := c.APIRegion()   // parsed by Check
	auth, _ := c.OIDCRegion() // likewise
	out, err := s.opts.Accounts.Replace(ctx, id, c.Secret(), func(acc *store.Account) {
		if acc.Email == "" {
			acc.Email = meta.Email
		}
		acc.AuthMethod, acc.Provider, acc.ProfileARN, acc.StartURL = c.AuthMethod, c.Provider, c.ProfileARN, c.StartURL
		acc.Region = api.String()
		if c.IsOIDC() {
			acc.AuthRegion = auth.String()
		}
	})
	if err != nil {
		return out, err
	}
	if s.opts.Replaced != nil {
		s.opts.Replaced(id)
	}
	s.log.Info("account signed in again", "account", id, "auth", out.AuthMethod)
	return out, nil
}

// sameUser refuses a sign-in that is not the account's person.
func sameUser(a store.Account, c kiro.Credentials, email string) error {
	if a.Email != "" && email != "" {
		if !strings.EqualFold(a.Email, email) {
			return fmt.Errorf("%w: you signed in as %s, but %q is %s. Sign in as %s, or add %s as a new account",
				ErrOtherUser, email, a.Label, a.Email, a.Email, email)
		}
		return nil
	}
	// Kiro told no email on one side: the kind of sign-in must match.
	if a.AuthMethod != c.AuthMethod || !strings.EqualFold(a.Provider, c.Provider) ||
		(a.AuthMethod == store.AuthIdC && !strings.EqualFold(strings.TrimRight(a.StartURL, "/"), strings.TrimRight(c.StartURL, "/"))) {
		return fmt.Errorf("%w: %q was added with %s, and this sign-in is %s", ErrOtherUser, a.Label,
			Method(a.AuthMethod, a.Provider), Method(c.AuthMethod, c.Provider))
	}
	return nil
}

// Method names a way of signing in for messages ("Google", "AWS Builder ID").
func Method(authMethod, provider string) string {
	switch {
	case authMethod == store.AuthBuilderID:
		return "AWS Builder ID"
	case authMethod == store.AuthIdC:
		return "IAM Identity Center"
	case strings.EqualFold(provider, "Github"):
		return "GitHub"
	case provider != "":
		return provider
	}
	return "a pasted token"
}

// IDESignIn says whether the Kiro IDE is signed in on this computer, and
// as what, without any secret: the window offers to import it.
type IDESignIn struct {
	Found bool   `json:"found"`
	Path  string `json:"path"`
	// Method is how the IDE signed in ("Google", "AWS Builder ID"...).
	Method string `json:"method,omitempty"`
	// Account is the label of the Kirodesk account that already holds this
	// sign-in, or "".
	Account string `json:"account,omitempty"`
	// Problem is why a file that exists cannot be imported, or "".
	Problem string `json:"problem,omitempty"`
}

// DetectKiroIDE looks for the Kiro IDE's token file. It reads no email from
// Kiro (that would use the IDE's token): whom the sign-in belongs to is
// told by its method and by the account that already has it, if any.
func (s *Service) DetectKiroIDE(ctx context.Context) (IDESignIn, error) {
	home, err := s.opts.Home()
	if err != nil {
		return IDESignIn{}, fmt.Errorf("find the home folder: %w", err)
	}
	path := filepath.Join(home, kiro.DefaultIDEFile)
	out := IDESignIn{Path: path}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return out, nil
	} else if err != nil {
		return out, err
	}
	out.Found = true
	c, err := kiro.ReadIDEFile(path)
	if err != nil {
		out.Problem = err.Error()
		return out, nil
	}
	out.Method = Method(c.AuthMethod, c.Provider)
	for _, a := range s.opts.Accounts.List() {
		if a.IDETokenFile == path {
			out.Account = a.Label
			return out, nil
		}
	}
	s.addMu.Lock()
	dup, err := s.findDuplicate(ctx, nil, c.RefreshToken, "")
	s.addMu.Unlock()
	if err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return out, err
	}
	if dup != nil {
		out.Account = dup.Label
	}
	return out, nil
}
