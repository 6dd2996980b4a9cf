package store

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"kirodesk/internal/kiro/endpoint"
	"kirodesk/internal/locale"
	"kirodesk/internal/uitext"
)

// ConfigVersion is the config.json schema version this build writes.
const ConfigVersion = 1

// DefaultPort is where the proxy listens unless told otherwise.
const DefaultPort = 8990

// Config is config.json: settings only, never a secret.
type Config struct {
	Version int    `json:"version"`
	Host    string `json:"host"`
	Port    int    `json:"port"`
	// ProxyDisabled remembers the tray's off switch across restarts. Stored
	// negated so that a file without the field means "on".
	ProxyDisabled bool     `json:"proxyDisabled"`
	LogLevel      string   `json:"logLevel"`
	Upstream      Upstream `json:"upstream"`
	// FirstByteTimeout bounds the wait for Kiro's answer to start, and
	// IdleTimeout the silence between two frames of a stream; seconds.
	// The default 90 is long on purpose: Kiro reads the whole prompt
	// before its first frame, and a near-full 200k-token context with
	// thinking on can take over a minute (relay.DefaultFirstByte).
	FirstByteTimeout int `json:"firstByteTimeoutSeconds"`
	IdleTimeout      int `json:"idleTimeoutSeconds"`
	// Strategy picks the account for a request: sticky (a conversation
	// stays on its account), round-robin, least-used or fill-first.
	Strategy string `json:"strategy"`
	// MaxConcurrentPerAccount caps requests in flight per account (0 = no
	// cap); QueueWait bounds how long a request waits, in seconds, when
	// every account is at its cap.
	MaxConcurrentPerAccount int `json:"maxConcurrentPerAccount"`
	QueueWait               int `json:"queueWaitSeconds"`
	// MaxAttempts is how many accounts one request may try before its
	// error reaches the client; 0 means the built-in default (3).
	MaxAttempts int `json:"maxAttempts,omitempty"`
	// QuotaTTL is how long an account's getUsageLimits answer is trusted
	// before the background check asks again, in seconds.
	QuotaTTL int `json:"quotaTTLSeconds"`
	// Language is what the window, the tray, notifications and sign-in
	// pages speak: "system", "en" or "zh-CN" (locale.ParsePreference).
	// The zero value "" means "system" too, so files from before the
	// setting, and a config that never changed it, need no migration (as
	// MaxAttempts' 0). API answers and the CLI stay English whatever it
	// says: clients and scripts parse them.
	Language string `json:"language,omitempty"`
	Extra    Extra  `json:"-"`

	// ModelAliases maps a client's model name (OpenAI-only clients send
	// "gpt-4o") to the Kiro model that serves it (aliases.go).
	ModelAliases map[string]string `json:"modelAliases,omitempty"`
	// UnknownModelAlias is the Kiro model that serves a name neither an
	// alias nor a catalogue knows; "" (the default) refuses such names
	// with 400, as before aliases existed.
	UnknownModelAlias string `json:"unknownModelAlias,omitempty"`

	// Outbound is how Kirodesk reaches Kiro: proxy and extra trusted CAs.
	Outbound Outbound `json:"outbound"`

	// Updates is the update notice: the daily check and its feed (updates.go).
	Updates Updates `json:"updates"`
}

// Outbound proxy settings (Outbound.Proxy, Account.Proxy).
const (
	ProxyNone   = "none"   // connect directly, whatever the environment says
	ProxySystem = "system" // HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY (either case)
)

// Outbound configures the connections to Kiro (chat, refresh, login).
type Outbound struct {
	// Proxy is ProxyNone, ProxySystem, or an http://, https:// or
	// socks5:// URL with an optional user name; the password is never
	// here but in the keychain (internal/outbound).
	Proxy string `json:"proxy"`
	// CABundle is a PEM file of CAs trusted besides the system's, for
	// TLS-inspecting proxies. There is deliberately no way to turn
	// certificate checks off.
	CABundle string `json:"caBundle,omitempty"`
	Extra    Extra  `json:"-"`
}

// Upstream holds the base URLs of Kiro's services. "{region}" is replaced
// with the account's region. Tests and users point them elsewhere.
type Upstream struct {
	APIBase  string `json:"apiBase"`  // chat, quota, models
	AuthBase string `json:"authBase"` // social token refresh and login
	OIDCBase string `json:"oidcBase"` // AWS SSO-OIDC (Builder ID, IAM Identity Center)
	Extra    Extra  `json:"-"`
}

// DefaultUpstream is Kiro's production endpoints (kiro-protocol.md section 1).
func DefaultUpstream() Upstream {
	return Upstream{
		APIBase:  "https://q.{region}.amazonaws.com",
		AuthBase: "https://prod.{region}.auth.desktop.kiro.dev",
		OIDCBase: "https://oidc.{region}.amazonaws.com",
	}
}

