// Package app is the desktop shell: the Wails-bound methods the window calls,
// the window itself and (later) the tray process. It is the only package that
// imports the Wails runtime (in run.go); the methods here stay thin over the
// core services in internal/.
package app

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"kirodesk/app/trayproto"
	"kirodesk/internal/autostart"
	"kirodesk/internal/core"
	"kirodesk/internal/locale"
	"kirodesk/internal/proxy"
	"kirodesk/internal/secrets"
	"kirodesk/internal/uitext"
	"kirodesk/internal/update"
)

// Status is what the window shows on the dashboard.
type Status struct {
	ProxyOn   bool          `json:"proxyOn"`
	Host      string        `json:"host"`
	Port      int           `json:"port"`
	Endpoint  string        `json:"endpoint"`
	Error     string        `json:"error"`
	ErrorText uitext.Text   `json:"errorText,omitzero"` // Error for the window (proxy.Status.ErrorText)
	Version   string        `json:"version"`
	ConfigDir string        `json:"configDir"`
	Accounts  int           `json:"accounts"`
	Warnings  []uitext.Text `json:"warnings"`
}

// ErrNotReady is returned by bound methods called before the core opened
// (or after it failed to open); it has a code, so the window says it in its
// language.
var ErrNotReady = uitext.Define("app.notReady", "Kirodesk is still starting").Err()

// App is bound to the window. Its methods are called from JavaScript on
// Wails' goroutines.
type App struct {
	version   string
	log       *slog.Logger
	autostart autostart.Manager
	extraArgs []string // passed on to the start-at-login entry (--config-dir)

	// tray is set by startTray after Startup, while the core's status
	// goroutines already read it (emitStatus): hence atomic.
	tray     atomic.Pointer[TrayLink]
	trayUp   atomic.Bool // a tray process has shown its menu
	quitting atomic.Bool

	mu      sync.Mutex
	rt      Runtime
	core    *core.Core
	openErr error
	logins  Logins

	flows      flows        // sign-ins in progress, by flow id
	lastImport ImportReport // the latest old-proxy import, for DeleteImportedFiles
	runs       runs         // playground runs in progress, by run id

	notifier    Notifier
	trayHost    func() bool       // whether a tray host exists (StatusNotifierWatcher)
	trayNotice  string            // why there is no tray icon, shown in the window: an app catalog ID
	loginNeeded map[string]string // accounts known to need a sign-in, id -> label
	stopWatch   context.CancelFunc
	// systemLanguages is Options.SystemLanguages.
	systemLanguages func() []string
	sentToday       *trayproto.Today // the tray's last usage line (refreshTrayToday)

	updates     *update.Checker  // the release feed (updates.go)
	updateClock func() time.Time // the once-a-day rule's clock
	updatePace  [2]time.Duration // the automatic check's first look and tick
	background  sync.WaitGroup   // loops that use the core, ended before it closes
}

// Options configure an App.
type Options struct {
	Version string
	Logger  *slog.Logger
	// Autostart manages the start-at-login entry; ExtraArgs go into it
	// after --hidden (the config folder, when it is not the default).
	Autostart autostart.Manager
	ExtraArgs []string
	// Notifier shows desktop notifications; nil shows none.
	Notifier Notifier
	// TrayHost reports whether the desktop shows tray icons; nil means ask
	// the session bus (Linux) or assume yes (Windows, macOS).
	TrayHost func() bool
	// SystemLanguages returns the system's languages, most wanted first;
	// nil means locale.System. Tests set it rather than the environment.
	SystemLanguages func() []string
	// UpdateNow is the update check's clock (nil: time.Now); UpdateDelay
	// and UpdateTick pace the automatic check (0: 30 s and an hour; a
	// negative tick: no automatic check). Tests move them.
	UpdateNow   func() time.Time
	UpdateDelay time.Duration
	UpdateTick  time.Duration
}

// New returns an App; Startup connects it to the runtime and the core.
func New(opts Options) *App {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.TrayHost == nil {
		opts.TrayHost = trayHostPresent
	}
	if opts.SystemLanguages == nil {
		opts.SystemLanguages = locale.System
	}
	if opts.UpdateDelay == 0 {
		opts.UpdateDelay = updateDelay
	}
	if opts.UpdateTick == 0 {
		opts.UpdateTick = updateTick
	}
	return &App{version: opts.Version, log: opts.Logger, autostart: opts.Autostart, extraArgs: opts.ExtraArgs,
		notifier: opts.Notifier, trayHost: opts.TrayHost, systemLanguages: opts.SystemLanguages,
		updateClock: opts.UpdateNow, updatePace: [2]time.Duration{opts.UpdateDelay, opts.UpdateTick}}
}

