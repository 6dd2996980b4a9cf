package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/secrets"
)

func run(t *testing.T, env Env, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env.Stdout, env.Stderr = &out, &errb
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	code := Main(context.Background(), args, env)
	return code, out.String(), errb.String()
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := run(t, Env{Version: "1.2.3"}, "--version")
	assert.Equal(t, 0, code)
	assert.Equal(t, "kirodesk 1.2.3\n", out)
	code, out, _ = run(t, Env{Version: "1.2.3"}, "version")
	assert.Equal(t, 0, code)
	assert.Equal(t, "kirodesk 1.2.3\n", out)
	code, out, _ = run(t, Env{}, "help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "kirodesk serve")
}

func TestBadUsageExitsTwo(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"serve", "--port", "70000"},
		{"serve", "--port", "x"},
		{"serve", "extra"},
		{"apikey", "--nope"},
	} {
		code, _, stderr := run(t, Env{}, args...)
		assert.Equal(t, 2, code, "%v", args)
		assert.NotEmpty(t, stderr, "%v", args)
	}
}

func TestAPIKeyIsPrintedAndStable(t *testing.T) {
	mem := secrets.NewMemory()
	dir := t.TempDir()
	code, out1, _ := run(t, Env{Secrets: mem}, "apikey", "--config-dir", dir)
	require.Equal(t, 0, code)
	code, out2, _ := run(t, Env{Secrets: mem}, "apikey", "--config-dir", dir)
	require.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out1, "kd-"))
	assert.Equal(t, out1, out2)
}

func TestDesktopWithoutGUIBuildSaysSo(t *testing.T) {
	code, _, stderr := run(t, Env{}, "--config-dir", t.TempDir())
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "kirodesk serve")
}

func TestDesktopGetsItsOptions(t *testing.T) {
	dir := t.TempDir()
	var got DesktopOptions
	code, _, _ := run(t, Env{Version: "v9", Desktop: func(_ context.Context, o DesktopOptions) error { got = o; return nil }},
		"--hidden", "--config-dir", dir)
	assert.Equal(t, 0, code)
	assert.True(t, got.Hidden)
	assert.Equal(t, dir, got.ConfigDir)
	assert.Equal(t, "v9", got.Version)
	assert.NotNil(t, got.Open)
}

func TestConfigDirFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	var got DesktopOptions
	env := Env{Getenv: func(k string) string {
		if k == "KIRODESK_CONFIG_DIR" {
			return dir
		}
		return ""
	}, Desktop: func(_ context.Context, o DesktopOptions) error { got = o; return nil }}
	code, _, _ := run(t, env)
	assert.Equal(t, 0, code)
	assert.Equal(t, dir, got.ConfigDir)
}
