package endpoint

import (
	"net"
	"net/url"
	"strings"

	"kirodesk/internal/uitext"
)

// Placeholder in a base URL's host is replaced by the account's region.
const Placeholder = "{region}"

// Base is an upstream base URL (store.Upstream): https, or http to this
// machine only (the fake upstream in tests, a local debugging proxy); a
// host, optionally a port and a path; no user name, query or fragment.
// Placeholder may appear in the host and the path.
type Base struct {
	scheme string
	host   string // may hold Placeholder; with the port
	path   string
}

// ParseBase parses a base URL; field names it in the error.
func ParseBase(field, s string) (Base, error) {
	bad := func(why uitext.Msg) (Base, error) { return Base{}, refuse(field, s, why) }
	// A stand-in label that is a valid host part, so url.Parse checks the rest.
	const stand = "region-0"
	u, err := url.Parse(strings.ReplaceAll(s, Placeholder, stand))
	if err != nil {
		return bad(msgBaseNotURL)
	}
	host := u.Hostname()
	loop := isLoopback(host)
	switch {
	case u.Scheme != "https" && !(u.Scheme == "http" && loop):
		return bad(msgBaseHTTPS)
	case u.User != nil:
		return bad(msgUserName)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		return bad(msgBaseQuery)
	case u.Opaque != "" || !plainPath(u.Path) || strings.Contains(s, "%"):
		return bad(msgPath)
	case !loop && !isHostName(host) && net.ParseIP(host) == nil:
		return bad(msgBaseHost)
	}
	if p := u.Port(); p != "" && !validPort(p) {
		return bad(msgBasePort)
	}
	return Base{scheme: u.Scheme, host: strings.ReplaceAll(strings.ToLower(u.Host), stand, Placeholder),
		path: strings.ReplaceAll(strings.TrimRight(u.Path, "/"), stand, Placeholder)}, nil
}

// plainPath reports whether p holds only letters, digits and - . _ ~ /,
// with no ".." step: nothing that needs escaping or could climb.
func plainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~/", c) >= 0) {
			return false
		}
	}
	return !strings.Contains(p, "..")
}

func validPort(p string) bool {
	if len(p) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		n = n*10 + int(p[i]-'0')
	}
	return n >= 1 && n <= 65535
}

// isLoopback reports whether host names this machine only.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsZero reports whether b is the zero value.
func (b Base) IsZero() bool { return b.scheme == "" }

// Loopback reports whether the base points at this machine.
func (b Base) Loopback() bool {
	h := b.host
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return isLoopback(strings.Trim(h, "[]"))
}

// URL is the base for region r with elem joined to its path. Only a parsed
// Region goes into the host, so the host is always the configured one.
func (b Base) URL(r Region, elem ...string) *url.URL {
	if r.IsZero() {
		r = Default
	}
	u := &url.URL{Scheme: b.scheme, Host: strings.ReplaceAll(b.host, Placeholder, r.name), Path: strings.ReplaceAll(b.path, Placeholder, r.name)}
	if len(elem) > 0 {
		u = u.JoinPath(elem...)
	}
	return u
}

// String is the base as configured, {region} and all.
func (b Base) String() string {
	u := url.URL{Scheme: b.scheme, Host: b.host, Path: b.path}
	return strings.ReplaceAll(u.String(), "%7Bregion%7D", Placeholder)
}
