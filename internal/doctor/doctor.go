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
	"kirodesk/internal/uitext"
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
	// NameText and DetailText are Name and Detail with their codes, for
	// the window (empty: show Name and Detail).
	NameText   uitext.Text `json:"nameText"`
	DetailText uitext.Text `json:"detailText"`
}

// Section groups the checks of one subject (an account, the machine).
type Section struct {
	Title     string      `json:"title"`
	TitleText uitext.Text `json:"titleText"` // Title with its code, for the window
	Checks    []Check     `json:"checks"`
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
	Notices   []uitext.Text
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
		s := section(titleAccounts.With())
		s.Checks = []Check{check(nameAccounts, Warn, msgNoAccount.With())}
		r.Sections = append(r.Sections, s)
	}
	return r
}

func timed(name uitext.Msg, fn func() (Status, uitext.Text)) Check {
	start := time.Now()
	st, d := fn()
	c := check(name, st, d)
	c.Millis = time.Since(start).Milliseconds()
	return c
}

func machine(ctx context.Context, o Options) Section {
	s := section(titleMachine.With())
	s.Checks = append(s.Checks, folder(o))
	for _, n := range o.Notices {
		s.Checks = append(s.Checks, check(nameStateFiles, Warn, n))
	}
	s.Checks = append(s.Checks, timed(nameKeychain, func() (Status, uitext.Text) { return keychain(ctx, o.Secrets) }))
	s.Checks = append(s.Checks, port(o))
	s.Checks = append(s.Checks, o.Tray(ctx))
	return s
}

func folder(o Options) Check {
	fi, err := os.Stat(o.ConfigDir)
	if err != nil {
		return check(nameConfigDir, Fail, uitext.Plain(fmt.Sprintf("%s: %v", o.ConfigDir, err)))
	}
	if !fi.IsDir() {
		return check(nameConfigDir, Fail, msgDirNotFolder.With("dir", o.ConfigDir))
	}
	f, err := os.CreateTemp(o.ConfigDir, ".doctor-*")
	if err != nil {
		return check(nameConfigDir, Fail, msgDirNotWritable.With("dir", o.ConfigDir, "error", err.Error()))
	}
	f.Close()
	os.Remove(f.Name())
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return check(nameConfigDir, Warn, msgDirOpenPerms.With("dir", o.ConfigDir, "perm", fmt.Sprintf("%o", perm)))
	}
	detail := msgDirWritable.With("dir", o.ConfigDir)
	if o.Running {
		detail = msgDirInUse.With("dir", o.ConfigDir)
		if o.RunningPID != "" {
			detail = msgDirInUsePID.With("dir", o.ConfigDir, "pid", o.RunningPID)
		}
	}
	if o.Config != nil {
		if err := store.CheckConfig(o.Config); err != nil {
			return check(nameConfigDir, Fail, uitext.Plain("config.json: "+err.Error()))
		}
	}
	return check(nameConfigDir, OK, detail)
}

// keychain writes, reads back and deletes a probe item.
func keychain(ctx context.Context, sec secrets.Store) (Status, uitext.Text) {
	if sec == nil {
		return Skip, msgKeychainNone.With()
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	const key = "doctor-probe"
	val := secrets.New(rand.Text())
	if err := sec.Set(ctx, key, val); err != nil {
		return Fail, msgKeychainNoWrite.With("error", err.Error())
	}
	defer sec.Delete(context.WithoutCancel(ctx), key) //nolint:errcheck // best effort clean-up
	got, err := sec.Get(ctx, key)
	if err != nil {
		return Fail, msgKeychainNoRead.With("error", err.Error())
	}
	if got.Reveal() != val.Reveal() {
		return Fail, msgKeychainMismatch.With()
	}
	if err := sec.Delete(ctx, key); err != nil {
		return Fail, msgKeychainNoDelete.With("error", err.Error())
	}
	return OK, msgKeychainOK.With()
}

func port(o Options) Check {
	if o.Config == nil {
		return check(namePort, Skip, msgPortNoConfig.With())
	}
	addr := net.JoinHostPort(o.Config.Host, fmt.Sprint(o.Config.Port))
	if o.Serving != "" {
		return check(namePort, OK, msgPortListening.With("addr", o.Serving))
	}
	if o.Running {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			return check(namePort, Warn, msgPortSilent.With("addr", addr))
		}
		c.Close()
		return check(namePort, OK, msgPortAnswers.With("addr", addr))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return check(namePort, Fail, msgPortTaken.With("addr", addr, "error", err.Error()))
	}
	ln.Close()
	return check(namePort, OK, msgPortFree.With("addr", addr))
}

