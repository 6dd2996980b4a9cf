// Package reset removes everything Kirodesk keeps for one config folder: the
// folder itself and the folder's keychain items. Uninstalling leaves both in
// place on purpose (an upgrade or a reinstall must find them); this is the
// explicit way to get rid of them (`kirodesk reset --all`).
//
// go-keyring cannot list items, so the items are found by name: the fixed
// names (the API key) and one item per account id that the folder's pool
// files mention, in the accounts list or in pendingSecrets. The pool's
// backup and archived copies are read too, so an account that only an older
// copy remembers is not left behind in the keychain.
package reset

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"kirodesk/internal/accounts"
	"kirodesk/internal/apikey"
	"kirodesk/internal/login"
	"kirodesk/internal/outbound"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// FixedItems are the keychain items every config folder may have, whatever
// its accounts. A package that adds a keychain item with a fixed name must
// add it here, or reset leaves it behind.
var FixedItems = []string{apikey.Item, outbound.PasswordKey(""), login.ClientKey("us-east-1", login.BuilderIDStartURL)}

// Reset is a reset in progress: Begin has taken the folder's lock and listed
// what Run will delete. Call Run or Cancel exactly once.
type Reset struct {
	dir      string
	sec      secrets.Store
	lock     *store.Lock // nil when the folder does not exist
	items    []string
	accounts int
}

// Begin takes dir's instance lock (failing with store.ErrLocked while a
// Kirodesk runs with it) and lists the keychain items to delete. A folder
// that does not exist is not an error: its fixed items may still exist
// (`kirodesk apikey` creates the key without the folder).
func Begin(dir string, sec secrets.Store) (*Reset, error) {
	r := &Reset{dir: dir, sec: sec}
	if _, err := os.Stat(dir); err == nil {
		if err := looksLikeConfigFolder(dir); err != nil {
			return nil, err
		}
		if r.lock, err = store.LockDir(dir); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("config folder %s: %w", dir, err)
	}
	r.items = slices.Clone(FixedItems)
	ids, clients := accountItems(dir)
	r.accounts = len(ids)
	for _, id := range ids {
		r.items = append(r.items, accounts.SecretKey(id), outbound.PasswordKey(id))
	}
	for _, c := range clients {
		if !slices.Contains(r.items, c) {
			r.items = append(r.items, c)
		}
	}
	return r, nil
}

// Dir is the config folder being reset.
func (r *Reset) Dir() string { return r.dir }

// FolderExists reports whether there is a folder to remove.
func (r *Reset) FolderExists() bool { return r.lock != nil }

// Items are the keychain items Run deletes (those that exist).
func (r *Reset) Items() []string { return slices.Clone(r.items) }

// Accounts is how many accounts' items Run deletes.
func (r *Reset) Accounts() int { return r.accounts }

// Cancel releases the lock and deletes nothing.
func (r *Reset) Cancel() error {
	if r.lock == nil {
		return nil
	}
	return r.lock.Unlock()
}

// Result says what Run removed.
type Result struct {
	ItemsDeleted  int  // keychain items that existed and are gone
	FolderRemoved bool // the config folder is gone
}

// Run deletes the keychain items, then the folder. If any item cannot be
// deleted (keychain locked or unreachable), the folder is kept: it holds
// the account ids that name the remaining items, so running reset again
// can finish the job.
func (r *Reset) Run(ctx context.Context) (Result, error) {
	var res Result
	var errs []error
	for _, key := range r.items {
		err := r.sec.Delete(ctx, key)
		switch {
		case err == nil:
			res.ItemsDeleted++
		case errors.Is(err, secrets.ErrNotFound):
		default:
			errs = append(errs, fmt.Errorf("keychain item %q: %w", key, err))
		}
	}
	if len(errs) > 0 {
		errs = append(errs, fmt.Errorf("the config folder %s was kept so that `kirodesk reset --all` can be run again once the keychain is unlocked and reachable", r.dir))
		return res, errors.Join(append(errs, r.Cancel())...)
	}
	if r.lock == nil {
		return res, nil
	}
	// Everything but the lock file first, while still holding the lock, so
	// no Kirodesk can start in a half-removed folder; then the rest.
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return res, errors.Join(fmt.Errorf("read config folder: %w", err), r.Cancel())
	}
	for _, e := range entries {
		if e.Name() == store.LockName {
			continue
		}
		if err := os.RemoveAll(filepath.Join(r.dir, e.Name())); err != nil {
			errs = append(errs, err)
		}
	}
	if err := r.lock.Unlock(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		if err := os.RemoveAll(r.dir); err != nil {
			errs = append(errs, err)
		} else {
			res.FolderRemoved = true
		}
	}
	if len(errs) > 0 {
		return res, fmt.Errorf("the keychain items are deleted but the config folder %s could not be removed completely (remove it by hand): %w", r.dir, errors.Join(errs...))
	}
	return res, nil
}

// looksLikeConfigFolder guards the folder removal against a mistyped
// --config-dir (a home folder, ~/.config): Kirodesk's folder holds its
// state files and no subfolder.
func looksLikeConfigFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("config folder %s: %w", dir, err)
	}
	state := false
	for _, e := range entries {
		if e.IsDir() {
			return fmt.Errorf("%s holds a folder (%s), so it is not a Kirodesk config folder: nothing was deleted; check --config-dir", dir, e.Name())
		}
		switch e.Name() {
		case "config.json", "pool.json", "config.json.bak", "pool.json.bak", store.LockName:
			state = true
		}
	}
	if !state && len(entries) > 0 {
		return fmt.Errorf("%s has no Kirodesk state files (config.json, pool.json), so it is not a Kirodesk config folder: nothing was deleted; check --config-dir", dir)
	}
	return nil
}

// accountIDs reads every account id the folder's pool files mention:
// pool.json, its backup, and copies archived by a migration or moved aside
// as damaged. Unreadable files and ids that cannot name a keychain item are
// skipped: reset must work on a folder the app itself refuses to open
// (damaged, or written by a newer version).
// accountItems reads the account ids that pool.json and its copies name,
// and the keychain items of the device-login client registrations their
// Builder ID and IAM Identity Center accounts used.
func accountItems(dir string) (ids, clients []string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasPrefix(e.Name(), "pool.json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		var doc struct {
			Accounts []struct {
				ID         string `json:"id"`
				AuthMethod string `json:"authMethod"`
				Region     string `json:"region"`
				AuthRegion string `json:"authRegion"`
				StartURL   string `json:"startUrl"`
			} `json:"accounts"`
			PendingSecrets []string `json:"pendingSecrets"`
		}
		// A partly wrong document still yields what did decode.
		_ = json.Unmarshal(data, &doc)
		found := doc.PendingSecrets
		for _, a := range doc.Accounts {
			found = append(found, a.ID)
			if a.AuthMethod == store.AuthBuilderID || a.AuthMethod == store.AuthIdC {
				region, start := cmp.Or(a.AuthRegion, a.Region, "us-east-1"), cmp.Or(a.StartURL, login.BuilderIDStartURL)
				clients = append(clients, login.ClientKey(region, start))
			}
		}
		for _, id := range found {
			if store.ValidID(id) && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	slices.Sort(clients)
	return ids, slices.Compact(clients)
}
