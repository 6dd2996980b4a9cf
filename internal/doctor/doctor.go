// Package doctor runs Kirodesk's connection and environment checks and
// writes one report a person can paste into an issue: per account DNS,
// TCP/TLS to the chosen chat host through the proxy in effect, a token
// refresh and a getUsageLimits call; and the config folder, the keychain,
// the port, the tray host and the outbound settings. No secret is ever in
// the report (proxy passwords are redacted, tokens never read into it).
package doctor

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"kirodesk/internal/kiro"
	"kirodesk/internal/outbound"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// Status of one check.
type Status string

const (
	OK   Status = "ok"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Check is one step and its outcome.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Millis int64  `json:"ms,omitempty"`
}

// Section groups the checks of one subject (an account, the machine).
type Section struct {
	Title  string  `json:"title"`
	Checks []Check `json:"checks"`
}

// Report is the whole result.
type Report struct {
	Time     time.Time `json:"time"`
	Version  string    `json:"version"`
	Sections []Section `json:"sections"`
}

// Failed reports whether any check failed.
func (r Report) Failed() bool {
	for _, s := range r.Sections {
		for _, c := range s.Checks {
			if c.Status == Fail {
				return true
			}
		}
	}
	return false
}

// Text is the report as plain text, to paste into an issue.
func (r Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Kirodesk doctor, %s, version %s, %s/%s\n", r.Time.UTC().Format(time.RFC3339), r.Version, runtime.GOOS, runtime.GOARCH)
	for _, s := range r.Sections {
		fmt.Fprintf(&b, "\n%s\n", s.Title)
		for _, c := range s.Checks {
			ms := ""
			if c.Millis > 0 {
				ms = fmt.Sprintf(" (%d ms)", c.Millis)
			}
			fmt.Fprintf(&b, "  [%-4s] %-12s %s%s\n", c.Status, c.Name, c.Detail, ms)
		}
	}
	return b.String()
}

// Options are what the checks look at. Nil functions skip their checks
// with the reason in SkipReason.
type Options struct {
	Version   string
	ConfigDir string
	Config    *store.Config
	Accounts  []store.Account
	Notices   []string
	Secrets   secrets.Store
	Outbound  *outbound.Transports
	Client    *kiro.Client
	Getenv    func(string) string
	// RunningPID is set when another process owns the config folder: the
	// checks are then read-only.
	RunningPID string
	Running    bool
	// Serving is the endpoint this process listens on, if it does.
	Serving string
	// Credentials reads an account's credentials.
	Credentials func(ctx context.Context, id string) (kiro.Credentials, error)
	// Refresh renews an account's token and stores the result; nil when
	// another process owns the tokens (a refresh here would rotate the
	// refresh token under it).
	Refresh func(ctx context.Context, id string) (kiro.Credentials, error)
	// Tray checks the tray host (nil: the platform's check).
	Tray func(ctx context.Context) Check
	// StepTimeout bounds each network step (default 15 s).
	StepTimeout time.Duration
}

// Run runs every check.
func Run(ctx context.Context, o Options) Report {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.StepTimeout <= 0 {
		o.StepTimeout = 15 * time.Second
	}
	if o.Tray == nil {
		o.Tray = trayHost
	}
	r := Report{Time: time.Now(), Version: o.Version}
	r.Sections = append(r.Sections, machine(ctx, o), network(o))
	for _, a := range o.Accounts {
		r.Sections = append(r.Sections, account(ctx, o, a))
	}
	if len(o.Accounts) == 0 {
		r.Sections = append(r.Sections, Section{Title: "Accounts", Checks: []Check{{Name: "accounts", Status: Warn, Detail: "no account yet: add one in the app"}}})
	}
	return r
}

func timed(name string, fn func() (Status, string)) Check {
	start := time.Now()
	st, d := fn()
	return Check{Name: name, Status: st, Detail: d, Millis: time.Since(start).Milliseconds()}
}

func machine(ctx context.Context, o Options) Section {
	s := Section{Title: "This machine"}
	s.Checks = append(s.Checks, folder(o))
	for _, n := range o.Notices {
		s.Checks = append(s.Checks, Check{Name: "state files", Status: Warn, Detail: n})
	}
	s.Checks = append(s.Checks, timed("keychain", func() (Status, string) { return keychain(ctx, o.Secrets) }))
	s.Checks = append(s.Checks, port(o))
	s.Checks = append(s.Checks, o.Tray(ctx))
	return s
}

