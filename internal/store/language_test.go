package store

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/locale"
)

func TestLanguageDefaultsAndIsChecked(t *testing.T) {
	c := NewConfig()
	assert.Equal(t, "", c.Language, `the default is "", which means system`)
	pref, err := c.LanguagePreference()
	require.NoError(t, err)
	assert.Equal(t, locale.PreferSystem, pref)

	// A file from before the setting loads as "system" and is not rewritten
	// with the key.
	n := NewConfig()
	require.NoError(t, json.Unmarshal([]byte(`{"version":1}`), n))
	pref, _ = n.LanguagePreference()
	assert.Equal(t, locale.PreferSystem, pref)
	b, err := json.Marshal(n)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "language")

	for _, ok := range []string{"system", "en", "zh-CN", ""} {
		c.Language = ok
		assert.NoError(t, CheckConfig(c), ok)
	}
	for _, bad := range []string{"fr", "zh", "ZH-cn", "english"} {
		c.Language = bad
		assert.ErrorContains(t, CheckConfig(c), `language "`+bad+`" is not system, en or zh-CN`)
	}
}

func TestLanguageIsSavedAndARefusedOneLeavesTheFile(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	ctx := context.Background()
	require.NoError(t, s.Config.Update(ctx, func(c *Config) error { c.Language = "zh-CN"; return nil }))
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"language": "zh-CN"`)

	err = s.Config.Update(ctx, func(c *Config) error { c.Language = "de"; return nil })
	assert.ErrorContains(t, err, `language "de" is not system, en or zh-CN`)
	assert.Equal(t, "zh-CN", s.Config.Snapshot().Language)
	pref, err := s.Config.Snapshot().LanguagePreference()
	require.NoError(t, err)
	assert.Equal(t, locale.PreferChinese, pref)
	after, err := os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	assert.Equal(t, b, after)
}
