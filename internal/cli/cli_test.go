package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"slices"
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
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"serve", "--port", "70000"}, "--port 70000 is outside 0-65535"},
		{[]string{"serve", "--port", "x"}, `invalid value "x" for flag -port`},
		{[]string{"serve", "extra"}, `unexpected argument "extra"`},
		{[]string{"apikey", "--nope"}, "flag provided but not defined: -nope"},
	} {
		code, _, stderr := run(t, Env{}, tc.args...)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Contains(t, stderr, tc.want, "%v says what was wrong", tc.args)
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
	mem := secrets.NewMemory()
	code, _, _ := run(t, Env{Version: "v9", Secrets: mem, Desktop: func(_ context.Context, o DesktopOptions) error { got = o; return nil }},
		"--hidden", "--config-dir", dir)
	assert.Equal(t, 0, code)
	assert.True(t, got.Hidden)
	assert.Equal(t, dir, got.ConfigDir)
	assert.Equal(t, "v9", got.Version)
	require.NotNil(t, got.Open)
	// Open opens that folder, with the keychain the command was given.
	c, err := got.Open(context.Background())
	require.NoError(t, err)
	defer c.Close(context.Background())
	assert.Equal(t, dir, c.ConfigDir)
	assert.FileExists(t, filepath.Join(dir, "config.json"))
	key, err := c.APIKey(context.Background())
	require.NoError(t, err)
	stored, err := mem.Get(context.Background(), "apikey")
	require.NoError(t, err, "the API key went to the keychain given to the command")
	assert.Equal(t, stored.Reveal(), key.Reveal())
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

// helpLine is one command of `kirodesk help`: its words, the flags it
// names and how many positional arguments (ID, DIR, LABEL) it shows.
type helpLine struct {
	path  []string
	flags []string
	args  int
}

var flagInText = regexp.MustCompile(`--([a-z][a-z-]*)`)

// helpLines reads the commands out of the help text, expanding a|b.
func helpLines(t *testing.T, help string) []helpLine {
	t.Helper()
	var out []helpLine
	for _, line := range strings.Split(help, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "kirodesk")
		if !ok || (rest != "" && rest[0] != ' ') {
			continue
		}
		var flags []string
		for _, m := range flagInText.FindAllStringSubmatch(rest, -1) {
			flags = append(flags, m[1])
		}
		// The command itself ends where the description column starts.
		cmd, _, _ := strings.Cut(strings.TrimSpace(rest), "  ")
		paths := [][]string{nil}
		args, afterFlag := 0, false
		inPath := true
	tokens:
		for _, tok := range strings.Fields(cmd) {
			word := strings.Trim(tok, "[]")
			switch {
			case inPath && tok == strings.ToLower(tok) && !strings.HasPrefix(tok, "-") && !strings.HasPrefix(tok, "["):
				var next [][]string
				for _, p := range paths {
					for _, alt := range strings.Split(tok, "|") {
						next = append(next, append(slices.Clone(p), alt))
					}
				}
				paths = next
				continue
			case !inPath && tok == word && tok == strings.ToLower(tok) && !strings.HasPrefix(tok, "-"):
				// a plain word after the command: the description
				// (one space after a long command line)
				break tokens
			case strings.HasPrefix(word, "--"):
				afterFlag = true
			case word == strings.ToUpper(word) && !afterFlag:
				args++
			default:
				afterFlag = false
			}
			if tok == "[list]" { // "accounts [list]": the word may be left out
				paths = append(paths, append(slices.Clone(paths[0]), "list"))
			}
			inPath = false
		}
		for _, p := range paths {
			out = append(out, helpLine{path: p, flags: flags, args: args})
		}
	}
	return out
}

// definedFlags runs `kirodesk PATH -h` and returns the flags the command's
// parser printed, proving the command exists.
func definedFlags(t *testing.T, path []string) []string {
	t.Helper()
	code, out, errOut := run(t, Env{Secrets: secrets.NewMemory()}, append(slices.Clone(path), "-h")...)
	require.Equal(t, 0, code, "kirodesk %v -h: %s", path, errOut)
	if len(path) == 1 && path[0] == "version" {
		assert.Contains(t, out, "kirodesk ")
		return nil
	}
	require.Contains(t, errOut, "Usage of", "kirodesk %v -h prints its flags", path)
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^\s+-([a-z][a-z-]*)`).FindAllStringSubmatch(errOut, -1) {
		flags = append(flags, m[1])
	}
	return flags
}

// Every command `kirodesk help` lists exists, takes the flags and the
// number of arguments the help shows, and every flag a command takes is in
// the help (--config-dir, which every command takes, aside).
func TestHelpMatchesWhatTheCommandsAccept(t *testing.T) {
	_, help, _ := run(t, Env{}, "help")
	lines := helpLines(t, help)
	seen := map[string]bool{}
	for _, l := range lines {
		name := strings.Join(l.path, " ")
		seen[name] = true
		defined := definedFlags(t, l.path)
		for _, f := range l.flags {
			assert.Contains(t, defined, f, "help shows `kirodesk %s --%s`, which the command does not take", name, f)
		}
		for _, f := range defined {
			if f != "config-dir" {
				assert.Contains(t, l.flags, f, "`kirodesk %s` takes --%s, which the help does not show", name, f)
			}
		}
		if l.args == 0 {
			continue
		}
		dir := t.TempDir()
		few := append(slices.Clone(l.path), slices.Repeat([]string{"x"}, l.args-1)...)
		code, _, errOut := run(t, Env{Secrets: secrets.NewMemory()}, append(few, "--config-dir", dir)...)
		assert.Equal(t, 2, code, "kirodesk %v", few)
		assert.Contains(t, errOut, "missing argument", "kirodesk %v", few)
		many := append(slices.Clone(l.path), slices.Repeat([]string{"x"}, l.args+1)...)
		code, _, errOut = run(t, Env{Secrets: secrets.NewMemory()}, append(many, "--config-dir", dir)...)
		assert.Equal(t, 2, code, "kirodesk %v", many)
		assert.Contains(t, errOut, "unexpected argument", "kirodesk %v", many)
	}
	// The parser of the help is checked too: it found every command.
	for _, c := range []string{"", "serve", "apikey", "login builder-id", "login google", "login github", "import kiro-ide",
		"import aiclient", "add-token", "accounts", "accounts list", "accounts remove", "accounts disable", "accounts enable",
		"accounts rename", "accounts reset", "accounts quota", "usage", "doctor", "reset", "version"} {
		assert.True(t, seen[c], "the help lists `kirodesk %s`", c)
	}
	assert.Len(t, seen, 21, "every command line of the help was read: %v", seen)
}
