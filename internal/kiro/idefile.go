package kiro

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"kirodesk/internal/kiro/endpoint"
)

// DefaultIDEFile is where the Kiro IDE keeps its login, relative to the home folder.
const DefaultIDEFile = ".aws/sso/cache/kiro-auth-token.json"

// ideFile is the Kiro IDE's token file (kiro-protocol.md section 7); the
// old Node.js proxy's credential files use the same fields plus a few.
type ideFile struct {
	AccessToken  string          `json:"accessToken"`
	RefreshToken string          `json:"refreshToken"`
	ExpiresAt    json.RawMessage `json:"expiresAt"`
	AuthMethod   string          `json:"authMethod"`
	Provider     string          `json:"provider"`
	ProfileARN   string          `json:"profileArn"`
	Region       string          `json:"region"`
	IDCRegion    string          `json:"idcRegion"`
	ClientID     string          `json:"clientId"`
	ClientSecret string          `json:"clientSecret"`
	ClientIDHash string          `json:"clientIdHash"`
	StartURL     string          `json:"startUrl"`
}

type ideClientFile struct {
	ClientID     string          `json:"clientId"`
	ClientSecret string          `json:"clientSecret"`
	ExpiresAt    json.RawMessage `json:"expiresAt"`
}

var clientHashPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// ReadIDEFile reads the Kiro IDE's token file at path and, for an IdC or
// Builder ID login, the client registration file named by its clientIdHash
// in the same folder. Errors name the file but never echo its content.
func ReadIDEFile(path string) (Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Credentials{}, fmt.Errorf("reading the Kiro IDE token file: %w", err)
	}
	c, hash, err := ParseCredentialJSON(b)
	if err != nil {
		return Credentials{}, fmt.Errorf("%s: %w", path, err)
	}
	if hash != "" && !c.IsOIDC() && c.AuthMethod != "social" {
		if !clientHashPattern.MatchString(hash) {
			return Credentials{}, fmt.Errorf("%s: clientIdHash is not a file name", path)
		}
		cp := filepath.Join(filepath.Dir(path), hash+".json")
		cb, err := os.ReadFile(cp)
		if err != nil {
			return Credentials{}, fmt.Errorf("reading the Kiro IDE client registration: %w", err)
		}
		var cf ideClientFile
		if err := json.Unmarshal(cb, &cf); err != nil {
			return Credentials{}, fmt.Errorf("%s is not valid JSON", cp)
		}
		c.ClientID, c.ClientSecret = cf.ClientID, cf.ClientSecret
		if t, err := parseFlexibleTime(cf.ExpiresAt); err == nil {
			c.ClientExpiresAt = t
		}
	}
	if c.AuthMethod != "social" && !c.IsOIDC() {
		return Credentials{}, fmt.Errorf("%s: an %s login needs its client registration (clientId and clientSecret), which was not found", path, c.AuthMethod)
	}
	return c, nil
}

// ParseCredentialJSON maps a Kiro credential JSON (the IDE's file, the old
// proxy's files, or what a person pastes) to Credentials. It also returns the
// clientIdHash, if any, so the caller can find the client registration.
func ParseCredentialJSON(b []byte) (Credentials, string, error) {
	var f ideFile
	if err := json.Unmarshal(b, &f); err != nil {
		// json errors can quote input, which may be a token: say only where.
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return Credentials{}, "", fmt.Errorf("not valid JSON (at byte %d)", se.Offset)
		}
		return Credentials{}, "", errors.New("not a Kiro credential object")
	}
	if f.RefreshToken == "" {
		return Credentials{}, "", errors.New("no refreshToken in it")
	}
	c := Credentials{
		AccessToken: f.AccessToken, RefreshToken: f.RefreshToken, Provider: f.Provider,
		ProfileARN: f.ProfileARN, Region: f.Region, AuthRegion: f.IDCRegion,
		ClientID: f.ClientID, ClientSecret: f.ClientSecret, StartURL: f.StartURL,
	}
	if t, err := parseFlexibleTime(f.ExpiresAt); err == nil {
		c.ExpiresAt = t
	}
	c.AuthMethod = normalizeAuthMethod(f.AuthMethod, f.Provider, f.ClientIDHash != "" || c.IsOIDC())
	if c.AuthMethod == "idc" && c.AuthRegion == "" && c.Region != "" {
		c.AuthRegion = c.Region
	}
	if err := checkFileEndpoints(f, &c); err != nil {
		return Credentials{}, "", err
	}
	return c, f.ClientIDHash, nil
}

// checkFileEndpoints parses the file's values that decide where requests
// go, naming each by its field in the file: "region": "x.attacker.example#"
// would otherwise send the tokens and every prompt to another host.
func checkFileEndpoints(f ideFile, c *Credentials) error {
	for _, v := range []struct{ field, value string }{{"region", f.Region}, {"idcRegion", f.IDCRegion}} {
		if v.value != "" {
			if _, err := endpoint.ParseRegion(v.field, v.value); err != nil {
				return err
			}
		}
	}
	if f.ProfileARN != "" {
		if _, err := endpoint.ParseProfileARN("profileArn", f.ProfileARN); err != nil {
			return err
		}
	}
	if f.StartURL != "" {
		u, err := endpoint.ParseStartURL("startUrl", f.StartURL)
		if err != nil {
			return err
		}
		c.StartURL = u
	}
	return c.Check()
}

// normalizeAuthMethod maps the spellings found in the wild to store.Auth*.
// A missing method means social unless a client registration is present.
func normalizeAuthMethod(m, provider string, hasClient bool) string {
	switch strings.ToLower(m) {
	case "social":
		return "social"
	case "builder-id", "builderid":
		return "builder-id"
	case "idc", "iam", "enterprise":
		if strings.EqualFold(provider, "BuilderId") {
			return "builder-id"
		}
		return "idc"
	}
	if hasClient {
		if strings.EqualFold(provider, "BuilderId") {
			return "builder-id"
		}
		return "idc"
	}
	return "social"
}

// parseFlexibleTime reads an RFC 3339 string or epoch milliseconds/seconds.
func parseFlexibleTime(raw json.RawMessage) (time.Time, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return time.Time{}, errors.New("no time")
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a time", s)
	}
	if n > 1e12 { // milliseconds
		return time.UnixMilli(int64(n)).UTC(), nil
	}
	return time.Unix(int64(n), 0).UTC(), nil
}