// URL returns base for region r (the zero Region means us-east-1) with
// elem joined to its path. Only a parsed region reaches the host; a base that
// does not parse (config.json is checked on load, so only a value set in
// memory) is an error, never a request.
func (u Upstream) URL(base string, r endpoint.Region, elem ...string) (string, error) {
	b, err := endpoint.ParseBase("upstream base URL", base)
	if err != nil {
		return "", err
	}
	return b.URL(r, elem...).String(), nil
}

func (u *Upstream) set(key, v string) {
	switch key {
	case "apiBase":
		u.APIBase = v
	case "authBase":
		u.AuthBase = v
	case "oidcBase":
		u.OIDCBase = v
	}
}

// UpstreamBase is one of Upstream's base URLs, by its config key.
type UpstreamBase struct{ Key, Value, Default string }

// Bases lists the three bases with Kiro's own values beside them.
func (u Upstream) Bases() []UpstreamBase {
	d := DefaultUpstream()
	return []UpstreamBase{{"apiBase", u.APIBase, d.APIBase}, {"authBase", u.AuthBase, d.AuthBase}, {"oidcBase", u.OIDCBase, d.OIDCBase}}
}

// Overridden lists the bases that differ from Kiro's own: a person (or a
// file) pointed Kirodesk elsewhere.
func (u Upstream) Overridden() []UpstreamBase {
	var out []UpstreamBase
	for _, b := range u.Bases() {
		if strings.TrimRight(b.Value, "/") != b.Default {
			out = append(out, b)
		}
	}
	return out
}

// NewConfig returns the defaults.
func NewConfig() *Config {
	return &Config{Version: ConfigVersion, Host: "127.0.0.1", Port: DefaultPort, LogLevel: "info", Upstream: DefaultUpstream(),
		FirstByteTimeout: 90, IdleTimeout: 120, Strategy: "sticky", QueueWait: 30, QuotaTTL: 300,
		// System by default, as most tools do; diagnostics and errors name
		// the proxy in effect and where it came from, so an inherited
		// variable never breaks requests silently.
		Outbound: Outbound{Proxy: ProxySystem}, Updates: DefaultUpdates()}
}

// CloneConfig returns a deep copy.
func CloneConfig(c *Config) *Config {
	n := *c
	n.Extra = maps.Clone(c.Extra)
	n.Upstream.Extra = maps.Clone(c.Upstream.Extra)
	n.Outbound.Extra = maps.Clone(c.Outbound.Extra)
	n.ModelAliases = maps.Clone(c.ModelAliases)
	n.Updates.Extra = maps.Clone(c.Updates.Extra)
	return &n
}

// IsLoopback reports whether host names this machine only.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// CheckConfig validates a whole config.
func CheckConfig(c *Config) error {
	var errs []error
	if c.Version != ConfigVersion {
		errs = append(errs, fmt.Errorf("version %d, want %d", c.Version, ConfigVersion))
	}
	if c.Host == "" || strings.ContainsAny(c.Host, " /") || (net.ParseIP(strings.Trim(c.Host, "[]")) == nil && c.Host != "localhost") {
		errs = append(errs, msgConfigHost.Err("value", strconv.Quote(c.Host)))
	}
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, msgConfigPort.Err("value", strconv.Itoa(c.Port)))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, msgConfigLogLevel.Err("value", strconv.Quote(c.LogLevel)))
	}
	if c.FirstByteTimeout < 1 || c.FirstByteTimeout > 3600 {
		errs = append(errs, msgConfigFirstByte.Err("value", strconv.Itoa(c.FirstByteTimeout)))
	}
	switch c.Strategy {
	case "sticky", "round-robin", "least-used", "fill-first":
	default:
		errs = append(errs, msgConfigStrategy.Err("value", strconv.Quote(c.Strategy)))
	}
	if c.MaxConcurrentPerAccount < 0 || c.MaxConcurrentPerAccount > 1000 {
		errs = append(errs, msgConfigMaxConcurrent.Err("value", strconv.Itoa(c.MaxConcurrentPerAccount)))
	}
	if c.QueueWait < 0 || c.QueueWait > 600 {
		errs = append(errs, msgConfigQueueWait.Err("value", strconv.Itoa(c.QueueWait)))
	}
	if c.QuotaTTL < 30 || c.QuotaTTL > 86400 {
		errs = append(errs, msgConfigQuotaTTL.Err("value", strconv.Itoa(c.QuotaTTL)))
	}
	if c.MaxAttempts < 0 || c.MaxAttempts > 10 {
		errs = append(errs, msgConfigMaxAttempts.Err("value", strconv.Itoa(c.MaxAttempts)))
	}
	if c.IdleTimeout < 1 || c.IdleTimeout > 3600 {
		errs = append(errs, msgConfigIdleTimeout.Err("value", strconv.Itoa(c.IdleTimeout)))
	}
	if _, err := locale.ParsePreference(c.Language); err != nil {
		errs = append(errs, err)
	}
	for _, b := range c.Upstream.Bases() {
		if err := CheckBaseURL("upstream."+b.Key, b.Value); err != nil {
			errs = append(errs, err)
		}
	}
	if err := CheckProxy(c.Outbound.Proxy); err != nil {
		errs = append(errs, fmt.Errorf("outbound.proxy: %w", err))
	}
	if c.Outbound.CABundle != "" && !filepath.IsAbs(c.Outbound.CABundle) {
		errs = append(errs, msgConfigCABundle.Err("value", strconv.Quote(c.Outbound.CABundle)))
	}
	errs = append(errs, checkAliases(c.ModelAliases, c.UnknownModelAlias)...)
	if err := checkUpdates(c.Updates); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// CheckProxy accepts ProxyNone, ProxySystem, or an http://, https:// or