func folder(o Options) Check {
	fi, err := os.Stat(o.ConfigDir)
	if err != nil {
		return Check{Name: "config dir", Status: Fail, Detail: fmt.Sprintf("%s: %v", o.ConfigDir, err)}
	}
	if !fi.IsDir() {
		return Check{Name: "config dir", Status: Fail, Detail: o.ConfigDir + " is not a folder"}
	}
	f, err := os.CreateTemp(o.ConfigDir, ".doctor-*")
	if err != nil {
		return Check{Name: "config dir", Status: Fail, Detail: fmt.Sprintf("%s is not writable: %v", o.ConfigDir, err)}
	}
	f.Close()
	os.Remove(f.Name())
	detail := o.ConfigDir + " is writable"
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return Check{Name: "config dir", Status: Warn, Detail: fmt.Sprintf("%s; permissions %o let others read it (Kirodesk tightens them to 700 on start)", detail, perm)}
	}
	if o.Running {
		detail += "; in use by a running Kirodesk"
		if o.RunningPID != "" {
			detail += " (process id " + o.RunningPID + ")"
		}
	}
	if o.Config != nil {
		if err := store.CheckConfig(o.Config); err != nil {
			return Check{Name: "config dir", Status: Fail, Detail: "config.json: " + err.Error()}
		}
	}
	return Check{Name: "config dir", Status: OK, Detail: detail}
}

// keychain writes, reads back and deletes a probe item.
func keychain(ctx context.Context, sec secrets.Store) (Status, string) {
	if sec == nil {
		return Skip, "no keychain configured"
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	const key = "doctor-probe"
	val := secrets.New(rand.Text())
	if err := sec.Set(ctx, key, val); err != nil {
		return Fail, "cannot write: " + err.Error()
	}
	defer sec.Delete(context.WithoutCancel(ctx), key) //nolint:errcheck // best effort clean-up
	got, err := sec.Get(ctx, key)
	if err != nil {
		return Fail, "cannot read back: " + err.Error()
	}
	if got.Reveal() != val.Reveal() {
		return Fail, "read back a different value than written"
	}
	if err := sec.Delete(ctx, key); err != nil {
		return Fail, "cannot delete: " + err.Error()
	}
	return OK, "write, read and delete work"
}

func port(o Options) Check {
	if o.Config == nil {
		return Check{Name: "port", Status: Skip, Detail: "no config"}
	}
	addr := net.JoinHostPort(o.Config.Host, fmt.Sprint(o.Config.Port))
	if o.Serving != "" {
		return Check{Name: "port", Status: OK, Detail: "listening at " + o.Serving}
	}
	if o.Running {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			return Check{Name: "port", Status: Warn, Detail: fmt.Sprintf("Kirodesk runs but nothing answers on %s (proxy switched off, or another port given with --port)", addr)}
		}
		c.Close()
		return Check{Name: "port", Status: OK, Detail: addr + " answers (the running Kirodesk)"}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return Check{Name: "port", Status: Fail, Detail: fmt.Sprintf("%s is taken by another program: %v; pick another port in the settings", addr, err)}
	}
	ln.Close()
	return Check{Name: "port", Status: OK, Detail: addr + " is free"}
}

// network describes the outbound settings in effect and why.
func network(o Options) Section {
	s := Section{Title: "Outbound connections"}
	if o.Outbound == nil {
		return s
	}
	r := o.Outbound.Route("")
	detail := "proxy setting " + r.Setting
	if r.Source != "" {
		detail += " (" + r.Source + ")"
	}
	st := OK
	if r.Err != "" {
		st, detail = Fail, detail+": "+r.Err
	}
	s.Checks = append(s.Checks, Check{Name: "proxy", Status: st, Detail: detail})
	if o.Config != nil && o.Config.Outbound.Proxy == store.ProxyNone {
		var set []string
		for _, v := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"} {
			if o.Getenv(v) != "" {
				set = append(set, "$"+v)
			}
		}
		if len(set) > 0 {
			s.Checks = append(s.Checks, Check{Name: "environment", Status: OK,
				Detail: strings.Join(set, ", ") + " set but ignored: the proxy setting is none"})
		}
	}
	s.Checks = append(s.Checks, upstreamOverrides(o)...)
	switch {
	case r.CABundle == "":
		s.Checks = append(s.Checks, Check{Name: "CA", Status: OK, Detail: "system roots only"})
	case r.Err == "":
		s.Checks = append(s.Checks, Check{Name: "CA", Status: OK, Detail: fmt.Sprintf("system roots plus %d from %s", r.CAs, r.CABundle)})
	}
	return s
}

