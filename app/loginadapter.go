package app

import (
	"context"

	"kirodesk/internal/core"
	"kirodesk/internal/login"
	"kirodesk/internal/store"
)

// NewLogins adapts internal/login to the window's Logins. app/ is the only
// place that knows both sides; the flows themselves run in login.
//
// Logins never replace an existing account's credentials (a second sign-in
// as the same account is refused with login.ErrDuplicate), so the pool has
// no stale in-memory credentials to forget after an add.
func NewLogins(s *login.Service) Logins { return loginAdapter{s: s} }

// WithLogins wraps a Startup open function so that the core it opens also
// becomes a's sign-in service (SetLogins with NewLogins). A function, not a
// method: App's exported methods are bound to the page.
func WithLogins(a *App, open func() (*core.Core, error)) func() (*core.Core, error) {
	return func() (*core.Core, error) {
		c, err := open()
		if err == nil {
			a.SetLogins(loginAdapter{s: c.Login, page: a.callbackPage})
		}
		return c, err
	}
}

type loginAdapter struct {
	s *login.Service
	// page words the browser's page at the end of a social sign-in, in the
	// language of the moment the sign-in starts; nil is English.
	page func() login.PageText
}

// The window shows the code and the link and opens the browser through the
// runtime (the webview cannot follow links itself), so login never does.
func (l loginAdapter) StartDevice(ctx context.Context, o DeviceOptions) (DeviceCode, LoginFlow, error) {
	f, err := l.s.StartDevice(ctx, login.DeviceOptions{StartURL: o.StartURL, Region: o.Region, Label: o.Label, NoBrowser: true})
	if err != nil {
		return DeviceCode{}, nil, err
	}
	return DeviceCode{UserCode: f.UserCode, VerificationURI: f.VerificationURI,
		VerificationURIComplete: f.VerificationURIComplete, ExpiresAt: f.ExpiresAt}, f, nil
}

func (l loginAdapter) StartSocial(ctx context.Context, provider, label string) (SocialStart, SocialFlow, error) {
	o := login.SocialOptions{Provider: provider, Label: label, NoBrowser: true}
	if l.page != nil {
		o.Page = l.page()
	}
	f, err := l.s.StartSocialWith(ctx, o)
	if err != nil {
		return SocialStart{}, nil, err
	}
	return SocialStart{LoginURL: f.LoginURL, ExpiresAt: f.ExpiresAt}, socialFlow{f}, nil
}

func (l loginAdapter) ImportKiroIDE(ctx context.Context, path, label string) (store.Account, error) {
	return l.s.ImportKiroIDE(ctx, path, label)
}

func (l loginAdapter) ImportAIClient(ctx context.Context, dir string) (ImportReport, error) {
	r, err := l.s.ImportAIClient(ctx, dir)
	out := ImportReport{Dir: r.Dir, PlaintextFiles: r.PlaintextFiles, Notes: r.Notes, NoteTexts: r.NoteTexts, Accounts: []ImportedAccount{}}
	for _, a := range r.Accounts {
		out.Accounts = append(out.Accounts, ImportedAccount{Name: a.Name, Label: a.Label, Outcome: a.Outcome, Reason: a.Reason, ReasonText: a.ReasonText})
	}
	return out, err
}

func (l loginAdapter) DeletePlaintext(_ context.Context, dir string, files []string) ([]string, error) {
	return l.s.DeletePlaintext(login.ImportReport{Dir: dir, PlaintextFiles: files})
}

func (l loginAdapter) AddToken(ctx context.Context, input, label string) (store.Account, error) {
	return l.s.AddToken(ctx, input, label)
}

// socialFlow drops the account CompleteWithURL returns: Wait reports it.
type socialFlow struct{ *login.SocialFlow }

func (f socialFlow) CompleteWithURL(ctx context.Context, url string) error {
	_, err := f.SocialFlow.CompleteWithURL(ctx, url)
	return err
}
