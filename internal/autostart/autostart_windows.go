package autostart

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/windows/registry"
)

const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

// Enable sets the value under HKCU\...\Run.
func (m Manager) Enable(e Entry) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	defer k.Close()
	line := syscall.EscapeArg(e.Exe)
	for _, a := range e.Args {
		line += " " + syscall.EscapeArg(a)
	}
	if err := k.SetStringValue(m.name(), line); err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	return nil
}

// Disable deletes the value; it is not an error if there is none.
func (m Manager) Disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	defer k.Close()
	if err := k.DeleteValue(m.name()); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("start at login: %w", err)
	}
	return nil
}

// Enabled reports whether the value exists.
func (m Manager) Enabled() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer k.Close()
	_, _, err = k.GetStringValue(m.name())
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
