package app

import (
	"context"
	"os"
	"time"

	"kirodesk/internal/core"
	"kirodesk/internal/store"
)

// Settings is what the Settings window edits. Upstream URLs and the log
// level are saved in config.json; StartAtLogin is the OS's login entry.
type Settings struct {
	Host                    string       `json:"host"`
	Port                    int          `json:"port"`
	Strategy                string       `json:"strategy"`
	FirstByteTimeout        int          `json:"firstByteTimeoutSeconds"`
	IdleTimeout             int          `json:"idleTimeoutSeconds"`
	MaxConcurrentPerAccount int          `json:"maxConcurrentPerAccount"`
	QueueWait               int          `json:"queueWaitSeconds"`
	MaxAttempts             int          `json:"maxAttempts"` // 0: the default (3)
	LogLevel                string       `json:"logLevel"`
	Upstream                UpstreamURLs `json:"upstream"`
	StartAtLogin            bool         `json:"startAtLogin"`
	// Loopback is false when Host lets other machines connect: the window warns.
	Loopback bool `json:"loopback"`
	// OutboundProxy is "none", "system" or a proxy URL with at most a user
	// name (the password is in the keychain); SetOutboundProxy changes it.
	OutboundProxy string `json:"outboundProxy"`
	// CABundle is a PEM file of extra trusted CAs (absolute path), or "".
	CABundle string `json:"caBundle"`
	// ModelAliases are config.json's modelAliases as a table, by name;
	// UnknownModelAlias serves names nothing knows ("" refuses them);
	// ModelChoices are the Kiro models either may name (aliases.go).
	ModelAliases      []ModelAlias `json:"modelAliases"`
	UnknownModelAlias string       `json:"unknownModelAlias"`
	ModelChoices      []string     `json:"modelChoices"`
	// UpdateCheck turns the daily update check on; UpdateFeedURL is the
	// release feed it reads (config.json's updates.check, updates.feedURL).
	UpdateCheck   bool   `json:"updateCheck"`
	UpdateFeedURL string `json:"updateFeedURL"`
	// UpdateFeedURLDefault is the project's feed, for the window's "use
	// the default"; UpdateFeedURLEnv is the environment's feed URL
	// (KIRODESK_UPDATE_FEED_URL), which this process reads instead of the
	// saved one, "" when it is not set.
	UpdateFeedURLDefault string `json:"updateFeedURLDefault"`
	UpdateFeedURLEnv     string `json:"updateFeedURLEnv,omitempty"`
}

// UpstreamURLs are Kiro's base URLs (advanced settings).
type UpstreamURLs struct {
	APIBase  string `json:"apiBase"`
	AuthBase string `json:"authBase"`
	OIDCBase string `json:"oidcBase"`
}

// SettingsPatch is a partial edit: only the fields that are set change, so
// two windows (or the window and the tray) never undo each other's edits.
type SettingsPatch struct {
	Host                    *string `json:"host,omitempty"`
	Port                    *int    `json:"port,omitempty"`
	Strategy                *string `json:"strategy,omitempty"`
	FirstByteTimeout        *int    `json:"firstByteTimeoutSeconds,omitempty"`
	IdleTimeout             *int    `json:"idleTimeoutSeconds,omitempty"`
	MaxConcurrentPerAccount *int    `json:"maxConcurrentPerAccount,omitempty"`
	QueueWait               *int    `json:"queueWaitSeconds,omitempty"`
	MaxAttempts             *int    `json:"maxAttempts,omitempty"`
	LogLevel                *string `json:"logLevel,omitempty"`
	APIBase                 *string `json:"apiBase,omitempty"`
	AuthBase                *string `json:"authBase,omitempty"`
	OIDCBase                *string `json:"oidcBase,omitempty"`
	StartAtLogin            *bool   `json:"startAtLogin,omitempty"`
	CABundle                *string `json:"caBundle,omitempty"`
	// ModelAliases replaces the whole table (the window edits it as one).
	ModelAliases      *[]ModelAlias `json:"modelAliases,omitempty"`
	UnknownModelAlias *string       `json:"unknownModelAlias,omitempty"`
	UpdateCheck       *bool         `json:"updateCheck,omitempty"`
	UpdateFeedURL     *string       `json:"updateFeedURL,omitempty"`
}

