package secrets

import (
	"fmt"
	"log/slog"
)

// redacted is what every rendering of a Secret produces.
const redacted = "[redacted]"

// Secret holds a secret string (a token, a client secret, the local API key)
// and never prints it: fmt with any verb, slog, encoding/json and
// encoding/text all render "[redacted]". Only Reveal returns the value, so
// every place that handles the plain text is one grep away.
//
// The value sits behind a pointer on purpose. fmt does not call methods on
// unexported struct fields, so a caller's
//
//	type account struct{ token secrets.Secret }
//
// printed with %+v would otherwise dump the string. With a pointer, fmt prints
// only an address for nested values.
//
// The zero Secret is empty. Secrets are immutable and safe to copy and to
// share between goroutines. Compare them with Reveal (and
// crypto/subtle where timing matters), not with ==, which compares pointers.
type Secret struct {
	v *string
}

// New wraps s.
func New(s string) Secret {
	return Secret{v: &s}
}

// Reveal returns the plain text. Call it at the last moment (building an HTTP
// header, handing the value to the keychain) and never log what it returns.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether the secret is empty (the zero Secret or New("")).
func (s Secret) IsZero() bool {
	return s.v == nil || *s.v == ""
}

// String implements fmt.Stringer.
func (s Secret) String() string { return redacted }

// GoString implements fmt.GoStringer, for %#v.
func (s Secret) GoString() string { return redacted }

// Format implements fmt.Formatter. It takes precedence over String and
// GoString for every verb, so %d, %x, %q and %s cannot reach the value
// through fmt's reflection-based fallbacks.
func (s Secret) Format(f fmt.State, _ rune) {
	_, _ = f.Write([]byte(redacted))
}

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON implements json.Marshaler: a Secret that ends up in a JSON file
// or in a UI event by mistake carries no secret.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler (used by encoding/json for
// map keys, by slog's text handler fallbacks and by other encoders).
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
