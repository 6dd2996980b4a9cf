package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"kirodesk/internal/accounts"
	"kirodesk/internal/doctor"
	"kirodesk/internal/kiro"
	"kirodesk/internal/outbound"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/uitext"
)

// newOutbound builds the transports on the live settings: a change to
// config.json or an account's proxy applies to the next request.
func newOutbound(st *store.Store, sec secrets.Store, getenv func(string) string, log *slog.Logger) *outbound.Transports {
	return outbound.New(outbound.Options{
		Settings:     func() store.Outbound { return st.Config.Snapshot().Outbound },
		AccountProxy: func(id string) string { a, _ := accountLookup(st.Pool)(id); return a.Proxy },
		Secrets:      sec, Getenv: getenv, Logger: log,
	})
}

// accountLookup reads one account's non-secret settings without copying the pool.
func accountLookup(f *store.File[store.Pool]) func(id string) (store.Account, bool) {
	return func(id string) (store.Account, bool) {
		var out store.Account
		found := false
		f.View(func(p *store.Pool) {
			if a := p.Account(id); a != nil {
				out, found = *a, true
			}
		})
		return out, found
	}
}

// keepChatHost records an account's working chat base in pool.json (a
// batched write) when it differs from the one kept.
func keepChatHost(f *store.File[store.Pool]) func(id, base string) {
	return func(id, base string) {
		if a, ok := accountLookup(f)(id); !ok || a.ChatHost == base {
			return
		}
		f.Touch(func(p *store.Pool) {
			if a := p.Account(id); a != nil {
				a.ChatHost = base
			}
		})
	}
}

// HTTP is the client for Kiro calls of no account yet (login flows): it
// takes the global proxy and CA settings in force at the time of the call.
func (c *Core) HTTP() *http.Client { return c.Outbound.HTTP() }

// SetProxy sets the global proxy (accountID "") or an account's override
// ("" clears it). A password inside the URL goes to the keychain and the
// rest to the settings; a URL with a user name but no password keeps the
// stored password, and one without a user name deletes it.
func (c *Core) SetProxy(ctx context.Context, accountID, proxy string) error {
	setting, pw, hasPW, user := splitProxy(proxy)
	if setting != "" || accountID == "" {
		if err := store.CheckProxy(setting); err != nil {
			return err
		}
	}
	// The password is changed first; if the setting then cannot be saved,
	// the previous password goes back, so a refused change is not half made.
	prev, err := c.Secrets.Get(ctx, outbound.PasswordKey(accountID))
	if err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return fmt.Errorf("read the proxy password from the keychain: %w", err)
	}
	if err := c.setProxy(ctx, accountID, setting, pw, hasPW, user); err != nil {
		if hasPW || !user {
			if rerr := c.Outbound.SetPassword(ctx, accountID, prev); rerr != nil {
				c.Log.Warn("could not put the previous proxy password back", "err", rerr)
			}
		}
		return err
	}
	return nil
}

func (c *Core) setProxy(ctx context.Context, accountID, setting, pw string, hasPW, user bool) error {
	switch {
	case hasPW:
		if err := c.Outbound.SetPassword(ctx, accountID, secrets.New(pw)); err != nil {
			return err
		}
	case !user:
		if err := c.Outbound.SetPassword(ctx, accountID, secrets.Secret{}); err != nil {
			return err
		}
	}
	if accountID == "" {
		return c.Store.Config.Update(ctx, func(cfg *store.Config) error { cfg.Outbound.Proxy = setting; return nil })
	}
	return c.Store.Pool.Update(ctx, func(p *store.Pool) error {
		a := p.Account(accountID)
		if a == nil {
			return fmt.Errorf("no account %s", accountID)
		}
		a.Proxy = setting
		return nil
	})
}

// splitProxy takes the password out of a proxy URL.
func splitProxy(p string) (setting, pw string, hasPW, user bool) {
	u, err := url.Parse(strings.TrimSpace(p))
	if err != nil || u.User == nil {
		return strings.TrimSpace(p), "", false, false
	}
	pw, hasPW = u.User.Password()
	u.User = url.User(u.User.Username())
	return u.String(), pw, hasPW, true
}

// Diagnose runs the connection test of every account and the machine
// checks, in this process (which owns the tokens, so a real refresh runs
// and its rotated token is stored).
func (c *Core) Diagnose(ctx context.Context, version string) doctor.Report {
	p := c.Store.Pool.Snapshot()
	st := c.Proxy.Status()
	serving := ""
	if st.On && st.Error == "" {
		serving = st.Endpoint
	}
	return doctor.Run(ctx, doctor.Options{
		Version: version, ConfigDir: c.ConfigDir, Config: c.Store.Config.Snapshot(), Accounts: p.Accounts,
		Notices: c.Store.NoticeTexts(), Secrets: c.Secrets, Outbound: c.Outbound, Client: c.Kiro, Getenv: c.getenv,
		Serving:     serving,
		Credentials: c.Pool.Credentials,
		Refresh: func(ctx context.Context, id string) (kiro.Credentials, error) {
			cr, err := c.Pool.Credentials(ctx, id)
			if err != nil {
				return cr, err
			}
			return c.Pool.Reauthorize(ctx, id, cr.AccessToken)
		},
	})
}

// DiagnoseReadOnly runs the checks while another Kirodesk owns the config
// folder: state files are read without the lock, credentials straight from
// the keychain, and no token is refreshed (that would rotate the refresh
// token under the running instance).
func DiagnoseReadOnly(ctx context.Context, opts Options, version string) doctor.Report {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	cfg, pool, err := doctor.ReadState(opts.ConfigDir)
	var notices []uitext.Text
	if err != nil {
		notices = append(notices, uitext.Plain(err.Error()))
	}
	up, err := cfg.Upstream.WithEnv(opts.Getenv)
	if err != nil {
		notices = append(notices, uitext.Plain(err.Error()))
	}
	sec := opts.Secrets
	if sec == nil {
		sec = secrets.NewKeyring(KeychainService(opts.ConfigDir, opts.Getenv))
	}
	lookup := func(id string) (store.Account, bool) {
		if a := pool.Account(id); a != nil {
			return *a, true
		}
		return store.Account{}, false
	}
	out := outbound.New(outbound.Options{
		Settings:     func() store.Outbound { return cfg.Outbound },
		AccountProxy: func(id string) string { a, _ := lookup(id); return a.Proxy },
		Secrets:      sec, Getenv: opts.Getenv, Logger: opts.Logger,
	})
	client := kiro.New(kiro.Options{Upstream: func() store.Upstream { return up }, Logger: opts.Logger, HTTPFor: out.For, Account: lookup})
	pid, _ := os.ReadFile(filepath.Join(opts.ConfigDir, "kirodesk.pid"))
	return doctor.Run(ctx, doctor.Options{
		Version: version, ConfigDir: opts.ConfigDir, Config: cfg, Accounts: pool.Accounts, Notices: notices,
		Secrets: sec, Outbound: out, Client: client, Getenv: opts.Getenv,
		Running: true, RunningPID: strings.TrimSpace(string(pid)),
		Credentials: doctor.KeychainCredentials(sec, accounts.SecretKey),
	})
}

// IsLocked reports whether err from Open means another Kirodesk owns the folder.
func IsLocked(err error) bool { return errors.Is(err, store.ErrLocked) }
