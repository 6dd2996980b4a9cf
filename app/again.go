package app

import (
	"cmp"
	"context"
	"time"
)

// SignInAgain is a started sign-in of an existing account, as the window
// shows it. Method says which step the person has: "device" (a code to
// enter; FlowID, UserCode, VerificationURI...), "social" (a page; FlowID,
// LoginURL) or "done" (nothing: the Kiro IDE's file was read again).
// EventLogin tells how a device or social sign-in ended.
type SignInAgain struct {
	Method                  string    `json:"method"`
	FlowID                  string    `json:"flowId"`
	Label                   string    `json:"label"`
	UserCode                string    `json:"userCode"`
	VerificationURI         string    `json:"verificationUri"`
	VerificationURIComplete string    `json:"verificationUriComplete"`
	LoginURL                string    `json:"loginUrl"`
	ExpiresAt               time.Time `json:"expiresAt"`
}

// IDESignIn says whether the Kiro IDE is signed in on this computer and as
// what (no secret in it): the Accounts view offers to import it.
type IDESignIn struct {
	Found   bool   `json:"found"`
	Path    string `json:"path"`
	Method  string `json:"method"`  // "Google", "AWS Builder ID"...
	Account string `json:"account"` // the account that already has it, or ""
	Problem string `json:"problem"` // why the file cannot be imported, or ""
}

// SignInAgain re-authenticates account id the way it was added, keeping its
// id, name and counters. A sign-in as another person is refused (the flow
// ends with that message) and the account is left as it was.
func (a *App) SignInAgain(id string) (SignInAgain, error) {
	return withLogins(a, 60*time.Second, func(ctx context.Context, l Logins) (SignInAgain, error) {
		out, flow, err := l.StartAgain(ctx, id)
		if err != nil {
			a.emitAccounts()
			return SignInAgain{}, err
		}
		if flow == nil { // done already
			a.emitAccounts()
			return out, nil
		}
		if out.FlowID, err = a.follow(flow); err != nil {
			return SignInAgain{}, err
		}
		if rt := a.windowRuntime(); rt != nil {
			if link := cmp.Or(out.LoginURL, out.VerificationURIComplete, out.VerificationURI); link != "" {
				rt.BrowserOpenURL(link) // the window shows the code and the link too
			}
		}
		return out, nil
	})
}

// DetectKiroIDE says whether the Kiro IDE's sign-in can be imported.
func (a *App) DetectKiroIDE() (IDESignIn, error) {
	l, err := a.loginService()
	if err != nil {
		return IDESignIn{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return l.DetectKiroIDE(ctx)
}

func (l loginAdapter) StartAgain(ctx context.Context, id string) (SignInAgain, LoginFlow, error) {
	g, err := l.s.StartAgain(ctx, id, true)
	switch {
	case err != nil:
		return SignInAgain{}, nil, err
	case g.Device != nil:
		f := g.Device
		return SignInAgain{Method: "device", UserCode: f.UserCode, VerificationURI: f.VerificationURI,
			VerificationURIComplete: f.VerificationURIComplete, ExpiresAt: f.ExpiresAt}, f, nil
	case g.Social != nil:
		return SignInAgain{Method: "social", LoginURL: g.Social.LoginURL, ExpiresAt: g.Social.ExpiresAt}, socialFlow{g.Social}, nil
	}
	return SignInAgain{Method: "done", Label: g.Account.Label}, nil, nil
}

func (l loginAdapter) DetectKiroIDE(ctx context.Context) (IDESignIn, error) {
	d, err := l.s.DetectKiroIDE(ctx)
	return IDESignIn(d), err
}