func (p SettingsPatch) apply(c *store.Config) error {
	set(&c.Host, p.Host)
	set(&c.Port, p.Port)
	set(&c.Strategy, p.Strategy)
	set(&c.FirstByteTimeout, p.FirstByteTimeout)
	set(&c.IdleTimeout, p.IdleTimeout)
	set(&c.MaxConcurrentPerAccount, p.MaxConcurrentPerAccount)
	set(&c.QueueWait, p.QueueWait)
	set(&c.MaxAttempts, p.MaxAttempts)
	set(&c.LogLevel, p.LogLevel)
	set(&c.Upstream.APIBase, p.APIBase)
	set(&c.Upstream.AuthBase, p.AuthBase)
	set(&c.Upstream.OIDCBase, p.OIDCBase)
	set(&c.Outbound.CABundle, p.CABundle)
	set(&c.UnknownModelAlias, p.UnknownModelAlias)
	if p.ModelAliases != nil {
		m, err := aliasMap(*p.ModelAliases)
		if err != nil {
			return err
		}
		c.ModelAliases = m
	}
	set(&c.Updates.Check, p.UpdateCheck)
	set(&c.Updates.FeedURL, p.UpdateFeedURL)
	return nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Settings returns the current settings.
func (a *App) Settings() (Settings, error) {
	c, err := a.ready()
	if err != nil {
		return Settings{}, err
	}
	cfg := c.Store.Config.Snapshot()
	on, _ := a.autostart.Enabled()
	return Settings{
		Host: cfg.Host, Port: cfg.Port, Strategy: cfg.Strategy,
		FirstByteTimeout: cfg.FirstByteTimeout, IdleTimeout: cfg.IdleTimeout,
		MaxConcurrentPerAccount: cfg.MaxConcurrentPerAccount, QueueWait: cfg.QueueWait, MaxAttempts: cfg.MaxAttempts,
		LogLevel:     cfg.LogLevel,
		Upstream:     UpstreamURLs{APIBase: cfg.Upstream.APIBase, AuthBase: cfg.Upstream.AuthBase, OIDCBase: cfg.Upstream.OIDCBase},
		StartAtLogin: on, Loopback: store.IsLoopback(cfg.Host),
		OutboundProxy: cfg.Outbound.Proxy, CABundle: cfg.Outbound.CABundle,
		ModelAliases: aliasRows(cfg.ModelAliases), UnknownModelAlias: cfg.UnknownModelAlias, ModelChoices: store.AliasTargets(),
		UpdateCheck: cfg.Updates.Check, UpdateFeedURL: cfg.Updates.FeedURL,
		UpdateFeedURLDefault: store.DefaultFeedURL, UpdateFeedURLEnv: os.Getenv(store.EnvFeedURL),
	}, nil
}

// UpdateSettings applies a partial edit. Invalid values are refused as a
// whole with the validator's message (it names the field); a new host or
// port reopens the listener. Aliases apply to the next request: the API
// reads them per request.
func (a *App) UpdateSettings(p SettingsPatch) (Settings, error) {
	return withCore(a, 30*time.Second, func(ctx context.Context, c *core.Core) (Settings, error) {
		if err := c.UpdateConfig(ctx, p.apply); err != nil {
			// Saved but not reopened (a port in use): the window and the
			// tray must show the listener's real state, not the last one.
			a.emitStatus()
			return Settings{}, err
		}
		if p.StartAtLogin != nil {
			if err := a.setStartAtLogin(*p.StartAtLogin); err != nil {
				return Settings{}, err
			}
		}
		a.emitStatus()
		return a.Settings()
	})
}

// UseFreePort saves a port nothing listens on and turns the proxy on there:
// the Dashboard's repair for "port … is in use".
func (a *App) UseFreePort() (Status, error) {
	return withCore(a, 30*time.Second, func(ctx context.Context, c *core.Core) (Status, error) {
		_, err := c.UseFreePort(ctx)
		a.emitStatus()
		st, _ := a.Status()
		return st, err
	})
}
