package store

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func withAliases(aliases map[string]string, unknown string) *Config {
	c := NewConfig()
	c.ModelAliases, c.UnknownModelAlias = aliases, unknown
	return c
}

func TestAliasesAreValidated(t *testing.T) {
	long := strings.Repeat("x", MaxAliasName)
	cases := []struct {
		name    string
		aliases map[string]string
		unknown string
		want    []string // substrings of the refusal; none: accepted
	}{
		{"none", nil, "", nil},
		{"two OpenAI names", map[string]string{"gpt-4o": "claude-sonnet-4.6", "gpt-4o-mini": "claude-haiku-4.5"}, "", nil},
		{"auto as a target", map[string]string{"o3": "auto"}, "auto", nil},
		{"an old Claude name Kiro does not serve", map[string]string{"claude-3-5-sonnet-20241022": "claude-sonnet-4.5"}, "", nil},
		{"128 characters", map[string]string{long: "auto"}, "", nil},
		{"non-ASCII name", map[string]string{"通义千问-max": "claude-sonnet-4.5"}, "", nil},
		{"empty name", map[string]string{"": "auto"}, "", []string{`modelAliases[""]`, "the alias name is empty"}},
		{"129 characters", map[string]string{long + "y": "auto"}, "", []string{"129 characters long, at most 128"}},
		{"surrounding space", map[string]string{" gpt-4o": "auto"}, "", []string{`modelAliases[" gpt-4o"]`, "starts or ends with a space"}},
		{"control character", map[string]string{"gpt\n4o": "auto"}, "", []string{`modelAliases["gpt\n4o"]`, "control character"}},
		{"NUL", map[string]string{"gpt\x004o": "auto"}, "", []string{"control character"}},
		{"invalid UTF-8", map[string]string{"gpt\xff": "auto"}, "", []string{"not valid UTF-8"}},
		{"shadows a Kiro model", map[string]string{"claude-sonnet-4.5": "claude-haiku-4.5"}, "", []string{`modelAliases["claude-sonnet-4.5"]`, "already Kiro's model", "cannot hide a real model"}},
		{"shadows auto", map[string]string{"AUTO": "claude-haiku-4.5"}, "", []string{`"AUTO" is already Kiro's model "auto"`}},
		{"shadows by the builder's spelling", map[string]string{"claude-sonnet-4-5-20250929": "claude-haiku-4.5"}, "", []string{`already Kiro's model "claude-sonnet-4.5"`}},
		{"shadows a display name", map[string]string{"Claude Opus 4.5": "auto"}, "", []string{`already Kiro's model "claude-opus-4.5"`}},
		{"same apart from case", map[string]string{"GPT-4o": "auto", "gpt-4o": "auto"}, "", []string{"apart from case"}},
		{"unknown target", map[string]string{"gpt-4o": "gpt-5"}, "", []string{`modelAliases["gpt-4o"]`, `"gpt-5" is not a Kiro model`, "claude-sonnet-4.6"}},
		{"target misspelt", map[string]string{"gpt-4o": "Claude-Sonnet-4.6"}, "", []string{`"Claude-Sonnet-4.6" is not a Kiro model`}},
		{"empty target", map[string]string{"gpt-4o": ""}, "", []string{`modelAliases["gpt-4o"]: no Kiro model chosen`}},
		{"unknown default", nil, "gpt-4o", []string{`unknownModelAlias: "gpt-4o" is not a Kiro model`, `or "" to refuse`}},
		{"huge hostile name is cut in the message", map[string]string{strings.Repeat("é", 10_000): "auto"}, "", []string{"10000 characters long", "…"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckConfig(withAliases(tc.aliases, tc.unknown))
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Less(t, len(err.Error()), 2000, "a message, not an echo of the file")
		})
	}
}

func TestTooManyAliasesAreRefused(t *testing.T) {
	m := map[string]string{}
	for i := range MaxAliases + 1 {
		m[fmt.Sprintf("m-%d", i)] = "auto"
	}
	assert.ErrorContains(t, CheckConfig(withAliases(m, "")), "modelAliases has 201 entries, at most 200")
	delete(m, "m-0")
	assert.NoError(t, CheckConfig(withAliases(m, "")))
}

func TestAliasLookup(t *testing.T) {
	c := withAliases(map[string]string{"gpt-4o": "claude-sonnet-4.6", "GPT-4o-Mini": "claude-haiku-4.5"}, "")
	known := func(name string) bool { return strings.HasPrefix(name, "claude") }
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"gpt-4o", "claude-sonnet-4.6", true},
		{"GPT-4O", "claude-sonnet-4.6", true},
		{"gpt-4o-mini", "claude-haiku-4.5", true},
		{"gpt-4.1", "", false}, // no default: the name goes on and is refused as today
		{"claude-sonnet-4.5", "", false},
	} {
		got, ok := c.Alias(tc.in, known)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	c.UnknownModelAlias = "claude-sonnet-4.5"
	got, ok := c.Alias("gpt-4.1", known)
	assert.True(t, ok)
	assert.Equal(t, "claude-sonnet-4.5", got)
	_, ok = c.Alias("claude-opus-4.8", known)
	assert.False(t, ok, "a known model is never sent to the default")
	got, _ = c.Alias("gpt-4o", known)
	assert.Equal(t, "claude-sonnet-4.6", got, "an alias wins over the default")
}

func TestAliasesSurviveReopenAndSnapshotsAreCopies(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	ctx := context.Background()
	require.NoError(t, s.Config.Update(ctx, func(c *Config) error {
		c.ModelAliases = map[string]string{"gpt-4o": "claude-sonnet-4.6"}
		c.UnknownModelAlias = "auto"
		return nil
	}))
	snap := s.Config.Snapshot()
	snap.ModelAliases["gpt-4o"] = "claude-opus-4.8"
	assert.Equal(t, "claude-sonnet-4.6", s.Config.Snapshot().ModelAliases["gpt-4o"])

	err := s.Config.Update(ctx, func(c *Config) error { c.ModelAliases["claude-sonnet-4.6"] = "auto"; return nil })
	require.ErrorContains(t, err, "cannot hide a real model")
	assert.Len(t, s.Config.Snapshot().ModelAliases, 1, "a refused change leaves the aliases as they were")

	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(b, &raw))
	assert.Equal(t, map[string]any{"gpt-4o": "claude-sonnet-4.6"}, raw["modelAliases"])
	assert.Equal(t, "auto", raw["unknownModelAlias"])
	require.NoError(t, s.Close(ctx))

	again := openT(t, dir)
	assert.Equal(t, map[string]string{"gpt-4o": "claude-sonnet-4.6"}, again.Config.Snapshot().ModelAliases)
	assert.Equal(t, "auto", again.Config.Snapshot().UnknownModelAlias)
}

func TestAHandEditedBadAliasStopsTheOpenNamingTheEntry(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	require.NoError(t, s.Close(context.Background()))
	path := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(b, &raw))
	raw["modelAliases"] = map[string]any{"gpt-4o": "gpt-5"}
	b, err = json.Marshal(raw)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))

	// No backup yet (the file was written once): Kirodesk stops and names
	// the entry rather than starting without the person's settings.
	_, err = Open(dir, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `modelAliases["gpt-4o"]: "gpt-5" is not a Kiro model`)
	assert.Contains(t, err.Error(), "repair the file")
}
