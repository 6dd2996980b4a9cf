package app

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"kirodesk/internal/store"
	"kirodesk/internal/uitext"
)

// Logins is the sign-in service the Accounts window drives (internal/login,
// adapted to these app-side types where it is wired). The flows run in the
// core; the methods below only start them, follow them and report.
type Logins interface {
	// StartDevice begins a Builder ID / IAM Identity Center device-code login.
	StartDevice(ctx context.Context, opts DeviceOptions) (DeviceCode, LoginFlow, error)
	// StartSocial begins a Google or GitHub login in the person's browser.
	StartSocial(ctx context.Context, provider, label string) (SocialStart, SocialFlow, error)
	// ImportKiroIDE adds the account the Kiro IDE is signed in with (path ""
	// means the IDE's usual token file).
	ImportKiroIDE(ctx context.Context, path, label string) (store.Account, error)
	// ImportAIClient imports the accounts of the old Node.js proxy's folder.
	ImportAIClient(ctx context.Context, dir string) (ImportReport, error)
	// DeletePlaintext deletes credential files an import listed (only
	// *.json files inside dir); it returns the ones deleted.
	DeletePlaintext(ctx context.Context, dir string, files []string) ([]string, error)
	// AddToken adds an account from a pasted refresh token or credential JSON.
	AddToken(ctx context.Context, input, label string) (store.Account, error)
	// StartAgain signs an existing account in again the way it was added;
	// the flow is nil when it is already done.
	StartAgain(ctx context.Context, id string) (SignInAgain, LoginFlow, error)
	// DetectKiroIDE says whether the Kiro IDE's sign-in is there to import.
	DetectKiroIDE(ctx context.Context) (IDESignIn, error)
}

// LoginFlow is a started sign-in that ends in an account.
type LoginFlow interface {
	Wait(ctx context.Context) (store.Account, error)
	Cancel()
}

// SocialFlow can also be finished by pasting the redirect URL, for when
// the browser cannot reach the loopback callback.
type SocialFlow interface {
	LoginFlow
	CompleteWithURL(ctx context.Context, url string) error
}

// DeviceOptions choose the identity provider of a device-code login.
type DeviceOptions struct {
	StartURL string `json:"startUrl"` // empty: AWS Builder ID
	Region   string `json:"region"`
	Label    string `json:"label"`
}

// DeviceCode is what the person types (or opens) to approve the login.
type DeviceCode struct {
	UserCode                string    `json:"userCode"`
	VerificationURI         string    `json:"verificationUri"`
	VerificationURIComplete string    `json:"verificationUriComplete"`
	ExpiresAt               time.Time `json:"expiresAt"`
}

