// Package logging builds Kirodesk's slog loggers. Secrets are kept out in
// two ways: secret values are secrets.Secret, which renders as [redacted]
// itself, and as a second fence every attribute whose key names a credential
// (authorization, api key, token, secret, password, cookie) is redacted here
// whatever its type.
package logging

import (
	"io"
	"log/slog"
	"strings"
)

// ParseLevel maps the config's logLevel to a slog level (info if unknown).
func ParseLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// New returns a text logger writing to w at the given level.
func New(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: Redact}))
}

// Redact is a slog ReplaceAttr that blanks credential-named attributes.
func Redact(_ []string, a slog.Attr) slog.Attr {
	if IsSecretKey(a.Key) && a.Value.Kind() != slog.KindGroup {
		return slog.String(a.Key, "[redacted]")
	}
	return a
}

var secretWords = []string{"authorization", "apikey", "api_key", "api-key", "token", "secret", "password", "cookie"}

// IsSecretKey reports whether an attribute or header name suggests a credential.
func IsSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
