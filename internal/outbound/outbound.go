// Package outbound owns Kirodesk's connections to Kiro: which proxy they
// take (none, the environment's, or an explicit http/https/socks5 URL whose
// password lives in the keychain), globally or per account, and which CAs
// are trusted (the system's plus an optional PEM bundle; verification can
// never be turned off).
//
// Settings are read on every request and compared by fingerprint, so a
// change takes effect for the next request without a restart, while
// connections are kept alive between changes (a transport is built once per
// distinct setting, not per request). "system" reads the environment
// through getenv each time for the same reason: http.ProxyFromEnvironment
// reads it once per process and would freeze it at start-up.
//
// The loopback OAuth callback of the login flows is a local server the
// browser talks to; nothing here is involved in it.
package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http/httpproxy"

	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// Options configure Transports.
type Options struct {
	// Settings returns the global setting; read per request.
	Settings func() store.Outbound
	// AccountProxy returns an account's override ("" = the global one).
	AccountProxy func(accountID string) string
	// Secrets holds proxy passwords (PasswordKey); read only when a proxy
	// URL names a user, and only when its transport is built.
	Secrets secrets.Store
	// Getenv reads the environment for "system" (default os.Getenv).
	Getenv func(string) string
	Logger *slog.Logger
	// ResponseHeaderTimeout bounds the wait for an answer's headers
	// (default 2 minutes; the relay's first-byte timeout is usually shorter).
	ResponseHeaderTimeout time.Duration
}

// Transports hands out an *http.Client per effective setting. Safe for
// concurrent use.
type Transports struct {
	opts Options

	mu      sync.Mutex
	clients map[string]*entry // by fingerprintLocked
	pwGen   map[string]int    // bumped by SetPassword, part of the fingerprint
}

type entry struct {
	client *http.Client
	route  Route
	used   time.Time
}

// Route says which proxy a setting leads to and why, with no password in it.
type Route struct {
	// Setting is the proxy setting in effect (none, system or a URL,
	// password redacted); Scope is "global" or "account".
	Setting string `json:"setting"`
	Scope   string `json:"scope"`
	// Source explains where the proxy came from ("outbound.proxy",
	// "$HTTPS_PROXY", ...); empty for direct connections.
	Source string `json:"source,omitempty"`
	// CABundle is the extra CA file, if any, and CAs how many it added.
	CABundle string `json:"caBundle,omitempty"`
	CAs      int    `json:"caCount,omitempty"`
	// Err is why no transport could be built (a missing CA file, an
	// unreadable keychain): every request fails with it.
	Err string `json:"error,omitempty"`
}

// New returns Transports.
func New(opts Options) *Transports {
	if opts.Settings == nil {
		opts.Settings = func() store.Outbound { return store.Outbound{Proxy: store.ProxySystem} }
	}
	if opts.AccountProxy == nil {
		opts.AccountProxy = func(string) string { return "" }
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ResponseHeaderTimeout <= 0 {
		opts.ResponseHeaderTimeout = 2 * time.Minute
	}
	return &Transports{opts: opts, clients: map[string]*entry{}, pwGen: map[string]int{}}
}

// PasswordKey names the keychain item of a proxy password: the global
// setting's for accountID "", else the account's override's.
func PasswordKey(accountID string) string {
	if accountID == "" {
		return "proxy:global"
	}
	return "proxy:account:" + accountID
}

// SetPassword stores (or, with an empty value, deletes) a proxy password
// and makes the next request rebuild the transports that use it.
func (t *Transports) SetPassword(ctx context.Context, accountID string, pw secrets.Secret) error {
	if t.opts.Secrets == nil {
		return errors.New("no keychain to keep the proxy password in")
	}
	key := PasswordKey(accountID)
	var err error
	if pw.Reveal() == "" {
		if err = t.opts.Secrets.Delete(ctx, key); errors.Is(err, secrets.ErrNotFound) {
			err = nil
		}
	} else {
		err = t.opts.Secrets.Set(ctx, key, pw)
	}
	t.mu.Lock()
	t.pwGen[key]++
	t.mu.Unlock()
	return err
}

// HTTP returns the client for calls that belong to no account yet (login).
func (t *Transports) HTTP() *http.Client { return t.For("") }

// For returns the client for an account's calls ("" = global setting).
func (t *Transports) For(accountID string) *http.Client {
	return t.get(accountID).client
}

// Route describes the setting in effect for an account, for diagnostics.
func (t *Transports) Route(accountID string) Route { return t.get(accountID).route }

// ProxyFor returns the proxy URL (password redacted) a request to target
// takes for an account, or "" for a direct connection.
func (t *Transports) ProxyFor(accountID, target string) (string, error) {
	e := t.get(accountID)
	tr, ok := e.client.Transport.(*roundTripper)
	if !ok || tr.t == nil || tr.t.Proxy == nil {
		return "", nil
	}
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		return "", err
	}
	u, err := tr.t.Proxy(req)
	if err != nil || u == nil {
		return "", err
	}
	return u.Redacted(), nil
}

