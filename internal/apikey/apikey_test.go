package apikey

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/secrets"
)

func TestEnsureGeneratesOnceThenReuses(t *testing.T) {
	ctx := context.Background()
	store := secrets.NewMemory()
	k1, err := Ensure(ctx, store)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(k1.Reveal(), Prefix))
	assert.Len(t, k1.Reveal(), len(Prefix)+43)
	k2, err := Ensure(ctx, store)
	require.NoError(t, err)
	assert.Equal(t, k1.Reveal(), k2.Reveal())

	k3, err := Regenerate(ctx, store)
	require.NoError(t, err)
	assert.NotEqual(t, k1.Reveal(), k3.Reveal())
	stored, err := store.Get(ctx, Item)
	require.NoError(t, err)
	assert.Equal(t, k3.Reveal(), stored.Reveal())
}

type brokenStore struct{ secrets.Store }

func (brokenStore) Get(context.Context, string) (secrets.Secret, error) {
	return secrets.Secret{}, errors.New("dbus gone")
}

func TestEnsureDoesNotReplaceAKeyItCannotRead(t *testing.T) {
	_, err := Ensure(context.Background(), brokenStore{secrets.NewMemory()})
	require.ErrorContains(t, err, "read the API key from the keychain: dbus gone")
}

func TestEqual(t *testing.T) {
	key := secrets.New("kd-abc")
	assert.True(t, Equal("kd-abc", key))
	assert.False(t, Equal("kd-abd", key))
	assert.False(t, Equal("", key))
	assert.False(t, Equal("", secrets.Secret{}), "an empty key never matches")
}
