// Package login adds Kiro accounts: the AWS Builder ID / IAM Identity Center
// device code flow, the Google / GitHub PKCE flow, imports from the Kiro IDE
// and from the old Node.js proxy, and a pasted token (kiro-protocol.md
// section 8). Every path ends in accounts.Service.Add, so the secret goes to
// the keychain and only metadata to pool.json; nothing here writes a file.
package login

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"kirodesk/internal/accounts"
	"kirodesk/internal/kiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// Errors a caller may tell apart (errors.Is).
var (
	ErrDuplicate = errors.New("this account is already added")
	ErrExpired   = errors.New("the login code expired before it was approved: start again")
	ErrDenied    = errors.New("the login was declined in the browser")
	ErrTimeout   = errors.New("the login was not completed in time: start again")
	ErrCanceled  = errors.New("the login was cancelled")
)

// Refresher trades a refresh token for an access token (kiro.Client).
type Refresher interface {
	Refresh(ctx context.Context, c kiro.Credentials) (kiro.Credentials, error)
}

// Options wire a Service. Accounts, Upstream and Secrets are required.
type Options struct {
	Accounts *accounts.Service
	Upstream func() store.Upstream
	// HTTP returns the client for Kiro and AWS calls; nil means a default one.
	HTTP      func() *http.Client
	Secrets   secrets.Store
	Refresher Refresher
	// OpenBrowser opens a URL in the system browser; nil means OpenBrowser.
	OpenBrowser func(url string) error
	Logger      *slog.Logger
	Now         func() time.Time
	Home        func() (string, error)
	// SocialTimeout bounds a Google/GitHub login (default 10 minutes).
	SocialTimeout time.Duration
	// PollUnit is what one second of the device flow's interval lasts
	// (default a second); tests shrink it together with the fake's.
	PollUnit time.Duration
	// Replaced is told the id of an account signed in again, so that
	// credentials held in memory (the pool's) are dropped.
	Replaced func(id string)
}

// Service runs logins and imports. Safe for concurrent use.
type Service struct {
	opts Options
	log  *slog.Logger
	// addMu makes the duplicate check and the add one step within this
	// process; the control socket keeps other processes out of the folder.
	addMu sync.Mutex
}

// New returns a Service.
func New(o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Home == nil {
		o.Home = os.UserHomeDir
	}
	if o.OpenBrowser == nil {
		o.OpenBrowser = OpenBrowser
	}
	if o.HTTP == nil {
		def := &http.Client{Timeout: 30 * time.Second}
		o.HTTP = func() *http.Client { return def }
	}
	if o.Upstream == nil {
		o.Upstream = store.DefaultUpstream
	}
	if o.SocialTimeout <= 0 {
		o.SocialTimeout = 10 * time.Minute
	}
	if o.PollUnit <= 0 {
		o.PollUnit = time.Second
	}
	return &Service{opts: o, log: o.Logger}
}

// save adds the account unless it is already there. meta carries the label
// and flags; the rest of the metadata comes from creds.
func (s *Service) save(ctx context.Context, creds kiro.Credentials, meta store.Account) (store.Account, error) {
	return s.saveWith(ctx, nil, creds, meta)
}

// saveWith is save with a cache of the accounts' refresh tokens for a run
// of many adds (an import); nil reads them all again.
func (s *Service) saveWith(ctx context.Context, known tokenCache, creds kiro.Credentials, meta store.Account) (store.Account, error) {
	s.addMu.Lock()
	defer s.addMu.Unlock()
	if dup, err := s.findDuplicate(ctx, known, creds.RefreshToken, meta.Email); err != nil {
		return store.Account{}, err
	} else if dup != nil {
		return *dup, fmt.Errorf("%w: it is %q (%s)", ErrDuplicate, dup.Label, dup.ID)
	}
	// Every way in ends here: nothing whose region, profile ARN or start
	// URL does not parse reaches the keychain or pool.json.
	if err := creds.Check(); err != nil {
		return store.Account{}, fmt.Errorf("not saved: %w", err)
	}
	api, _ := creds.APIRegion()   // parsed by Check
	auth, _ := creds.OIDCRegion() // likewise
	meta.AuthMethod = creds.AuthMethod
	meta.Provider = creds.Provider
	meta.ProfileARN = creds.ProfileARN
	meta.StartURL = creds.StartURL
	meta.Region = api.String()
	if creds.IsOIDC() {
		meta.AuthRegion = auth.String()
	}
	if meta.Label == "" {
		meta.Label = defaultLabel(creds, meta.Email)
	}
	a, err := s.opts.Accounts.Add(ctx, meta, creds.Secret())
	if err != nil {
		return a, err
	}
	s.log.Info("account added", "account", a.ID, "auth", a.AuthMethod, "provider", a.Provider)
	return a, nil
}