// Startup opens the core and, unless the person turned it off last time,
// the proxy. An error is kept and shown; the window still opens so the
// person can read it.
func (a *App) Startup(rt Runtime, open func() (*core.Core, error)) error {
	a.mu.Lock()
	a.rt = rt
	a.mu.Unlock()
	c, err := open()
	if err != nil {
		a.mu.Lock()
		a.openErr = err
		a.mu.Unlock()
		rt.ErrorDialog(a.tr("StartFailedTitle"), err.Error())
		return err
	}
	a.mu.Lock()
	a.core = c
	a.mu.Unlock()
	c.Proxy.Watch(func(proxy.Status) {
		// Watchers run under the proxy's lock: read the rest on another goroutine.
		go a.emitStatus()
	})
	if !c.Store.Config.Snapshot().ProxyDisabled {
		if err := c.Proxy.Start(); err != nil {
			a.log.Error("proxy did not start", "err", err)
			a.notify(a.tr("NotifyProxyNotStartedTitle"), err.Error())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.mu.Lock()
	a.stopWatch = cancel
	a.mu.Unlock()
	go a.watchAccounts(ctx, watchInterval)
	a.startUpdates(ctx, c)
	a.emitStatus()
	return nil
}

// Shutdown ends the sign-ins in progress, drains the proxy, writes pending
// state and releases the lock.
func (a *App) Shutdown() {
	a.runs.stopAll() // a Try it run in progress: its request ends with the proxy
	// First, while the store is open: a sign-in ending now may still save.
	if !a.flows.stopAll(loginGrace) {
		a.log.Warn("sign-ins still running at shutdown", "waited", loginGrace)
	}
	a.mu.Lock()
	c := a.core
	a.core = nil
	if a.stopWatch != nil {
		a.stopWatch()
	}
	a.mu.Unlock()
	a.background.Wait() // the update check writes to the store
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		a.log.Error("shutdown", "err", err)
	}
}

func (a *App) ready() (*core.Core, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.openErr != nil {
		return nil, a.openErr
	}
	if a.core == nil {
		return nil, ErrNotReady
	}
	return a.core, nil
}

// withCore runs fn with the opened core under a context that gives up after
// d: the start every bound method that calls the core shares. Before the
// core has opened, or when it could not, fn does not run and the error says
// why.
func withCore[T any](a *App, d time.Duration, fn func(context.Context, *core.Core) (T, error)) (T, error) {
	c, err := a.ready()
	if err != nil {
		var none T
		return none, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return fn(ctx, c)
}

// Status returns the dashboard's data.
func (a *App) Status() (Status, error) {
	c, err := a.ready()
	if err != nil {
		return Status{Version: a.version, Error: err.Error()}, err
	}
	ps := c.Proxy.Status()
	warnings := append([]uitext.Text{}, c.Store.NoticeTexts()...)
	a.mu.Lock()
	trayNotice := a.trayNotice
	a.mu.Unlock()
	if trayNotice != "" {
		// Translated when read, so a change of language reaches it.
		// Go's catalog translated it already: the window shows it as is.
		warnings = append(warnings, uitext.Plain(a.tr(trayNotice)))
	}
	return Status{
		ProxyOn: ps.On, Host: ps.Host, Port: ps.Port, Endpoint: ps.Endpoint, Error: ps.Error, ErrorText: ps.ErrorText,
		Version: a.version, ConfigDir: c.ConfigDir,
		Accounts: len(c.Store.Pool.Snapshot().Accounts),
		Warnings: warnings,
	}, nil
}

// Version is the build's version (the VERSION file, stamped in at build
// time), for the About box.
func (a *App) Version() string { return a.version }

// SetProxyEnabled turns the listener on or off and remembers the choice.
func (a *App) SetProxyEnabled(on bool) (Status, error) {
	return withCore(a, 30*time.Second, func(ctx context.Context, c *core.Core) (Status, error) {
		err := c.Proxy.SetEnabled(ctx, on)
		st, _ := a.Status()
		return st, err
	})
}

// APIKey returns the local API key for the window to show and copy. The
// window is the person's own; the key never goes into an event.
func (a *App) APIKey() (string, error) { return a.revealKey((*core.Core).APIKey) }

// revealKey returns the local API key that get gives (the current one or a
// new one) as the text the window shows and copies.
func (a *App) revealKey(get func(*core.Core, context.Context) (secrets.Secret, error)) (string, error) {
	return withCore(a, 15*time.Second, func(ctx context.Context, c *core.Core) (string, error) {
		key, err := get(c, ctx)
		if err != nil {
			return "", err
		}
		return key.Reveal(), nil
	})
}

// CopyToClipboard puts text on the system clipboard.
func (a *App) CopyToClipboard(text string) error {
	rt := a.windowRuntime()
	if rt == nil {
		return ErrNotReady
	}
	return rt.ClipboardSetText(text)
}

// ShowWindow brings the window forward (second launch, tray "Open").
func (a *App) ShowWindow() {
	if rt := a.windowRuntime(); rt != nil {
		rt.ShowWindow()
	}
}

func (a *App) emitStatus() {
	st, err := a.Status()
	if err != nil {
		return
	}
	a.emit(EventStatus, st)
	if t := a.tray.Load(); t != nil {
		t.Send(a.trayState())
	}
}