// setting is one effective configuration, before secrets are read.
type setting struct {
	proxy, scope, pwKey, ca string
	caStamp                 string
	env                     [4]string // system mode: the variables that matter
}

func (t *Transports) current(accountID string) setting {
	g := t.opts.Settings()
	s := setting{proxy: g.Proxy, scope: "global", pwKey: PasswordKey(""), ca: g.CABundle}
	if accountID != "" {
		if p := t.opts.AccountProxy(accountID); p != "" {
			s.proxy, s.scope, s.pwKey = p, "account", PasswordKey(accountID)
		}
	}
	if s.proxy == "" {
		s.proxy = store.ProxySystem
	}
	if s.ca != "" {
		// A replaced bundle is picked up like a changed setting.
		if fi, err := os.Stat(s.ca); err == nil {
			s.caStamp = fmt.Sprintf("%d/%d", fi.Size(), fi.ModTime().UnixNano())
		} else {
			s.caStamp = "missing"
		}
	}
	if s.proxy == store.ProxySystem {
		s.env = t.environment()
	}
	return s
}

// environment is HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY, the
// upper-case spelling first as Go reads them.
func (t *Transports) environment() [4]string {
	var out [4]string
	for i, name := range []string{"HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"} {
		v := t.opts.Getenv(name)
		if v == "" {
			v = t.opts.Getenv(strings.ToLower(name))
		}
		out[i] = v
	}
	return out
}

func (t *Transports) get(accountID string) *entry {
	s := t.current(accountID)
	t.mu.Lock()
	defer t.mu.Unlock()
	key := t.fingerprintLocked(s)
	if e := t.clients[key]; e != nil {
		e.used = time.Now()
		return e
	}
	e := t.build(s)
	e.used = time.Now()
	t.clients[key] = e
	t.pruneLocked()
	return e
}

// fingerprintLocked identifies a setting: equal fingerprints share a
// transport. It holds no secret (the password's key and generation only).
func (t *Transports) fingerprintLocked(s setting) string {
	pw := ""
	if strings.Contains(s.proxy, "@") {
		pw = s.pwKey + "#" + strconv.Itoa(t.pwGen[s.pwKey])
	}
	return strings.Join([]string{s.proxy, pw, s.ca, s.caStamp, s.env[0], s.env[1], s.env[2], s.env[3]}, "\x00")
}

// pruneLocked drops transports unused for a while: settings change
// rarely, so a handful are live at most. Requests still running on a
// dropped one finish normally; only its idle connections are closed.
func (t *Transports) pruneLocked() {
	if len(t.clients) <= 4 {
		return
	}
	cut := time.Now().Add(-10 * time.Minute)
	for k, e := range t.clients {
		if e.used.Before(cut) {
			e.client.CloseIdleConnections()
			delete(t.clients, k)
		}
	}
}

// CloseIdleConnections closes the idle connections of every transport.
func (t *Transports) CloseIdleConnections() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.clients {
		e.client.CloseIdleConnections()
	}
}

