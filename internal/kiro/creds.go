package kiro

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"kirodesk/internal/kiro/endpoint"
	"kirodesk/internal/secrets"
)

// Credentials are one account's tokens, kept in the keychain as JSON (the
// item accounts.SecretKey(id)). Field names follow Kiro's own token files so
// imports map one to one.
type Credentials struct {
	AccessToken  string    `json:"accessToken"`
	RefreshToken string    `json:"refreshToken"`
	ExpiresAt    time.Time `json:"expiresAt,omitzero"`
	AuthMethod   string    `json:"authMethod"` // social, builder-id, idc (store.Auth*)
	Provider     string    `json:"provider,omitempty"`
	ProfileARN   string    `json:"profileArn,omitempty"`
	Region       string    `json:"region,omitempty"`     // API region
	AuthRegion   string    `json:"authRegion,omitempty"` // OIDC region (IdC)
	ClientID     string    `json:"clientId,omitempty"`
	ClientSecret string    `json:"clientSecret,omitempty"`
	// ClientExpiresAt is when the OIDC client registration ends (IdC).
	ClientExpiresAt time.Time `json:"clientExpiresAt,omitzero"`
	StartURL        string    `json:"startUrl,omitempty"`
	// AccountID is the pool account these credentials belong to, set by
	// whoever loads them (never stored), so calls take that account's
	// proxy, regions and chat host.
	AccountID string `json:"-"`
}

// ParseCredentials reads the keychain form.
func ParseCredentials(s secrets.Secret) (Credentials, error) {
	var c Credentials
	if err := json.Unmarshal([]byte(s.Reveal()), &c); err != nil {
		// The message must not echo the value: json errors can quote input.
		return c, errors.New("the stored credentials are not valid JSON")
	}
	if c.RefreshToken == "" && c.AccessToken == "" {
		return c, errors.New("the stored credentials hold no token")
	}
	if err := c.Check(); err != nil {
		return c, fmt.Errorf("the stored credentials: %w", err)
	}
	return c, nil
}

// Secret returns the keychain form.
func (c Credentials) Secret() secrets.Secret {
	b, _ := json.Marshal(c) // a struct of strings and times always encodes
	return secrets.New(string(b))
}

// IsOIDC reports whether the account refreshes through AWS SSO-OIDC.
func (c Credentials) IsOIDC() bool { return c.ClientID != "" && c.ClientSecret != "" }

// ExpiresWithin reports whether the access token is missing or ends within d.
func (c Credentials) ExpiresWithin(now time.Time, d time.Duration) bool {
	return c.AccessToken == "" || (!c.ExpiresAt.IsZero() && now.Add(d).After(c.ExpiresAt))
}

// Check parses the values that decide where the account's requests go
// (kiro/endpoint), naming the first that is refused. Every way in runs it
// before anything is stored.
func (c Credentials) Check() error {
	if _, err := c.APIRegion(); err != nil {
		return err
	}
	if _, err := c.OIDCRegion(); err != nil {
		return err
	}
	if c.StartURL != "" {
		if _, err := endpoint.ParseStartURL("startUrl", c.StartURL); err != nil {
			return err
		}
	}
	return nil
}

// APIRegion is the explicit region, else the one inside the profile ARN,
// else us-east-1 (kiro-protocol.md section 1). A region or ARN that does
// not parse is an error, whichever would have been used.
func (c Credentials) APIRegion() (endpoint.Region, error) {
	var arn endpoint.ProfileARN
	if c.ProfileARN != "" {
		var err error
		if arn, err = endpoint.ParseProfileARN("profileArn", c.ProfileARN); err != nil {
			return endpoint.Region{}, err
		}
	}
	switch {
	case c.Region != "":
		return endpoint.ParseRegion("region", c.Region)
	case c.ProfileARN != "":
		return arn.Region(), nil
	}
	return endpoint.Default, nil
}

// OIDCRegion is where an IdC account refreshes, which may differ from its API region.
func (c Credentials) OIDCRegion() (endpoint.Region, error) {
	api, err := c.APIRegion()
	if err != nil || c.AuthRegion == "" {
		return api, err
	}
	return endpoint.ParseRegion("authRegion", c.AuthRegion)
}

func (c Credentials) String() string {
	return fmt.Sprintf("kiro.Credentials{%s, expires %s, [redacted]}", c.AuthMethod, c.ExpiresAt.Format(time.RFC3339))
}

// GoString keeps %#v from printing the tokens.
func (c Credentials) GoString() string { return c.String() }
