package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Commands is what the README check compares with the README, so every form
// it lists must really be dispatched, and a form it does not list refused.
func TestCommandsAreWhatMainAccepts(t *testing.T) {
	forms := Commands()
	assert.Contains(t, forms, "")
	assert.Contains(t, forms, "serve")
	assert.Contains(t, forms, "login builder-id")
	assert.Contains(t, forms, "import aiclient")
	assert.Contains(t, forms, "accounts quota")
	assert.NotContains(t, forms, "login", "a command with subcommands is listed by its subcommands")
	for _, form := range forms {
		// -h stops every command at its flag parsing, with exit code 0;
		// an unknown command or subcommand exits 2.
		code, _, stderr := run(t, Env{}, append(strings.Fields(form), "-h")...)
		assert.Equal(t, 0, code, "%q: %s", form, stderr)
	}
	for _, args := range [][]string{{"frobnicate"}, {"login", "okta"}, {"import", "cursor"}, {"accounts", "delete"}} {
		code, _, _ := run(t, Env{}, append(args, "-h")...)
		assert.Equal(t, 2, code, "%v", args)
	}
}

func TestFlagsAreTheParsersFlags(t *testing.T) {
	assert.Equal(t, []string{"config-dir", "hidden"}, Flags(""))
	assert.Equal(t, []string{"config-dir", "host", "port"}, Flags("serve"))
	assert.Equal(t, []string{"config-dir", "label", "no-browser", "region", "start-url"}, Flags("login builder-id"))
	assert.Equal(t, []string{"config-dir", "label", "no-browser"}, Flags("login github"))
	assert.Equal(t, []string{"config-dir", "delete-plaintext", "yes"}, Flags("import aiclient"))
	assert.Equal(t, []string{"all", "config-dir", "yes"}, Flags("reset"))
	assert.Equal(t, []string{"config-dir"}, Flags("accounts rename"))
	assert.Empty(t, Flags("version"))
	assert.Empty(t, Flags("frobnicate"))
}