// build makes the transport for s. A setting that cannot work (a bad CA
// file, an unreadable password) gives a client whose every request fails
// with the reason, so the person sees it where the request failed.
func (t *Transports) build(s setting) *entry {
	route := Route{Setting: store.Redact(s.proxy), Scope: s.scope, CABundle: s.ca}
	fail := func(err error) *entry {
		route.Err = err.Error()
		t.opts.Logger.Warn("outbound connections cannot be set up", "err", err)
		return &entry{client: &http.Client{Transport: &roundTripper{fail: err}}, route: route}
	}
	roots, n, err := loadRoots(s.ca)
	if err != nil {
		return fail(err)
	}
	route.CAs = n
	tr := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   64, // reuse connections: a TLS handshake per request costs more than the proxy
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   15 * time.Second,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: t.opts.ResponseHeaderTimeout,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
	}
	rt := &roundTripper{t: tr}
	switch s.proxy {
	case store.ProxyNone:
	case store.ProxySystem:
		cfg := httpproxy.Config{HTTPSProxy: s.env[0], HTTPProxy: s.env[1], NoProxy: s.env[3]}
		if cfg.HTTPSProxy == "" {
			cfg.HTTPSProxy = s.env[2]
		}
		if cfg.HTTPProxy == "" {
			cfg.HTTPProxy = s.env[2]
		}
		route.Source = envSource(s.env)
		pf := cfg.ProxyFunc()
		tr.Proxy = func(r *http.Request) (*url.URL, error) { return pf(r.URL) }
		for _, v := range s.env[:3] {
			rt.secrets = append(rt.secrets, userPassword(v))
		}
	default:
		if err := store.CheckProxy(s.proxy); err != nil {
			return fail(fmt.Errorf("proxy setting: %w", err))
		}
		u, _ := url.Parse(s.proxy)
		if u.Scheme == "socks5h" {
			u.Scheme = "socks5" // Go's SOCKS5 client already lets the proxy resolve names
		}
		if u.User != nil {
			pw, err := t.password(s.pwKey)
			if err != nil {
				return fail(err)
			}
			u.User = url.UserPassword(u.User.Username(), pw)
			rt.secrets = append(rt.secrets, pw)
		}
		route.Source = map[string]string{"global": "outbound.proxy", "account": "the account's proxy"}[s.scope]
		tr.Proxy = http.ProxyURL(u)
	}
	rt.route = route
	t.opts.Logger.Info("outbound connections set up", "proxy", route.Setting, "scope", route.Scope,
		"source", route.Source, "caBundle", route.CABundle)
	return &entry{client: &http.Client{Transport: rt}, route: route}
}

func (t *Transports) password(key string) (string, error) {
	if t.opts.Secrets == nil {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pw, err := t.opts.Secrets.Get(ctx, key)
	if errors.Is(err, secrets.ErrNotFound) {
		return "", nil // a user name alone: the proxy may not want a password
	}
	if err != nil {
		return "", fmt.Errorf("read the proxy password from the keychain: %w", err)
	}
	return pw.Reveal(), nil
}

func envSource(env [4]string) string {
	var parts []string
	for i, name := range []string{"$HTTPS_PROXY", "$HTTP_PROXY", "$ALL_PROXY"} {
		if env[i] != "" {
			parts = append(parts, name+"="+store.Redact(env[i]))
		}
	}
	if len(parts) == 0 {
		return "no proxy variable set"
	}
	if env[3] != "" {
		parts = append(parts, "$NO_PROXY="+env[3])
	}
	return strings.Join(parts, ", ")
}

func userPassword(v string) string {
	if u, err := url.Parse(v); err == nil && u.User != nil {
		pw, _ := u.User.Password()
		return pw
	}
	return ""
}

// loadRoots is the system pool plus the bundle's certificates.
func loadRoots(path string) (*x509.CertPool, int, error) {
	if path == "" {
		return nil, 0, nil // nil means the system roots
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("extra CA bundle: %w: fix outbound.caBundle or clear it", err)
	}
	n := 0
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, 0, fmt.Errorf("extra CA bundle %s: certificate %d: %w", path, n+1, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("extra CA bundle %s holds no PEM certificate: fix outbound.caBundle or clear it", path)
	}
	return pool, n, nil
}

// roundTripper adds the proxy in effect to connection errors and keeps
// proxy passwords out of every error text.
type roundTripper struct {
	t       *http.Transport
	fail    error
	route   Route
	secrets []string
}

func (r *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if r.fail != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, r.fail
	}
	resp, err := r.t.RoundTrip(req)
	if err == nil {
		return resp, nil
	}
	proxy := ""
	if r.t.Proxy != nil {
		if u, perr := r.t.Proxy(req); perr == nil && u != nil {
			proxy = u.Redacted()
		}
	}
	if proxy == "" {
		return nil, &Error{err: err, secrets: r.secrets}
	}
	return nil, &Error{err: err, secrets: r.secrets, Proxy: proxy, Source: r.route.Source}
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the transport.
func (r *roundTripper) CloseIdleConnections() {
	if r.t != nil {
		r.t.CloseIdleConnections()
	}
}

// Error is a failed connection. Its text names the proxy in effect and
// where the setting came from, and never holds a proxy password.
type Error struct {
	Proxy, Source string
	err           error
	secrets       []string
}

func (e *Error) Error() string {
	msg := e.err.Error()
	for _, s := range e.secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
			msg = strings.ReplaceAll(msg, url.QueryEscape(s), "[redacted]")
		}
	}
	if e.Proxy == "" {
		return msg
	}
	return fmt.Sprintf("%s (through proxy %s, from %s; change the outbound proxy setting if this proxy should not be used)", msg, e.Proxy, e.Source)
}

func (e *Error) Unwrap() error { return e.err }
