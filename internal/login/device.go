package login

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/endpoint"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// BuilderIDStartURL is AWS Builder ID's start URL (the device flow default).
const BuilderIDStartURL = "https://view.awsapps.com/start"

// Scopes Kiro asks for when registering its OIDC client (section 8).
var oidcScopes = []string{"codewhisperer:completions", "codewhisperer:analysis", "codewhisperer:conversations"}

// DeviceOptions choose the organisation. The zero value is AWS Builder ID.
type DeviceOptions struct {
	StartURL string // empty: Builder ID
	Region   string // OIDC region, default us-east-1
	Label    string // empty: from the email, else "Builder ID" / the organisation
	// NoBrowser leaves opening the verification link to the caller.
	NoBrowser bool
	// Replace is the id of an existing account to sign in again: its
	// credentials are replaced instead of a new account being added.
	Replace string

	region endpoint.Region // Region, parsed by normalise
}

// DeviceFlow is a started device authorization: show UserCode and
// VerificationURI (or open VerificationURIComplete), then Wait.
type DeviceFlow struct {
	UserCode                string
	VerificationURI         string
	VerificationURIComplete string
	ExpiresAt               time.Time

	s          *Service
	opts       DeviceOptions
	client     oidcClient
	deviceCode string
	interval   time.Duration
	once       sync.Once
	cancelOnce sync.Once
	canceled   chan struct{}
}

// Cancel stops a Wait in progress (or the next one) with ErrCanceled.
func (f *DeviceFlow) Cancel() { f.cancelOnce.Do(func() { close(f.canceled) }) }

// oidcClient is a registration, kept in the keychain and reused until it expires.
type oidcClient struct {
	ClientID     string    `json:"clientId"`
	ClientSecret string    `json:"clientSecret"`
	ExpiresAt    time.Time `json:"expiresAt"`
}

// ClientKey names the keychain item of the registration for one region and
// start URL. The hash only shortens the URL to fit a key.
func ClientKey(region, startURL string) string {
	sum := sha256.Sum256([]byte(startURL))
	return "oidc-client:" + region + ":" + hex.EncodeToString(sum[:8])
}

// normalise parses the start URL and the region (kiro/endpoint), whatever
// they came from: a flag, the Accounts window, the control socket.
func (o *DeviceOptions) normalise() error {
	o.StartURL = strings.TrimSpace(o.StartURL)
	if o.StartURL == "" {
		o.StartURL = BuilderIDStartURL
	}
	u, err := endpoint.ParseStartURL("the start URL", o.StartURL)
	if err != nil {
		return err
	}
	o.StartURL = u
	o.Region = strings.TrimSpace(o.Region)
	if o.Region == "" {
		o.Region = endpoint.Default.String()
	}
	o.region, err = endpoint.ParseRegion("region", o.Region)
	return err
}

// postOIDC posts to AWS SSO-OIDC in region; the host is built from the
// parsed region only.
func (s *Service) postOIDC(ctx context.Context, region endpoint.Region, path string, v, out any) error {
	up := s.opts.Upstream()
	u, err := up.URL(up.OIDCBase, region, path)
	if err != nil {
		return err
	}
	return s.postJSON(ctx, u, v, out)
}

// client returns a registration that is valid for at least a day, from the
// keychain or a new one. fresh forces a new registration.
func (s *Service) client(ctx context.Context, o DeviceOptions, fresh bool) (oidcClient, error) {
	key := ClientKey(o.Region, o.StartURL)
	if !fresh {
		sec, err := s.opts.Secrets.Get(ctx, key)
		if err == nil {
			var c oidcClient
			if json.Unmarshal([]byte(sec.Reveal()), &c) == nil && c.ClientID != "" &&
				s.opts.Now().Add(24*time.Hour).Before(c.ExpiresAt) {
				return c, nil
			}
		} else if !errors.Is(err, secrets.ErrNotFound) {
			return oidcClient{}, err
		}
	}
	var out struct {
		ClientID              string `json:"clientId"`
		ClientSecret          string `json:"clientSecret"`
		ClientSecretExpiresAt int64  `json:"clientSecretExpiresAt"`
	}
	req := map[string]any{"clientName": "Kiro IDE", "clientType": "public", "scopes": oidcScopes}
	if err := s.postOIDC(ctx, o.region, "client/register", req, &out); err != nil {
		return oidcClient{}, fmt.Errorf("register with AWS sign-in: %w", err)
	}
	if out.ClientID == "" || out.ClientSecret == "" {
		return oidcClient{}, errors.New("AWS sign-in answered the registration without a client id and secret")
	}
	c := oidcClient{ClientID: out.ClientID, ClientSecret: out.ClientSecret, ExpiresAt: time.Unix(out.ClientSecretExpiresAt, 0).UTC()}
	if out.ClientSecretExpiresAt == 0 {
		c.ExpiresAt = s.opts.Now().Add(90 * 24 * time.Hour).UTC()
	}
	b, _ := json.Marshal(c)
	if err := s.opts.Secrets.Set(ctx, key, secrets.New(string(b))); err != nil {
		// The flow still works; the next one registers again.
		s.log.Warn("could not keep the sign-in registration in the keychain", "err", err)
	}
	return c, nil
}

