package pool

import (
	"context"
	"time"

	"kirodesk/internal/kiro"
	"kirodesk/internal/store"
)

// adoptLocked looks for a refresh token newer than the one Kiro just
// refused: first in the keychain (a new login saved while this pool held
// the old one in memory), then in the Kiro IDE's token file the account was
// imported from, which the IDE rotates as it refreshes (kiro-protocol.md
// sections 6 and 7). A token from the file is saved to the keychain before
// it is used, as a refresh result would be. It reports whether e.cr changed
// and where the token came from.
func (p *Pool) adoptLocked(ctx context.Context, id string, e *entry) (bool, string) {
	if s, err := p.acc.Credentials(ctx, id); err == nil {
		if cr, err := kiro.ParseCredentials(s); err == nil && cr.RefreshToken != "" && cr.RefreshToken != e.cr.RefreshToken {
			e.cr = cr
			return true, "keychain"
		}
	}
	var path string
	p.file.View(func(pl *store.Pool) {
		if a := pl.Account(id); a != nil {
			path = a.IDETokenFile
		}
	})
	if path == "" {
		return false, ""
	}
	file, err := p.readIDE(path)
	if err != nil {
		p.log.Warn("could not read the Kiro IDE token file to adopt its token", "account", id, "err", err)
		return false, ""
	}
	if file.RefreshToken == "" || file.RefreshToken == e.cr.RefreshToken {
		return false, "" // the IDE holds the same dead token: nothing to adopt
	}
	next := e.cr
	next.AccessToken, next.RefreshToken, next.ExpiresAt = file.AccessToken, file.RefreshToken, file.ExpiresAt
	if file.IsOIDC() { // the IDE may have renewed its client registration too
		next.ClientID, next.ClientSecret, next.ClientExpiresAt = file.ClientID, file.ClientSecret, file.ClientExpiresAt
	}
	if file.ProfileARN != "" {
		next.ProfileARN = file.ProfileARN
	}
	saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := p.acc.SetCredentials(saveCtx, id, next.Secret()); err != nil {
		p.log.Warn("could not save the Kiro IDE's newer token", "account", id, "err", err)
		return false, ""
	}
	e.cr = next
	return true, "Kiro IDE token file"
}
