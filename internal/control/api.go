// Package control lets a second kirodesk process (the CLI) act on the
// accounts of the instance that owns the config folder, so the folder keeps
// one writer. The owner serves a small HTTP API on a Unix domain socket in
// the folder (Server); the CLI calls it through Client, or, when no
// instance runs, calls Local in-process. Both implement API.
//
// Only the folder's owner can reach the socket: the folder is 0700 and the
// socket 0600. Nothing secret ever comes back out of it: accounts, flows and
// reports carry metadata only, and errors never quote a token.
package control

import (
	"context"
	"time"

	"kirodesk/internal/login"
	"kirodesk/internal/store"
)

// API is what a client may ask of the accounts.
type API interface {
	Accounts(ctx context.Context) ([]store.Account, error)
	Remove(ctx context.Context, id string) error
	SetDisabled(ctx context.Context, id string, disabled bool) (store.Account, error)
	Rename(ctx context.Context, id, label string) (store.Account, error)
	// Reset puts an account back in service after a person acted (a
	// suspension lifted, "try again" on a cooling or exhausted account).
	Reset(ctx context.Context, id string) (store.Account, error)
	// RefreshQuota asks Kiro for the account's credits now.
	RefreshQuota(ctx context.Context, id string) (store.Account, error)

	StartDevice(ctx context.Context, o login.DeviceOptions) (Flow, error)
	StartSocial(ctx context.Context, o login.SocialOptions) (Flow, error)
	// WaitFlow waits for the flow to end; ending ctx cancels the flow.
	WaitFlow(ctx context.Context, id string) (store.Account, error)
	// CompleteSocial finishes a social flow with a pasted redirect URL.
	CompleteSocial(ctx context.Context, id, redirectURL string) (store.Account, error)
	CancelFlow(ctx context.Context, id string) error

	ImportKiroIDE(ctx context.Context, path, label string) (store.Account, error)
	ImportAIClient(ctx context.Context, dir string) (login.ImportReport, error)
	DeletePlaintext(ctx context.Context, r login.ImportReport) ([]string, error)
	// AddToken sends a token in; it never comes back out.
	AddToken(ctx context.Context, input, label string) (store.Account, error)
}

// Flow kinds.
const (
	KindDevice = "device"
	KindSocial = "social"
)

// Flow is a started login as a client sees it.
type Flow struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Device code flow.
	UserCode                string `json:"userCode,omitempty"`
	VerificationURI         string `json:"verificationUri,omitempty"`
	VerificationURIComplete string `json:"verificationUriComplete,omitempty"`
	// Social flow.
	LoginURL  string    `json:"loginUrl,omitempty"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Link is what to open in a browser.
func (f Flow) Link() string {
	if f.Kind == KindSocial {
		return f.LoginURL
	}
	return f.VerificationURIComplete
}