// network describes the outbound settings in effect and why.
func network(o Options) Section {
	s := section(titleNetwork.With())
	if o.Outbound == nil {
		return s
	}
	r := o.Outbound.Route("")
	st, detail := OK, msgProxySetting.With("setting", r.Setting)
	switch {
	case r.Source != "" && r.Err != "":
		st, detail = Fail, msgProxySettingFromError.With("setting", r.Setting, "source", r.Source, "error", r.Err)
	case r.Source != "":
		detail = msgProxySettingFrom.With("setting", r.Setting, "source", r.Source)
	case r.Err != "":
		st, detail = Fail, msgProxySettingError.With("setting", r.Setting, "error", r.Err)
	}
	s.Checks = append(s.Checks, check(nameProxy, st, detail))
	if o.Config != nil && o.Config.Outbound.Proxy == store.ProxyNone {
		var set []string
		for _, v := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"} {
			if o.Getenv(v) != "" {
				set = append(set, "$"+v)
			}
		}
		if len(set) > 0 {
			s.Checks = append(s.Checks, check(nameEnvironment, OK, msgProxyEnvIgnored.With("vars", strings.Join(set, ", "))))
		}
	}
	s.Checks = append(s.Checks, upstreamOverrides(o)...)
	switch {
	case r.CABundle == "":
		s.Checks = append(s.Checks, check(nameCA, OK, msgCASystem.With()))
	case r.Err == "":
		s.Checks = append(s.Checks, check(nameCA, OK, msgCAExtra.With("n", fmt.Sprint(r.CAs), "file", r.CABundle)))
	}
	return s
}

// upstreamOverrides warns of every Kiro endpoint pointed elsewhere, in
// config.json or the environment: all tokens and prompts go there.
func upstreamOverrides(o Options) []Check {
	var out []Check
	d := store.DefaultUpstream()
	if o.Config != nil {
		for _, b := range o.Config.Upstream.Overridden() {
			out = append(out, check(nameUpstream, Warn, msgUpstreamConfig.With("key", b.Key, "value", b.Value, "default", b.Default)))
		}
	}
	for _, e := range []struct{ name, def string }{{store.EnvAPIBase, d.APIBase}, {store.EnvAuthBase, d.AuthBase}, {store.EnvOIDCBase, d.OIDCBase}} {
		if v := o.Getenv(e.name); v != "" {
			out = append(out, check(nameUpstream, Warn, msgUpstreamEnv.With("name", e.name, "value", v, "default", e.def)))
		}
	}
	return out
}

