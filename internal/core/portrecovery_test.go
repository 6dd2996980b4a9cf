package core

import (
	"context"
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

func takenPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// openFresh is a core over a new folder and an in-memory keychain, its
// start-up reconcile done.
func openFresh(t *testing.T) *Core {
	t.Helper()
	c, err := Open(context.Background(), Options{ConfigDir: t.TempDir(), Secrets: secrets.NewMemory()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	<-c.Reconciled()
	return c
}

func setPort(ctx context.Context, c *Core, port int) error {
	return c.UpdateConfig(ctx, func(cfg *store.Config) error { cfg.Port = port; return nil })
}

// Issue 22 §4: after saving a port in use, saving another one (or the old
// one back) reopens the listener and clears the "in use" error; before, the
// proxy stayed off until the switch was flipped by hand.
func TestSavingAPortAfterAFailedReopenReopensAndClearsTheError(t *testing.T) {
	ctx := context.Background()
	c := openFresh(t)
	first := takenPort(t)
	require.NoError(t, c.Store.Config.Update(ctx, func(cfg *store.Config) error { cfg.Port = freeOne(t); return nil }))
	require.NoError(t, c.Proxy.Start())
	old := c.Proxy.Status().Port

	err := setPort(ctx, c, first)
	require.ErrorIs(t, err, ErrNotReopened)
	st := c.Proxy.Status()
	assert.False(t, st.On)
	assert.Contains(t, st.Error, "is in use")
	assert.Equal(t, first, c.Store.Config.Snapshot().Port, "the port stays saved")

	require.NoError(t, setPort(ctx, c, old), "the old port back")
	st = c.Proxy.Status()
	assert.True(t, st.On)
	assert.Empty(t, st.Error)
	assert.Equal(t, old, st.Port)
	conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", itoa(old)))
	require.NoError(t, err, "the listener is really open")
	conn.Close()

	// Turned off by the person: a new port is saved and it stays off.
	require.NoError(t, c.Proxy.SetEnabled(ctx, false))
	require.NoError(t, setPort(ctx, c, freeOne(t)))
	assert.False(t, c.Proxy.Status().On)
}

func TestUseFreePortSavesAFreePortAndOpensThere(t *testing.T) {
	ctx := context.Background()
	c := openFresh(t)
	taken := takenPort(t)
	require.NoError(t, c.Store.Config.Update(ctx, func(cfg *store.Config) error { cfg.Port = taken; return nil }))
	require.Error(t, c.Proxy.Start())
	require.NotEmpty(t, c.Proxy.Status().Error)

	port, err := c.UseFreePort(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, taken, port)
	assert.Equal(t, port, c.Store.Config.Snapshot().Port)
	assert.False(t, c.Store.Config.Snapshot().ProxyDisabled)
	st := c.Proxy.Status()
	assert.True(t, st.On)
	assert.Empty(t, st.Error)
	assert.Equal(t, port, st.Port)
}

func freeOne(t *testing.T) int {
	t.Helper()
	p, err := freePort("127.0.0.1")
	require.NoError(t, err)
	return p
}

func itoa(n int) string { return strconv.Itoa(n) }
