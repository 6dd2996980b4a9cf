package core

import (
	"context"
	"fmt"

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
	if (after.Host != before.Host || after.Port != before.Port) && c.Proxy.Status().On {
		if err := c.Proxy.Restart(ctx); err != nil {
			return fmt.Errorf("settings saved, but the proxy did not reopen: %w", err)
		}
	}
	return nil
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