func account(ctx context.Context, o Options, a store.Account) Section {
	label := a.Label
	if label == "" {
		label = a.Email
	}
	s := section(titleAccount.With("id", a.ID, "label", label, "method", a.AuthMethod))
	add := func(c Check) { s.Checks = append(s.Checks, c) }
	if a.Disabled {
		add(check(nameState, Skip, msgStateDisabled.With()))
	} else if a.State.Status != store.StatusReady {
		add(check(nameState, Warn, uitext.Plain(a.State.Status+": "+a.State.Reason)))
	}
	if o.Credentials == nil || o.Client == nil {
		add(check(nameCredentials, Skip, msgCredentialsNotChecked.With()))
		return s
	}
	cr, err := o.Credentials(ctx, a.ID)
	if err != nil {
		add(check(nameCredentials, Fail, plain(err)))
		return s
	}
	cr.AccountID = a.ID
	if a.APIBase != "" {
		add(check(nameEndpoint, Warn, msgEndpointCustom.With("base", a.APIBase)))
	}

	// The chat host as requests would pick it, with its fallbacks.
	bases, err := o.Client.ChatBases(cr)
	if err != nil {
		add(check(nameEndpoint, Fail, msgEndpointInvalid.With("error", err.Error())))
		return s
	}
	base := bases[0]
	proxy := ""
	if o.Outbound != nil {
		proxy, err = o.Outbound.ProxyFor(a.ID, base)
		route := o.Outbound.Route(a.ID)
		if err != nil {
			add(check(nameProxy, Fail, plain(err)))
		} else {
			args := []string{"scope", route.Scope, "setting", route.Setting}
			var detail uitext.Text
			switch {
			case proxy == "" && route.Source == "":
				detail = msgRouteDirect.With(args...)
			case proxy == "":
				detail = msgRouteDirectFrom.With(append(args, "source", route.Source)...)
			case route.Source == "":
				detail = msgRouteThrough.With(append(args, "proxy", proxy)...)
			default:
				detail = msgRouteThroughFrom.With(append(args, "proxy", proxy, "source", route.Source)...)
			}
			add(check(nameProxy, OK, detail))
		}
	}
	if proxy == "" {
		for i, b := range bases {
			c := timed(nameDNS, func() (Status, uitext.Text) { return resolve(ctx, o.StepTimeout, b) })
			add(c)
			if c.Status == OK || i == len(bases)-1 {
				base = b
				break
			}
		}
	} else {
		add(check(nameDNS, Skip, msgDNSViaProxy.With("host", hostOf(base))))
	}
	add(timed(nameTCP, func() (Status, uitext.Text) { return connect(ctx, o.StepTimeout, o.Client.HTTPClient(cr), base) }))

	if o.Refresh == nil {
		add(check(nameRefresh, Skip, msgRefreshRunning.With()))
	} else {
		c := timed(nameRefresh, func() (Status, uitext.Text) {
			rctx, cancel := context.WithTimeout(ctx, o.StepTimeout)
			defer cancel()
			next, err := o.Refresh(rctx, a.ID)
			if err != nil {
				return Fail, plain(err)
			}
			cr = next
			cr.AccountID = a.ID
			return OK, msgRefreshOK.With("time", next.ExpiresAt.Local().Format(time.DateTime))
		})
		add(c)
	}
	add(timed(nameUsage, func() (Status, uitext.Text) {
		if cr.ExpiresWithin(time.Now(), 0) {
			return Skip, msgUsageExpired.With()
		}
		uctx, cancel := context.WithTimeout(ctx, o.StepTimeout)
		defer cancel()
		if err := o.Client.CheckUsage(uctx, cr, kiro.MachineID(a.ID)); err != nil {
			return Fail, uitext.Plain("getUsageLimits: " + err.Error())
		}
		b, _ := o.Client.ChatBases(cr) // parsed above
		return OK, msgUsageOK.With("host", hostOf(b[0]))
	}))
	return s
}

func resolve(ctx context.Context, d time.Duration, base string) (Status, uitext.Text) {
	host := hostOf(base)
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	if net.ParseIP(h) != nil {
		return OK, msgDNSAddress.With("host", h)
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, h)
	if err != nil {
		return Fail, plain(err)
	}
	return OK, uitext.Plain(h + " -> " + strings.Join(addrs, ", "))
}

// connect makes one request to the host's root through the account's
// client: any HTTP answer proves DNS, TCP, proxy and TLS work.
func connect(ctx context.Context, d time.Duration, hc *http.Client, base string) (Status, uitext.Text) {
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
		return Fail, plain(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Fail, plain(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode == http.StatusProxyAuthRequired {
		return Fail, msgTCPProxyAuth.With()
	}
	args := []string{"host", hostOf(base), "status", fmt.Sprint(resp.StatusCode), "tcpMs", fmt.Sprint(tcp.Milliseconds())}
	if state == nil {
		return OK, msgTCPAnswered.With(args...)
	}
	args = append(args, "tls", tls.VersionName(state.Version), "tlsMs", fmt.Sprint(tlsDone.Milliseconds()))
	if len(state.PeerCertificates) > 0 {
		return OK, msgTCPAnsweredTLSIssuer.With(append(args, "issuer", state.PeerCertificates[0].Issuer.CommonName)...)
	}
	return OK, msgTCPAnsweredTLS.With(args...)
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