// upstreamOverrides warns of every Kiro endpoint pointed elsewhere, in
// config.json or the environment: all tokens and prompts go there.
func upstreamOverrides(o Options) []Check {
	var out []Check
	warn := func(where, v, def string) {
		out = append(out, Check{Name: "upstream", Status: Warn,
			Detail: fmt.Sprintf("%s is %s instead of Kiro's own %s: every token and prompt goes there; set it back unless you mean it", where, v, def)})
	}
	d := store.DefaultUpstream()
	if o.Config != nil {
		for _, b := range o.Config.Upstream.Overridden() {
			warn("upstream."+b.Key+" in config.json", b.Value, b.Default)
		}
	}
	for _, e := range []struct{ name, def string }{{store.EnvAPIBase, d.APIBase}, {store.EnvAuthBase, d.AuthBase}, {store.EnvOIDCBase, d.OIDCBase}} {
		if v := o.Getenv(e.name); v != "" {
			warn("$"+e.name, v, e.def)
		}
	}
	return out
}

func account(ctx context.Context, o Options, a store.Account) Section {
	label := a.Label
	if label == "" {
		label = a.Email
	}
	s := Section{Title: fmt.Sprintf("Account %s (%s, %s)", a.ID, label, a.AuthMethod)}
	add := func(c Check) { s.Checks = append(s.Checks, c) }
	if a.Disabled {
		add(Check{Name: "state", Status: Skip, Detail: "disabled"})
	} else if a.State.Status != store.StatusReady {
		add(Check{Name: "state", Status: Warn, Detail: a.State.Status + ": " + a.State.Reason})
	}
	if o.Credentials == nil || o.Client == nil {
		add(Check{Name: "credentials", Status: Skip, Detail: "not checked"})
		return s
	}
	cr, err := o.Credentials(ctx, a.ID)
	if err != nil {
		add(Check{Name: "credentials", Status: Fail, Detail: err.Error()})
		return s
	}
	cr.AccountID = a.ID
	if a.APIBase != "" {
		add(Check{Name: "endpoint", Status: Warn, Detail: "this account's apiBase is " + a.APIBase + " instead of Kiro's hosts: its tokens and prompts go there"})
	}

	// The chat host as requests would pick it, with its fallbacks.
	bases, err := o.Client.ChatBases(cr)
	if err != nil {
		add(Check{Name: "endpoint", Status: Fail, Detail: err.Error() + ": no request is sent for this account; remove it and add it again"})
		return s
	}
	base := bases[0]
	proxy := ""
	if o.Outbound != nil {
		proxy, err = o.Outbound.ProxyFor(a.ID, base)
		route := o.Outbound.Route(a.ID)
		detail := "direct"
		if err != nil {
			add(Check{Name: "proxy", Status: Fail, Detail: err.Error()})
		} else {
			if proxy != "" {
				detail = "through " + proxy
			}
			detail += " (" + route.Scope + " setting " + route.Setting
			if route.Source != "" {
				detail += ", " + route.Source
			}
			add(Check{Name: "proxy", Status: OK, Detail: detail + ")"})
		}
	}
	if proxy == "" {
		for i, b := range bases {
			c := timed("dns", func() (Status, string) { return resolve(ctx, o.StepTimeout, b) })
			add(c)
			if c.Status == OK || i == len(bases)-1 {
				base = b
				break
			}
		}
	} else {
		add(Check{Name: "dns", Status: Skip, Detail: "the proxy resolves " + hostOf(base)})
	}
	add(timed("tcp/tls", func() (Status, string) { return connect(ctx, o.StepTimeout, o.Client.HTTPClient(cr), base) }))

	if o.Refresh == nil {
		add(Check{Name: "refresh", Status: Skip, Detail: "Kirodesk is running and owns the tokens; a refresh here would race it (use Test connection in the app, or quit it first)"})
	} else {
		c := timed("refresh", func() (Status, string) {
			rctx, cancel := context.WithTimeout(ctx, o.StepTimeout)
			defer cancel()
			next, err := o.Refresh(rctx, a.ID)
			if err != nil {
				return Fail, err.Error()
			}
			cr = next
			cr.AccountID = a.ID
			return OK, "new access token valid until " + next.ExpiresAt.Local().Format(time.DateTime)
		})
		add(c)
	}
	add(timed("usage", func() (Status, string) {
		if cr.ExpiresWithin(time.Now(), 0) {
			return Skip, "the stored access token has expired and was not refreshed"
		}
		uctx, cancel := context.WithTimeout(ctx, o.StepTimeout)
		defer cancel()
		if err := o.Client.CheckUsage(uctx, cr, kiro.MachineID(a.ID)); err != nil {
			return Fail, "getUsageLimits: " + err.Error()
		}
		b, _ := o.Client.ChatBases(cr) // parsed above
		return OK, "getUsageLimits answered at " + hostOf(b[0])
	}))
	return s
}