// socks5:// URL with a host and port, and at most a user name.
func CheckProxy(p string) error {
	if p == ProxyNone || p == ProxySystem {
		return nil
	}
	u, err := url.Parse(p)
	if err != nil || u.Hostname() == "" {
		return msgProxyNotURL.Err("value", strconv.Quote(Redact(p)))
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return msgProxyScheme.Err("value", strconv.Quote(Redact(p)))
	}
	if _, pw := u.User.Password(); pw {
		return msgProxyPassword.Err("value", strconv.Quote(Redact(p)))
	}
	if u.Port() == "" {
		return msgProxyNoPort.Err("value", strconv.Quote(Redact(p)))
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return msgProxyPath.Err("value", strconv.Quote(Redact(p)))
	}
	return nil
}

// Redact hides the password of a proxy URL, for messages.
func Redact(p string) string {
	u, err := url.Parse(p)
	if err != nil {
		if i := strings.LastIndex(p, "@"); i >= 0 {
			return "[redacted]" + p[i:]
		}
		return p
	}
	return u.Redacted()
}

// CheckBaseURL accepts an upstream base URL (endpoint.ParseBase: https, or
// http to this machine; {region} in the host only); field names it in the
// error.
func CheckBaseURL(field, base string) error {
	_, err := endpoint.ParseBase(field, base)
	return err
}

// repairConfig resets, on load, upstream bases this build refuses (older
// builds took any http(s) URL) to Kiro's own, so a config.json that was
// valid before still opens; the notice says what was dropped.
func repairConfig(c *Config) []uitext.Text {
	var notes []uitext.Text
	for _, b := range c.Upstream.Bases() {
		if err := CheckBaseURL("upstream."+b.Key, b.Value); err != nil {
			notes = append(notes, msgConfigBaseReset.With("error", err.Error(), "default", b.Default))
			c.Upstream.set(b.Key, b.Default)
		}
	}
	return notes
}

// ConfigSchema describes config.json to a File.
func ConfigSchema() Schema[Config] {
	return Schema[Config]{Name: "config.json", Version: ConfigVersion, New: NewConfig, Clone: CloneConfig, Check: CheckConfig, Repair: repairConfig}
}

type configJSON Config

func (c Config) MarshalJSON() ([]byte, error) { return encodeKeeping(configJSON(c), c.Extra) }

func (c *Config) UnmarshalJSON(b []byte) error { return decodeKeeping(b, (*configJSON)(c), &c.Extra) }

type outboundJSON Outbound

func (o Outbound) MarshalJSON() ([]byte, error) { return encodeKeeping(outboundJSON(o), o.Extra) }

func (o *Outbound) UnmarshalJSON(b []byte) error {
	return decodeKeeping(b, (*outboundJSON)(o), &o.Extra)
}

type upstreamJSON Upstream

func (u Upstream) MarshalJSON() ([]byte, error) { return encodeKeeping(upstreamJSON(u), u.Extra) }

func (u *Upstream) UnmarshalJSON(b []byte) error {
	return decodeKeeping(b, (*upstreamJSON)(u), &u.Extra)
}

// Environment variables that override the upstream URLs for one process
// (tests, or a person trying another endpoint); they are never saved.
const (
	EnvAPIBase  = "KIRODESK_KIRO_API_BASE"
	EnvAuthBase = "KIRODESK_KIRO_AUTH_BASE"
	EnvOIDCBase = "KIRODESK_KIRO_OIDC_BASE"
)

// WithEnv returns u with the environment's overrides applied, or an error
// naming the variable whose value is not a usable URL.
func (u Upstream) WithEnv(getenv func(string) string) (Upstream, error) {
	for _, o := range []struct {
		name string
		dst  *string
	}{{EnvAPIBase, &u.APIBase}, {EnvAuthBase, &u.AuthBase}, {EnvOIDCBase, &u.OIDCBase}} {
		v := getenv(o.name)
		if v == "" {
			continue
		}
		if err := CheckBaseURL(o.name, v); err != nil {
			return u, err
		}
		*o.dst = strings.TrimRight(v, "/")
	}
	return u, nil
}

// LanguagePreference returns Language checked; "" is locale.PreferSystem.
func (c *Config) LanguagePreference() (locale.Preference, error) {
	return locale.ParsePreference(c.Language)
}
