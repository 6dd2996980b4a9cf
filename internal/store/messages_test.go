package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The window translates the store's notices by code: each carries its code
// and the values its sentence names, beside the English the CLI prints.
func TestNoticesCarryCodesAndArguments(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, s.Config.Update(ctx, func(c *Config) error { c.Port = 9001; return nil }))
	require.NoError(t, s.Config.Update(ctx, func(c *Config) error { c.LogLevel = "debug"; return nil }))
	require.NoError(t, s.Close(ctx))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"version":1,"port":"x"`), 0o600))

	s2 := openT(t, dir)
	texts := s2.NoticeTexts()
	require.Len(t, texts, 1)
	n := texts[0]
	assert.Equal(t, "store.damagedRestored", n.Code)
	assert.Equal(t, "config.json", n.Args["file"])
	assert.Equal(t, filepath.Join(dir, "config.json.bak"), n.Args["backup"])
	assert.True(t, strings.HasPrefix(n.Args["aside"], filepath.Join(dir, "config.json.corrupt-")), n.Args["aside"])
	assert.NotEmpty(t, n.Args["reason"])
	assert.Equal(t, s2.Notices(), []string{n.Text}, "the English is the same sentence")
	assert.Equal(t, "config.json was damaged ("+n.Args["reason"]+"); loaded the backup "+n.Args["backup"]+
		"; the damaged file is kept as "+n.Args["aside"], n.Text)
}

func TestRepairNoticesCarryCodes(t *testing.T) {
	p := NewPool()
	p.Accounts = []Account{{ID: "a1", Region: "x.attacker.example#"}}
	notes := repairPool(p)
	require.Len(t, notes, 1)
	assert.Equal(t, "store.accountEndpointDropped", notes[0].Code)
	assert.Equal(t, "a1", notes[0].Args["id"])
	assert.Contains(t, notes[0].Args["reason"], "the value was dropped")
	assert.Equal(t, StatusLoginNeeded, p.Accounts[0].State.Status)
	assert.Equal(t, notes[0].Args["reason"], p.Accounts[0].State.Reason)
}
