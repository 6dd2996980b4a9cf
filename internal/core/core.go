// Package core assembles Kirodesk's services for one config folder: the
// state store, the keychain, the API key, the HTTP server and the listener.
// `kirodesk serve` and the desktop app both start through Open, so they run
// the same code; only the shell around it differs.
package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"kirodesk/internal/accounts"
	"kirodesk/internal/api"
	"kirodesk/internal/apikey"
	"kirodesk/internal/control"
	"kirodesk/internal/kiro"
	"kirodesk/internal/logging"
	"kirodesk/internal/login"
	"kirodesk/internal/outbound"
	"kirodesk/internal/pool"
	"kirodesk/internal/proxy"
	"kirodesk/internal/relay"
	"kirodesk/internal/reqlog"
	"kirodesk/internal/secrets"
	"kirodesk/internal/server"
	"kirodesk/internal/store"
	"kirodesk/internal/tokens"
	"kirodesk/internal/usage"
	"kirodesk/internal/websearch"
)

// Options configure Open.
type Options struct {
	ConfigDir string
	Logger    *slog.Logger
	Getenv    func(string) string
	// Secrets is the keychain; nil means the OS keychain under KeychainService(ConfigDir).
	Secrets secrets.Store
	// Host and Port override the config for this process (serve flags).
	Host string
	Port *int
	// Now is the clock of the pool and the Kiro client (cooldowns, token
	// expiry, reset dates); nil means time.Now. Tests move it forward.
	Now func() time.Time
	// Background is how often tokens are renewed ahead of expiry and stale
	// quotas re-checked; 0 means a minute, negative turns it off (tests).
	Background time.Duration
}

// Core is one running Kirodesk.
type Core struct {
	ConfigDir string
	Log       *slog.Logger
	Store     *store.Store
	Secrets   secrets.Store
	Server    *server.Server
	Proxy     *proxy.Service
	Accounts  *accounts.Service
	Pool      *pool.Pool
	// Login adds accounts: logins, imports, pasted tokens.
	Login *login.Service
	// Upstream is the effective set of Kiro URLs: config plus environment.
	Upstream store.Upstream
	// Outbound carries every call to Kiro (proxy, CA bundle); Kiro is the client on it.
	Outbound *outbound.Transports
	Kiro     *kiro.Client
	getenv   func(string) string
	// LogLines holds the recent log lines (Logs window); Requests the recent
	// requests and today's totals (Logs window, dashboard figures).
	LogLines *logging.Ring
	Requests *reqlog.Log
	// Ledger counts every finished API request into usage.json.
	Ledger *usage.Ledger

	logLevel *slog.LevelVar

	control        *control.Server // nil when the socket could not be opened
	stopBackground context.CancelFunc
	background     sync.WaitGroup
	reconciled     chan struct{}
	clock          func() time.Time // opts.Now
}

// DefaultConfigDir is os.UserConfigDir()/kirodesk unless KIRODESK_CONFIG_DIR says otherwise.
func DefaultConfigDir(getenv func(string) string) (string, error) {
	if d := getenv("KIRODESK_CONFIG_DIR"); d != "" {
		return filepath.Abs(d)
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config folder for this user (%v): pass --config-dir or set KIRODESK_CONFIG_DIR", err)
	}
	return filepath.Join(base, "kirodesk"), nil
}

// KeychainService names the keychain items of one config folder: "kirodesk"
// for the default folder, and a distinct name per other folder, so a second
// instance (or a test) with its own folder never reads or replaces the
// person's real API key and tokens.
func KeychainService(dir string, getenv func(string) string) string {
	def, err := DefaultConfigDir(func(k string) string {
		if k == "KIRODESK_CONFIG_DIR" {
			return "" // the OS default, whatever the environment says
		}
		return getenv(k)
	})
	abs, aerr := filepath.Abs(dir)
	if err == nil && aerr == nil && filepath.Clean(abs) == filepath.Clean(def) {
		return "kirodesk"
	}
	sum := sha256.Sum256([]byte(filepath.Clean(abs)))
	return "kirodesk-" + hex.EncodeToString(sum[:6])
}