// tokenCache maps account ids to their refresh tokens, in memory for the
// length of one import so that each keychain item is read once, not once
// per imported account. It is never written anywhere.
type tokenCache map[string]string

// findDuplicate returns the existing account with the same refresh token
// or, when known, the same email. It reads the existing accounts' keychain
// items to compare (through known when given); nothing derived from a token
// is kept beyond the call or the import.
func (s *Service) findDuplicate(ctx context.Context, known tokenCache, refreshToken, email string) (*store.Account, error) {
	for _, a := range s.opts.Accounts.List() {
		if email != "" && strings.EqualFold(a.Email, email) {
			return &a, nil
		}
		if refreshToken == "" {
			continue
		}
		rt, ok := known[a.ID]
		if !ok {
			sec, err := s.opts.Accounts.Credentials(ctx, a.ID)
			if err != nil && !errors.Is(err, secrets.ErrNotFound) {
				return nil, fmt.Errorf("compare with account %s: %w", a.ID, err)
			}
			if err == nil {
				if c, err := kiro.ParseCredentials(sec); err == nil {
					rt = c.RefreshToken
				}
			}
			if known != nil {
				known[a.ID] = rt
			}
		}
		if rt != "" && rt == refreshToken {
			return &a, nil
		}
	}
	return nil, nil
}

func defaultLabel(c kiro.Credentials, email string) string {
	if email != "" {
		return email
	}
	switch {
	case c.AuthMethod == store.AuthBuilderID:
		return "Builder ID"
	case c.AuthMethod == store.AuthIdC:
		if u, err := url.Parse(c.StartURL); err == nil && u.Host != "" {
			return "IAM Identity Center " + strings.SplitN(u.Host, ".", 2)[0]
		}
		return "IAM Identity Center"
	case strings.EqualFold(c.Provider, "Github"):
		return "GitHub"
	case c.Provider != "":
		return c.Provider
	}
	return "Kiro"
}

// fetchEmail asks Kiro who the account belongs to (getUsageLimits with
// isEmailRequired), through the Kiro client so the account's proxy and host
// table apply. Best effort: an account without an email is still fine.
func (s *Service) fetchEmail(ctx context.Context, c kiro.Credentials) string {
	u, ok := s.opts.Refresher.(interface {
		UsageLimits(ctx context.Context, cr kiro.Credentials, machineID string) (kiro.Usage, error)
	})
	if c.AccessToken == "" || !ok {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	usage, err := u.UsageLimits(ctx, c, kiro.MachineID("login"))
	if err != nil {
		s.log.Debug("could not read the account's email", "err", err)
		return ""
	}
	return usage.Email
}

// postJSON posts v and decodes a 200 answer into out. A non-200 answer comes
// back as *httpError with the body's error code, never its raw text.
func (s *Service) postJSON(ctx context.Context, u string, v, out any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.opts.HTTP().Do(req)
	if err != nil {
		return fmt.Errorf("reach %s: %w", hostOf(u), err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error   string `json:"error"`
			Desc    string `json:"error_description"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(b, &e)
		return &httpError{Status: resp.StatusCode, Code: e.Error, Message: firstNonEmpty(e.Desc, e.Message), Host: hostOf(u)}
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s answered something that is not the expected JSON", hostOf(u))
	}
	return nil
}

type httpError struct {
	Status        int
	Code, Message string
	Host          string
}

func (e *httpError) Error() string {
	msg := e.Message
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	if e.Code != "" {
		return fmt.Sprintf("%s answered %d %s: %s", e.Host, e.Status, e.Code, msg)
	}
	return fmt.Sprintf("%s answered %d: %s", e.Host, e.Status, msg)
}

func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Host
	}
	return "?"
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func (s *Service) openBrowser(u string) {
	// The link comes from the network: never hand the opener anything but
	// a web address (xdg-open and friends would open a file or a program).
	if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		s.log.Warn("not opening a sign-in link that is not a web address; open it by hand if you trust it")
		return
	}
	if err := s.opts.OpenBrowser(u); err != nil {
		s.log.Warn("could not open the browser; open the link by hand", "err", err)
	}
}
