package accounts

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

func TestEditMetadata(t *testing.T) {
	svc, st, _, _ := setup(t)
	ctx := context.Background()
	a, err := svc.Add(ctx, account("work"), creds)
	require.NoError(t, err)
	list := svc.List()
	require.Len(t, list, 1)
	assert.Equal(t, "work", list[0].Label)

	d, err := svc.SetDisabled(ctx, a.ID, true)
	require.NoError(t, err)
	assert.True(t, d.Disabled)
	assert.True(t, st.Pool.Snapshot().Account(a.ID).Disabled)
	r, err := svc.Rename(ctx, a.ID, "  home ")
	require.NoError(t, err)
	assert.Equal(t, "home", r.Label)
	_, err = svc.Rename(ctx, a.ID, "")
	assert.Error(t, err)
	got, err := svc.Get(a.ID)
	require.NoError(t, err)
	assert.Equal(t, "home", got.Label)

	_, err = svc.SetDisabled(ctx, "acc-none", true)
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = svc.Get("acc-none")
	assert.ErrorIs(t, err, ErrNotFound)
}

// A new sign-in of the same person: new credentials under the same id,
// label and counters, and the account ready again. A keychain that refuses
// the write changes nothing.
func TestReplaceKeepsTheAccount(t *testing.T) {
	svc, st, sec, _ := setup(t)
	ctx := context.Background()
	a, err := svc.Add(ctx, account("work"), creds)
	require.NoError(t, err)
	require.NoError(t, st.Pool.Update(ctx, func(p *store.Pool) error {
		acc := p.Account(a.ID)
		acc.State = store.AccountState{Status: store.StatusLoginNeeded, Reason: "log in again"}
		acc.Counters.Requests = 7
		return nil
	}))

	sec.mu.Lock()
	sec.failSet = errors.New("keychain locked")
	sec.mu.Unlock()
	_, err = svc.Replace(ctx, a.ID, secrets.New(`{"refreshToken":"rt-2"}`), nil)
	require.ErrorContains(t, err, "keychain locked")
	assert.Equal(t, store.StatusLoginNeeded, st.Pool.Snapshot().Account(a.ID).State.Status)
	sec.mu.Lock()
	sec.failSet = nil
	sec.mu.Unlock()

	got, err := svc.Replace(ctx, a.ID, secrets.New(`{"refreshToken":"rt-2"}`), func(acc *store.Account) { acc.Email = "me@example.com" })
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.ID)
	assert.Equal(t, "work", got.Label)
	assert.Equal(t, int64(7), got.Counters.Requests)
	assert.Equal(t, "me@example.com", got.Email)
	assert.Equal(t, store.StatusReady, got.State.Status)
	sv, err := svc.Credentials(ctx, a.ID)
	require.NoError(t, err)
	assert.Contains(t, sv.Reveal(), "rt-2")
	assert.Len(t, svc.List(), 1)

	_, err = svc.Replace(ctx, "acc-none", creds, nil)
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = svc.Replace(ctx, a.ID, secrets.Secret{}, nil)
	assert.Error(t, err)
}
