package docs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/cli"
	"kirodesk/internal/store"
)

// The headings the checks read; renaming one in the README fails the test
// rather than skipping the check.
const (
	commandsHeading     = "## Commands"
	settingsHeading     = "### Settings in `config.json`"
	dependenciesHeading = "## Dependencies, and why each is there"
)

func readRepo(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	require.NoError(t, err)
	return string(b)
}

func section(t *testing.T, md, heading string) string {
	t.Helper()
	s, err := Section(md, heading)
	require.NoError(t, err)
	return s
}

// TestReadmeSaysWhatIsThere is the check itself, on the real files.
func TestReadmeSaysWhatIsThere(t *testing.T) {
	readme := readRepo(t, "README.md")
	t.Run("make targets", func(t *testing.T) {
		assert.Empty(t, CheckMakeTargets(readme, readRepo(t, "Makefile")))
	})
	t.Run("commands and flags", func(t *testing.T) {
		assert.Empty(t, CheckCommands(section(t, readme, commandsHeading), cli.Commands(), cli.Flags))
	})
	t.Run("settings", func(t *testing.T) {
		assert.Empty(t, CheckSettings(section(t, readme, settingsHeading), JSONKeys(store.NewConfig())))
	})
	t.Run("dependencies", func(t *testing.T) {
		assert.Empty(t, CheckDependencies(section(t, readme, dependenciesHeading), readRepo(t, "go.mod")))
	})
}

// The inputs must be what the checks think they are, or an empty list of
// problems proves nothing.
func TestTheRealInputsAreRead(t *testing.T) {
	readme := readRepo(t, "README.md")
	assert.Subset(t, MakeTargets(readRepo(t, "Makefile")), []string{"run", "test", "build", "soak", "bench", "fuzz"})
	forms := Commands(section(t, readme, commandsHeading))
	assert.Len(t, forms, len(cli.Commands()))
	keys := JSONKeys(store.NewConfig())
	assert.Equal(t, "8990", keys["port"])
	assert.Equal(t, "https://q.{region}.amazonaws.com", keys["upstream.apiBase"])
	assert.Equal(t, "system", keys["outbound.proxy"])
	assert.Equal(t, `""`, keys["outbound.caBundle"])
	assert.Contains(t, keys, "maxAttempts")
	assert.Len(t, Table(section(t, readme, settingsHeading)), len(keys))
	assert.Contains(t, GoModRequires(readRepo(t, "go.mod")), "golang.org/x/sys")
}

const fakeMakefile = `GO ?= go
X := 1
.PHONY: run test
all: run
run test: deps
	$(GO) run .
deps:
	@true
`

func TestCheckMakeTargets(t *testing.T) {
	assert.Equal(t, []string{"all", "deps", "run", "test"}, MakeTargets(fakeMakefile))
	ok := "```sh\nmake run    # go\n```\nThen `make test`, or `make\ndeps`."
	assert.Empty(t, CheckMakeTargets(ok, fakeMakefile))
	bad := "```sh\nmake ship\n```\nThen `make X` is not a target name, `make\nsoak` is one."
	assert.Equal(t, []string{
		"the README names `make ship`, but the Makefile has no target ship",
		"the README names `make soak`, but the Makefile has no target soak",
	}, CheckMakeTargets(bad, fakeMakefile))
}

func TestSection(t *testing.T) {
	md := "# T\n## A\na\n```\n# not a heading\n```\n### A.1\nsub\n## B\nb\n"
	s, err := Section(md, "## A")
	require.NoError(t, err)
	assert.Equal(t, "a\n```\n# not a heading\n```\n### A.1\nsub", s)
	_, err = Section(md, "## C")
	assert.Error(t, err)
}

const fakeCommands = "intro `kirodesk nothing`\n```\n" +
	"kirodesk [--hidden]                    the app\n" +
	"kirodesk serve [--port N]  the proxy, with words like login google\n" +
	"kirodesk login google|github [--label L]\n" +
	"kirodesk accounts [list]\n" +
	"kirodesk accounts remove ID\n" +
	"```\n"

func fakeFlags(form string) []string {
	return map[string][]string{"": {"hidden"}, "serve": {"port"}, "login google": {"label"}, "login github": {"label"},
		"accounts list": nil, "accounts remove": nil}[form]
}

func TestCommandsParse(t *testing.T) {
	assert.Equal(t, map[string][]string{
		"": {"hidden"}, "serve": {"port"}, "login google": {"label"}, "login github": {"label"},
		"accounts list": nil, "accounts remove": nil,
	}, Commands(fakeCommands))
}

