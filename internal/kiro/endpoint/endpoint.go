// Package endpoint parses the values that decide where Kirodesk sends an
// account's tokens and prompts: AWS region names, profile ARNs, IAM Identity
// Center start URLs and the upstream base URLs. Every way in (credential
// files, pasted JSON, logins, pool.json, config.json, flags, the settings
// window) parses through here, and hosts are built only from these types, so
// a credential file saying "region": "x.attacker.example#" is refused instead
// of sending the refresh token to q.x.attacker.example.
package endpoint

import (
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"kirodesk/internal/uitext"
)

// Error says which field held which value and why it is refused. The value
// is shortened: it may be long or hostile, and is quoted so it cannot forge
// a log line.
type Error struct {
	Field  string
	Value  string
	Reason string // the English reason, after the field and value
	msg    uitext.Msg
}

func (e *Error) Error() string { return e.text().Text }

// Unwrap is the refusal with its code (uitext.Error), so that the window,
// which finds coded texts through wrappers (uitext.Texts), shows it in its
// language; the English is the same.
func (e *Error) Unwrap() error { return &uitext.Error{Text: e.text()} }

func (e *Error) text() uitext.Text {
	v := e.Value
	if len(v) > 80 {
		v = v[:80] + "..."
	}
	return e.msg.With("field", e.Field, "value", strconv.Quote(v))
}

// refuse is the refusal of value in field for the reason m says; m's
// English is "{{field}} {{value}} " and the reason.
func refuse(field, value string, m uitext.Msg) error {
	return &Error{Field: field, Value: value, Reason: reasonOf(m), msg: m}
}

// Region is an AWS region name such as us-east-1. The zero value is not a
// region; only ParseRegion and Default make one.
type Region struct{ name string }

// Default is where Kiro's social accounts and Builder ID live.
var Default = Region{"us-east-1"}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)

// ParseRegion accepts an AWS region name; field names the value in the error.
func ParseRegion(field, s string) (Region, error) {
	if len(s) > 32 || !regionPattern.MatchString(s) {
		return Region{}, refuse(field, s, msgRegion)
	}
	return Region{s}, nil
}

// MustParseRegion is ParseRegion for names written in the code; it panics
// on anything else.
func MustParseRegion(s string) Region {
	r, err := ParseRegion("region", s)
	if err != nil {
		panic(err)
	}
	return r
}

func (r Region) String() string { return r.name }

// IsZero reports whether r is the zero value (no region).
func (r Region) IsZero() bool { return r.name == "" }

// ProfileARN is a CodeWhisperer profile ARN,
// arn:aws:codewhisperer:REGION:ACCOUNT:profile/ID.
type ProfileARN struct {
	region  Region
	account string
	id      string
}

var (
	accountPattern   = regexp.MustCompile(`^[0-9]{12}$`)
	profileIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)
)

// ParseProfileARN accepts a CodeWhisperer profile ARN whose region is an
// AWS region name, account 12 digits and profile id letters and digits.
func ParseProfileARN(field, s string) (ProfileARN, error) {
	bad := refuse(field, s, msgProfileARN)
	rest, ok := strings.CutPrefix(s, "arn:aws:codewhisperer:")
	if !ok {
		return ProfileARN{}, bad
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 {
		return ProfileARN{}, bad
	}
	r, err := ParseRegion("region", parts[0])
	if err != nil {
		return ProfileARN{}, bad
	}
	id, ok := strings.CutPrefix(parts[2], "profile/")
	if !ok || !accountPattern.MatchString(parts[1]) || !profileIDPattern.MatchString(id) {
		return ProfileARN{}, bad
	}
	return ProfileARN{region: r, account: parts[1], id: id}, nil
}

// Region is the ARN's region, where the profile's API lives.
func (a ProfileARN) Region() Region { return a.region }

func (a ProfileARN) String() string {
	return "arn:aws:codewhisperer:" + a.region.name + ":" + a.account + ":profile/" + a.id
}

// ParseStartURL accepts an IAM Identity Center start URL: https, a host
// name (no address, no port), no user name, query or fragment. A bare "#"
// or "#/" at the end, as the AWS access portal shows its address, is
// dropped, as is a final "/". It returns the URL in that canonical form.
func ParseStartURL(field, s string) (string, error) {
	bad := func(why uitext.Msg) error { return refuse(field, s, why) }
	t := strings.TrimSuffix(strings.TrimSuffix(s, "#/"), "#")
	u, err := url.Parse(t)
	if err != nil {
		return "", bad(msgStartNotURL)
	}
	switch {
	case u.Scheme != "https":
		return "", bad(msgStartHTTPS)
	case u.User != nil:
		return "", bad(msgUserName)
	case u.Fragment != "" || strings.Contains(t, "#"):
		return "", bad(msgStartFragment)
	case u.RawQuery != "" || u.ForceQuery:
		return "", bad(msgStartQuery)
	case u.Port() != "" || !isHostName(u.Host):
		return "", bad(msgStartHost)
	case u.Opaque != "" || !plainPath(u.Path) || strings.Contains(s, "%"):
		return "", bad(msgPath)
	}
	v := url.URL{Scheme: "https", Host: strings.ToLower(u.Host), Path: strings.TrimRight(u.Path, "/")}
	return v.String(), nil
}

// isHostName reports whether h is a DNS name of letters, digits and
// hyphens with at least two labels; not an address.
func isHostName(h string) bool {
	if len(h) == 0 || len(h) > 253 || net.ParseIP(h) != nil {
		return false
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !isLabel(l) {
			return false
		}
	}
	return true
}

func isLabel(l string) bool {
	if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
