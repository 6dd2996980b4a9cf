package accounts

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