func resolve(ctx context.Context, d time.Duration, base string) (Status, string) {
	host := hostOf(base)
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	if net.ParseIP(h) != nil {
		return OK, h + " is an address"
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, h)
	if err != nil {
		return Fail, err.Error()
	}
	return OK, h + " -> " + strings.Join(addrs, ", ")
}

// connect makes one request to the host's root through the account's
// client: any HTTP answer proves DNS, TCP, proxy and TLS work.
func connect(ctx context.Context, d time.Duration, hc *http.Client, base string) (Status, string) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	// A new connection, or the check would prove only that an old one lives.
	hc.CloseIdleConnections()
	var tcp, tlsDone time.Duration
	var state *tls.ConnectionState
	start := time.Now()
	trace := &httptrace.ClientTrace{
		ConnectDone: func(_, _ string, err error) {
			if err == nil && tcp == 0 {
				tcp = time.Since(start)
			}
		},
		TLSHandshakeDone: func(cs tls.ConnectionState, err error) {
			if err == nil {
				tlsDone, state = time.Since(start), &cs
			}
		},
		GotConn: func(info httptrace.GotConnInfo) {
			if tc, ok := info.Conn.(*tls.Conn); ok && state == nil {
				cs := tc.ConnectionState()
				state = &cs
			}
		},
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, base+"/", nil)
	if err != nil {
		return Fail, err.Error()
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Fail, err.Error()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode == http.StatusProxyAuthRequired {
		return Fail, "the proxy refused the credentials (HTTP 407): check the proxy user name and password"
	}
	detail := fmt.Sprintf("%s answered HTTP %d; tcp %d ms", hostOf(base), resp.StatusCode, tcp.Milliseconds())
	if state != nil {
		issuer := ""
		if len(state.PeerCertificates) > 0 {
			issuer = ", certificate issued by " + state.PeerCertificates[0].Issuer.CommonName
		}
		detail += fmt.Sprintf(", %s in %d ms%s", tls.VersionName(state.Version), tlsDone.Milliseconds(), issuer)
	}
	return OK, detail
}

func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return u
}

// errNotFound is for callers that read credentials themselves.
var errNotFound = errors.New("no credentials in the keychain: log in again")

// KeychainCredentials reads an account's credentials straight from the
// keychain (read-only), for when another process owns the pool.
func KeychainCredentials(sec secrets.Store, key func(id string) string) func(ctx context.Context, id string) (kiro.Credentials, error) {
	return func(ctx context.Context, id string) (kiro.Credentials, error) {
		s, err := sec.Get(ctx, key(id))
		if errors.Is(err, secrets.ErrNotFound) {
			return kiro.Credentials{}, errNotFound
		}
		if err != nil {
			return kiro.Credentials{}, err
		}
		return kiro.ParseCredentials(s)
	}
}

// ReadState reads config.json and pool.json without the folder's lock, for
// when a running Kirodesk owns it.
func ReadState(dir string) (*store.Config, *store.Pool, error) {
	cfg, pool := store.NewConfig(), store.NewPool()
	var errs []error
	for name, v := range map[string]any{"config.json": cfg, "pool.json": pool} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil {
			err = json.Unmarshal(b, v)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return cfg, pool, errors.Join(errs...)
}