func TestCheckCommands(t *testing.T) {
	forms := []string{"", "serve", "login google", "login github", "accounts list", "accounts remove"}
	assert.Empty(t, CheckCommands(fakeCommands, forms, fakeFlags))

	// A command the CLI has that the README does not, and the reverse.
	assert.Equal(t, []string{
		"the README lists `kirodesk accounts remove`, which the CLI does not accept",
		"the CLI accepts `kirodesk version`, which the README's command list does not show",
	}, CheckCommands(fakeCommands, []string{"", "serve", "login google", "login github", "accounts list", "version"}, fakeFlags))

	// A flag the README names that the command lacks, and the reverse.
	flags := func(form string) []string {
		if form == "serve" {
			return []string{"host"}
		}
		return fakeFlags(form)
	}
	assert.Equal(t, []string{
		"the README gives `kirodesk serve` the flag --port, which it does not accept",
		"`kirodesk serve` accepts --host, which the README's command list does not show",
	}, CheckCommands(fakeCommands, forms, flags))

	// A line whose description is not set off by two spaces reads as
	// commands that do not exist, so it fails rather than passing quietly.
	sloppy := "```\nkirodesk serve the proxy\n```\n"
	assert.Contains(t, CheckCommands(sloppy, []string{"serve"}, fakeFlags),
		"the CLI accepts `kirodesk serve`, which the README's command list does not show")
}

type fakeConfig struct {
	Port   int    `json:"port"`
	Host   string `json:"host"`
	Hidden string `json:"-"`
	Nested struct {
		URL   string `json:"url,omitempty"`
		Debug bool
	} `json:"nested"`
	unexported int
}

func TestJSONKeys(t *testing.T) {
	c := fakeConfig{Port: 80, Hidden: "x", unexported: 1}
	c.Nested.URL = "http://x"
	assert.Equal(t, map[string]string{"port": "80", "host": `""`, "nested.url": "http://x", "nested.Debug": "false"}, JSONKeys(&c))
}

const fakeSettings = `| key | meaning | default | valid |
|---|---|---|---|
| ` + "`port`" + ` | where it listens | ` + "`8990`" + ` | 1-65535 |
| ` + "`host`" + ` | the address | ` + "`127.0.0.1`" + ` | an IP address or ` + "`localhost`" + ` |
| ` + "`up.url`" + ` | the URL, with a pipe in code ` + "`a|b`" + ` | ` + "`\"\"`" + ` (none) | a URL |

prose after the table
`

func TestCheckSettings(t *testing.T) {
	keys := map[string]string{"port": "8990", "host": "127.0.0.1", "up.url": `""`}
	assert.Empty(t, CheckSettings(fakeSettings, keys))

	assert.Equal(t, []string{
		"setting `port`: the default is `9000`, the README says \"`8990`\"",
		"the README's settings name `up.url`, which config.json does not have",
		"config.json has `logLevel`, which the README's settings table does not list",
	}, CheckSettings(fakeSettings, map[string]string{"port": "9000", "host": "127.0.0.1", "logLevel": "info"}))

	noMeaning := "| k | m | d | v |\n|-|-|-|-|\n| `port` | | `8990` | 1-65535 |\n| port | x | y |\n"
	assert.Equal(t, []string{
		"setting `port`: its meaning and valid values must be said",
		"settings row \"port | x | y\": want one `key` and four cells (key, meaning, default, valid values)",
	}, CheckSettings(noMeaning, map[string]string{"port": "8990"}))
}

const fakeGoMod = `module x

go 1.26

require example.com/single v1.0.0

require (
	github.com/a/b v1.0.0
	golang.org/x/sys v0.1.0
	github.com/c/d v1.0.0 // indirect
)
`

func TestCheckDependencies(t *testing.T) {
	assert.Equal(t, []string{"example.com/single", "github.com/a/b", "golang.org/x/sys"}, GoModRequires(fakeGoMod))
	ok := "| module | why |\n|---|---|\n| `github.com/a/b`, `example.com/single` | both for this |\n" +
		"| `golang.org/x/sys` | syscalls |\n| npm `@scope/tool` | not Go |\n"
	assert.Empty(t, CheckDependencies(ok, fakeGoMod))

	bad := "| module | why |\n|---|---|\n| `github.com/a/b` | |\n| `github.com/c/d` | indirect, so not to be listed |\n"
	assert.Equal(t, []string{
		"dependency `github.com/a/b`: the README does not say why",
		"the README lists `github.com/c/d`, which go.mod does not require directly",
		"go.mod requires `example.com/single`, which the README's dependency table does not list with why",
		"go.mod requires `golang.org/x/sys`, which the README's dependency table does not list with why",
	}, CheckDependencies(bad, fakeGoMod))
}