// Open takes the config folder (its lock included), reads the API key from the
// keychain (creating it on first start) and prepares the listener without
// opening it. On error everything opened so far is closed again.
func Open(ctx context.Context, opts Options) (*Core, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// Every log line also goes to an in-memory ring for the Logs window, at
	// the config's level (set once the config is read, and on each change).
	ring, level := logging.NewRing(LogLines), new(slog.LevelVar)
	opts.Logger = slog.New(logging.Tee(opts.Logger.Handler(), ring.Handler(level)))
	st, err := store.Open(opts.ConfigDir, store.Options{Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	for _, n := range st.Notices() {
		opts.Logger.Warn(n)
	}
	cfg := st.Config.Snapshot()
	level.Set(logging.ParseLevel(cfg.LogLevel))
	up, err := cfg.Upstream.WithEnv(opts.Getenv)
	if err != nil {
		return nil, errors.Join(err, st.Close(ctx))
	}
	sec := opts.Secrets
	if sec == nil {
		sec = secrets.NewKeyring(KeychainService(opts.ConfigDir, opts.Getenv))
	}
	key, err := apikey.Ensure(ctx, sec)
	if err != nil {
		return nil, errors.Join(err, st.Close(ctx))
	}
	reqs := reqlog.New(Requests, nil)
	ledger := usage.New(st.Usage, usage.Options{Logger: opts.Logger})
	srv := server.New(server.Options{Logger: opts.Logger, APIKey: key, Requests: reqs, Usage: ledger})
	sv := newServices(st, sec, up, opts.Getenv, opts.Logger, opts.Now)
	acc, out, client, pl := sv.accounts, sv.outbound, sv.kiro, sv.pool
	counter := &tokens.Counter{}
	rl := relay.New(relay.Options{Pool: pl, Client: client, Tokens: counter, Logger: opts.Logger,
		AttemptsSetting: func() int { return st.Config.Snapshot().MaxAttempts },
		Timeouts: func() (time.Duration, time.Duration) {
			c := st.Config.Snapshot()
			return time.Duration(c.FirstByteTimeout) * time.Second, time.Duration(c.IdleTimeout) * time.Second
		},
		ServerTools: websearch.New(websearch.Options{Logger: opts.Logger}).Run})
	var c *Core // the status handler reads the core once it exists
	api.New(api.Options{Relay: rl, Tokens: counter, Logger: opts.Logger, Models: rl.Models,
		Status:   func() any { return c.Status() },
		Settings: st.Config.Snapshot, // the model aliases, read per request
		Usage: func(ctx context.Context, since, until, by string) (any, error) {
			return c.Usage(ctx, since, until, by)
		}}).Register(srv)
	px := proxy.New(proxy.Options{Logger: opts.Logger, Handler: srv, Config: st.Config, Host: opts.Host, Port: opts.Port})
	lg := sv.login
	c = &Core{ConfigDir: opts.ConfigDir, Log: opts.Logger, Store: st, Secrets: sec, Server: srv, Proxy: px, Upstream: up,
		Accounts: acc, Pool: pl, Login: lg, Outbound: out, Kiro: client, getenv: opts.Getenv,
		LogLines: ring, Requests: reqs, Ledger: ledger, logLevel: level, clock: opts.Now}
	// The CLI reaches this instance's accounts through the control socket,
	// so the folder keeps one writer. Without it the app still works.
	if cs, err := control.Listen(opts.ConfigDir, controlAPI{control.NewLocal(lg, acc, pl), c}, opts.Logger); err != nil {
		opts.Logger.Warn("the command line cannot reach this instance", "err", err)
	} else {
		c.control = cs
	}
	// Reconciling reads one keychain item per account: off the start-up path.
	bg, cancel := context.WithCancel(context.Background())
	c.stopBackground = cancel
	c.reconciled = make(chan struct{})
	// Tokens are renewed in the background before they expire, after the
	// start-up check has settled which accounts have credentials.
	every := opts.Background
	if every == 0 {
		every = time.Minute
	}
	c.background.Go(func() {
		select {
		case <-c.reconciled:
		case <-bg.Done():
			return
		}
		if every > 0 {
			pl.RunRefresher(bg, every)
		}
	})
	c.background.Go(func() {
		defer close(c.reconciled)
		// Says once in the log which proxy is in effect and why (building
		// the transport logs it), so an inherited variable is never silent.
		out.Route("")
		if _, err := c.Accounts.Reconcile(bg); err != nil && bg.Err() == nil {
			c.Log.Warn("could not check every account's credentials", "err", err)
		}
	})
	return c, nil
}

// services are the parts that act on accounts, shared by the running core
// and by commands that open the folder themselves (LocalControl), so both
// reach Kiro the same way (proxy, host table, CAs).
type services struct {
	accounts *accounts.Service
	outbound *outbound.Transports
	kiro     *kiro.Client
	pool     *pool.Pool
	login    *login.Service
}

func newServices(st *store.Store, sec secrets.Store, up store.Upstream, getenv func(string) string, log *slog.Logger, now func() time.Time) services {
	acc := accounts.New(st.Pool, sec, log)
	out := newOutbound(st, sec, getenv, log)
	upf := func() store.Upstream { return up }
	client := kiro.New(kiro.Options{Upstream: upf, Logger: log, Now: now,
		HTTPFor: out.For, Account: accountLookup(st.Pool), OnChatHost: keepChatHost(st.Pool)})
	pl := pool.New(pool.Options{File: st.Pool, Accounts: acc, Refresher: client, Logger: log, Now: now,
		Quota:    client,
		QuotaTTL: func() time.Duration { return time.Duration(st.Config.Snapshot().QuotaTTL) * time.Second },
		Strategy: func() string { return st.Config.Snapshot().Strategy },
		Limits: func() pool.Limits {
			c := st.Config.Snapshot()
			return pool.Limits{PerAccount: c.MaxConcurrentPerAccount, MaxWait: time.Duration(c.QueueWait) * time.Second}
		}})
	lg := login.New(login.Options{Accounts: acc, Upstream: upf, Secrets: sec, Refresher: client, Logger: log, HTTP: out.HTTP,
		Replaced: pl.Forget})
	return services{accounts: acc, outbound: out, kiro: client, pool: pl, login: lg}
}

// LocalControl is the accounts API over a folder this process opened
// itself (no instance is running): what the command line uses then.
func LocalControl(st *store.Store, sec secrets.Store, getenv func(string) string, log *slog.Logger) (*control.Local, error) {
	up, err := st.Config.Snapshot().Upstream.WithEnv(getenv)
	if err != nil {
		return nil, err
	}
	sv := newServices(st, sec, up, getenv, log, nil)
	return control.NewLocal(sv.login, sv.accounts, sv.pool), nil
}

// Reconciled is closed once the start-up check of the accounts' keychain
// items has finished (or was cut short by Close).
func (c *Core) Reconciled() <-chan struct{} { return c.reconciled }

// Close stops the listener (draining requests in flight), writes pending
// state and releases the folder's lock.
func (c *Core) Close(ctx context.Context) error {
	var cerr error
	if c.control != nil {
		cerr = c.control.Close(ctx)
	}
	c.stopBackground()
	c.background.Wait()
	perr := c.Proxy.Stop(ctx)
	c.Ledger.Close() // after the last request, before the store writes usage.json
	return errors.Join(cerr, perr, c.Store.Close(ctx))
}

// APIKey returns the local API key from the keychain.
func (c *Core) APIKey(ctx context.Context) (secrets.Secret, error) {
	return apikey.Ensure(ctx, c.Secrets)
}
