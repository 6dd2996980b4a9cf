package app

import (
	"context"
	"time"

	"kirodesk/internal/core"
)

// EventAccounts is in events.go; these methods emit it after each change so
// every open view (and the tray) shows the new list.

// Accounts returns every account's public state (no token in it).
func (a *App) Accounts() ([]core.AccountStatus, error) {
	c, err := a.ready()
	if err != nil {
		return nil, err
	}
	return c.Status().Accounts, nil
}

// SetAccountEnabled puts an account back into rotation or takes it out.
func (a *App) SetAccountEnabled(id string, on bool) error {
	return a.editAccount(func(ctx context.Context, c *core.Core) error {
		_, err := c.Accounts.SetDisabled(ctx, id, !on)
		return err
	})
}

// RenameAccount changes an account's display name.
func (a *App) RenameAccount(id, label string) error {
	return a.editAccount(func(ctx context.Context, c *core.Core) error { _, err := c.Accounts.Rename(ctx, id, label); return err })
}

// RemoveAccount deletes an account and its credentials. The window asks for
// confirmation first.
func (a *App) RemoveAccount(id string) error {
	return a.editAccount(func(ctx context.Context, c *core.Core) error { return c.Accounts.Remove(ctx, id) })
}

func (a *App) editAccount(fn func(context.Context, *core.Core) error) error {
	c, err := a.ready()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = fn(ctx, c)
	a.emitAccounts()
	return err
}

func (a *App) emitAccounts() {
	if list, err := a.Accounts(); err == nil {
		a.emit(EventAccounts, list)
	}
	a.emitStatus()
}

func (a *App) emit(name string, data any) {
	if rt := a.windowRuntime(); rt != nil {
		rt.EventsEmit(name, data)
	}
}

// windowRuntime is the window's runtime, or nil before Startup.
func (a *App) windowRuntime() Runtime {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rt
}