// SocialStart is the page to open for a Google or GitHub login.
type SocialStart struct {
	LoginURL  string    `json:"loginUrl"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// ImportReport says what an import of the old proxy did, account by account.
type ImportReport struct {
	// ID names this report for DeleteImportedFiles (set by the App).
	ID       string            `json:"id"`
	Dir      string            `json:"dir"`
	Accounts []ImportedAccount `json:"accounts"`
	// PlaintextFiles are the old proxy's credential files whose accounts
	// are now in the keychain: the ones the person may delete.
	PlaintextFiles []string `json:"plaintextFiles"`
	Notes          []string `json:"notes"`
	// NoteTexts are the Notes with their codes, for the window.
	NoteTexts []uitext.Text `json:"noteTexts"`
}

// ImportedAccount is one account the import found and what became of it.
type ImportedAccount struct {
	Name    string `json:"name"`
	Label   string `json:"label,omitempty"`
	Outcome string `json:"outcome"` // imported, skipped, failed
	Reason  string `json:"reason,omitempty"`
	// ReasonText is Reason with its code, for the window.
	ReasonText uitext.Text `json:"reasonText,omitzero"`
}

// DeviceLogin is a started device-code login, as the window shows it.
type DeviceLogin struct {
	FlowID string `json:"flowId"`
	DeviceCode
}

// SocialLogin is a started browser login, as the window shows it.
type SocialLogin struct {
	FlowID string `json:"flowId"`
	SocialStart
}

// LoginEvent is sent (EventLogin) when a flow ends.
type LoginEvent struct {
	FlowID  string `json:"flowId"`
	OK      bool   `json:"ok"`
	Label   string `json:"label,omitempty"` // the account added
	Error   string `json:"error,omitempty"`
	Cancels bool   `json:"cancelled,omitempty"`
}

// ErrNoLogins is returned when this build has no sign-in service wired.
var ErrNoLogins = errors.New("adding accounts from the window is not available in this build: use `kirodesk login` in a terminal")

// SetLogins wires the sign-in service (before the window calls it).
func (a *App) SetLogins(l Logins) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.logins = l
}

func (a *App) loginService() (Logins, error) {
	if _, err := a.ready(); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.logins == nil {
		return nil, ErrNoLogins
	}
	return a.logins, nil
}

// withLogins runs fn with the sign-in service and a context that ends after
// d or with the sign-ins' context: quitting ends a start or an import under
// way too.
func withLogins[T any](a *App, d time.Duration, fn func(context.Context, Logins) (T, error)) (T, error) {
	l, err := a.loginService()
	if err != nil {
		var none T
		return none, err
	}
	ctx, cancel := context.WithTimeout(a.flows.context(), d)
	defer cancel()
	return fn(ctx, l)
}

// StartDeviceLogin begins a Builder ID / Identity Center login and returns
// the code to show; EventLogin tells how it ended.
func (a *App) StartDeviceLogin(opts DeviceOptions) (DeviceLogin, error) {
	return withLogins(a, 30*time.Second, func(ctx context.Context, l Logins) (DeviceLogin, error) {
		code, flow, err := l.StartDevice(ctx, opts)
		if err != nil {
			return DeviceLogin{}, err
		}
		id, err := a.follow(flow)
		if err != nil {
			return DeviceLogin{}, err
		}
		a.notify(a.tr("NotifyDeviceCodeTitle"), a.tr("NotifyDeviceCodeBody", "Code", code.UserCode, "URL", code.VerificationURI))
		if link, rt := cmp.Or(code.VerificationURIComplete, code.VerificationURI), a.windowRuntime(); rt != nil && link != "" {
			rt.BrowserOpenURL(link) // the window shows the code and the link too
		}
		return DeviceLogin{FlowID: id, DeviceCode: code}, nil
	})
}

// StartSocialLogin begins a Google or GitHub login and opens its page in
// the browser; EventLogin tells how it ended.
func (a *App) StartSocialLogin(provider, label string) (SocialLogin, error) {
	return withLogins(a, 30*time.Second, func(ctx context.Context, l Logins) (SocialLogin, error) {
		start, flow, err := l.StartSocial(ctx, provider, label)
		if err != nil {
			return SocialLogin{}, err
		}
		id, err := a.follow(flow)
		if err != nil {
			return SocialLogin{}, err
		}
		if rt := a.windowRuntime(); rt != nil {
			rt.BrowserOpenURL(start.LoginURL)
		}
		return SocialLogin{FlowID: id, SocialStart: start}, nil
	})
}

// CompleteSocialLogin finishes a browser login with the pasted redirect URL.
func (a *App) CompleteSocialLogin(flowID, url string) error {
	f, ok := a.flow(flowID).(SocialFlow)
	if !ok {
		return fmt.Errorf("this sign-in has ended: start it again")
	}
	ctx, cancel := context.WithTimeout(a.flows.context(), 30*time.Second)
	defer cancel()
	return f.CompleteWithURL(ctx, url)
}

// CancelLogin stops a sign-in in progress.
func (a *App) CancelLogin(flowID string) error {
	f := a.flow(flowID)
	if f == nil {
		return nil // already over
	}
	f.Cancel()
	return nil
}

// ImportKiroIDE adds the Kiro IDE's account; path "" means its usual file.
func (a *App) ImportKiroIDE(path, label string) (string, error) {
	// Quitting stops the token check it makes.
	return withLogins(a, 60*time.Second, func(ctx context.Context, l Logins) (string, error) {
		acc, err := l.ImportKiroIDE(ctx, path, label)
		a.emitAccounts()
		return acc.Label, err
	})
}

// ImportOldProxy imports the accounts of the old Node.js proxy's folder.
// The report is kept so that DeleteImportedFiles deletes exactly the files
// it listed, never paths the page sends.
func (a *App) ImportOldProxy(dir string) (ImportReport, error) {
	rep, err := withLogins(a, 120*time.Second, func(ctx context.Context, l Logins) (ImportReport, error) {
		rep, err := l.ImportAIClient(ctx, dir)
		a.emitAccounts()
		return rep, err
	})
	if err != nil {
		return ImportReport{}, err
	}
	rep.ID = newID()
	if rep.Accounts == nil {
		rep.Accounts = []ImportedAccount{}
	}
	if rep.PlaintextFiles == nil {
		rep.PlaintextFiles = []string{}
	}
	if rep.Notes == nil {
		rep.Notes = []string{}
	}
	if rep.NoteTexts == nil {
		rep.NoteTexts = []uitext.Text{}
	}
	a.mu.Lock()
	a.lastImport = rep
	a.mu.Unlock()
	return rep, nil
}

// DeleteImportedFiles deletes the plaintext credential files of the import
// reportID (the window asks for confirmation first) and returns the ones
// deleted. Only the latest import's files can be deleted, once.
func (a *App) DeleteImportedFiles(reportID string) ([]string, error) {
	l, err := a.loginService()
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	rep := a.lastImport
	if reportID != "" && rep.ID == reportID {
		a.lastImport = ImportReport{}
	}
	a.mu.Unlock()
	if reportID == "" || rep.ID != reportID {
		return nil, errors.New("that import is no longer the latest: import the folder again to delete its files")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	deleted, err := l.DeletePlaintext(ctx, rep.Dir, rep.PlaintextFiles)
	if deleted == nil {
		deleted = []string{}
	}
	return deleted, err
}

// AddToken adds an account from a pasted token or credential JSON. The
// input is a credential: it goes to the login service and nowhere else.
func (a *App) AddToken(input, label string) (string, error) {
	return withLogins(a, 60*time.Second, func(ctx context.Context, l Logins) (string, error) {
		acc, err := l.AddToken(ctx, input, label)
		a.emitAccounts()
		return acc.Label, err
	})
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
