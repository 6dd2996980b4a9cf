package core

import (
	"context"
	"errors"
	"fmt"
	"net"

	"kirodesk/internal/apikey"
	"kirodesk/internal/logging"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// Sizes of the in-memory logs behind the Logs window.
const (
	LogLines = 1000
	Requests = 500
)

// UpdateConfig applies fn to the settings (validated and saved before it
// returns) and puts the change into effect: the log level at once, and a
// new host or port by reopening the listener if it was on. Upstream URLs
// take effect at the next start.
func (c *Core) UpdateConfig(ctx context.Context, fn func(*store.Config) error) error {
	before := c.Store.Config.Snapshot()
	if err := c.Store.Config.Update(ctx, fn); err != nil {
		return err
	}
	after := c.Store.Config.Snapshot()
	c.logLevel.Set(logging.ParseLevel(after.LogLevel))
	// The listener is reopened when it should be on: when it is on, and
	// also when it failed to open (a port in use) without the person
	// turning it off. Keying this on "on" alone left the proxy off after a
	// failed reopen, whatever port was saved next.
	st := c.Proxy.Status()
	wanted := st.On || (st.Error != "" && !after.ProxyDisabled)
	if wanted && (after.Host != before.Host || after.Port != before.Port || !st.On) {
		if err := c.Proxy.Restart(ctx); err != nil {
			return fmt.Errorf("%w: %w", ErrNotReopened, err)
		}
	}
	return nil
}

// ErrNotReopened wraps the listener's error when a setting was saved but the
// proxy did not reopen with it: the setting stays saved.
var ErrNotReopened = errors.New("settings saved, but the proxy did not reopen")

// UseFreePort saves a port nothing listens on and (re)opens the proxy
// there, turning it on: the repair offered when the saved port is taken.
// Another program may take the port between the probe and the listen, so
// it tries a few.
func (c *Core) UseFreePort(ctx context.Context) (int, error) {
	var last error
	for range 3 {
		port, err := freePort(c.Store.Config.Snapshot().Host)
		if err != nil {
			return 0, err
		}
		if err := c.Store.Config.Update(ctx, func(cfg *store.Config) error {
			cfg.Port, cfg.ProxyDisabled = port, false
			return nil
		}); err != nil {
			return 0, err
		}
		if last = c.Proxy.Restart(ctx); last == nil {
			return port, nil
		}
	}
	return 0, fmt.Errorf("%w: %w", ErrNotReopened, last)
}

// freePort asks the system for a port free on host.
func freePort(host string) (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port on %s: %w", host, err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// RotateAPIKey replaces the local API key. The old key stops working at
// once: the server checks every request against the key it holds.
func (c *Core) RotateAPIKey(ctx context.Context) (secrets.Secret, error) {
	key, err := apikey.Regenerate(ctx, c.Secrets)
	if err != nil {
		return secrets.Secret{}, err
	}
	c.Server.SetAPIKey(key)
	c.Log.Info("API key replaced; clients must use the new one")
	return key, nil
}