// StartDevice registers (or reuses) the OIDC client, starts a device
// authorization and opens the browser on the verification link (best effort).
func (s *Service) StartDevice(ctx context.Context, o DeviceOptions) (*DeviceFlow, error) {
	if err := o.normalise(); err != nil {
		return nil, err
	}
	c, err := s.client(ctx, o, false)
	if err != nil {
		return nil, err
	}
	var out struct {
		DeviceCode              string `json:"deviceCode"`
		UserCode                string `json:"userCode"`
		VerificationURI         string `json:"verificationUri"`
		VerificationURIComplete string `json:"verificationUriComplete"`
		ExpiresIn               int    `json:"expiresIn"`
		Interval                int    `json:"interval"`
	}
	authorize := func(c oidcClient) error {
		return s.postOIDC(ctx, o.region, "device_authorization",
			map[string]string{"clientId": c.ClientID, "clientSecret": c.ClientSecret, "startUrl": o.StartURL}, &out)
	}
	err = authorize(c)
	var he *httpError
	if errors.As(err, &he) && he.Code == "invalid_client" {
		// The kept registration was revoked or has expired early: register anew once.
		if c, err = s.client(ctx, o, true); err == nil {
			err = authorize(c)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("start the AWS sign-in: %w", err)
	}
	if out.DeviceCode == "" || out.UserCode == "" {
		return nil, errors.New("AWS sign-in answered without a device code")
	}
	if out.Interval <= 0 {
		out.Interval = 5
	}
	if out.ExpiresIn <= 0 {
		out.ExpiresIn = 600
	}
	f := &DeviceFlow{
		UserCode: out.UserCode, VerificationURI: out.VerificationURI, VerificationURIComplete: out.VerificationURIComplete,
		ExpiresAt: s.opts.Now().Add(time.Duration(out.ExpiresIn) * s.opts.PollUnit),
		s:         s, opts: o, client: c, deviceCode: out.DeviceCode,
		interval: time.Duration(out.Interval) * s.opts.PollUnit,
		canceled: make(chan struct{}),
	}
	if f.VerificationURIComplete == "" {
		f.VerificationURIComplete = f.VerificationURI
	}
	if !o.NoBrowser {
		s.openBrowser(f.VerificationURIComplete)
	}
	return f, nil
}

// Wait polls until the person approves (then adds the account), declines,
// the code expires or ctx ends. A flow can be waited on once.
func (f *DeviceFlow) Wait(ctx context.Context) (store.Account, error) {
	err := errors.New("this login was already waited on: start a new one")
	var acct store.Account
	f.once.Do(func() { acct, err = f.wait(ctx) })
	return acct, err
}

func (f *DeviceFlow) wait(ctx context.Context) (store.Account, error) {
	s := f.s
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	go func() {
		select {
		case <-f.canceled:
			stop(errors.New("cancelled by request"))
		case <-ctx.Done():
		}
	}()
	deadline := time.NewTimer(time.Until(f.ExpiresAt))
	defer deadline.Stop()
	interval := f.interval
	for {
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return store.Account{}, fmt.Errorf("%w: %w", ErrCanceled, context.Cause(ctx))
		case <-deadline.C:
			t.Stop()
			return store.Account{}, ErrExpired
		case <-t.C:
		}
		var out struct {
			AccessToken  string `json:"accessToken"`
			RefreshToken string `json:"refreshToken"`
			ExpiresIn    int    `json:"expiresIn"`
		}
		err := s.postOIDC(ctx, f.opts.region, "token", map[string]string{
			"clientId": f.client.ClientID, "clientSecret": f.client.ClientSecret,
			"deviceCode": f.deviceCode, "grantType": "urn:ietf:params:oauth:grant-type:device_code",
		}, &out)
		var he *httpError
		switch {
		case err == nil:
			if out.RefreshToken == "" {
				return store.Account{}, errors.New("AWS sign-in approved the login but sent no refresh token")
			}
			return f.finish(ctx, out.AccessToken, out.RefreshToken, out.ExpiresIn)
		case ctx.Err() != nil:
			return store.Account{}, fmt.Errorf("%w: %w", ErrCanceled, context.Cause(ctx))
		case errors.As(err, &he) && he.Status == http.StatusBadRequest:
			switch he.Code {
			case "authorization_pending":
			case "slow_down":
				interval += 5 * s.opts.PollUnit
			case "expired_token":
				return store.Account{}, ErrExpired
			case "access_denied":
				return store.Account{}, ErrDenied
			default:
				return store.Account{}, fmt.Errorf("AWS sign-in refused the login: %w", err)
			}
		default:
			// A network blip or a 5xx: keep polling until the code expires.
			s.log.Warn("device login poll failed; trying again", "err", err)
		}
	}
}

func (f *DeviceFlow) finish(ctx context.Context, access, refresh string, expiresIn int) (store.Account, error) {
	s := f.s
	if expiresIn <= 0 {
		expiresIn = 3600
	}
	c := kiro.Credentials{
		AccessToken: access, RefreshToken: refresh,
		ExpiresAt:  s.opts.Now().Add(time.Duration(expiresIn) * time.Second).UTC(),
		AuthMethod: store.AuthIdC, Provider: "Enterprise",
		AuthRegion: f.opts.region.String(), ClientID: f.client.ClientID, ClientSecret: f.client.ClientSecret,
		ClientExpiresAt: f.client.ExpiresAt, StartURL: f.opts.StartURL,
	}
	if f.opts.StartURL == BuilderIDStartURL {
		c.AuthMethod, c.Provider = store.AuthBuilderID, "BuilderId"
	}
	email := s.fetchEmail(ctx, c)
	return s.saveOrReplace(ctx, f.opts.Replace, c, store.Account{Label: f.opts.Label, Email: email})
}
