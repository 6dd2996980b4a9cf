package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"kirodesk/internal/secrets"
)

func TestAccountCommandsBadUsageExitsTwo(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"login"}, "builder-id, google or github"},
		{[]string{"login", "facebook"}, `unknown method "facebook"`},
		{[]string{"login", "google", "--start-url", "https://x"}, "flag provided but not defined"},
		{[]string{"login", "builder-id", "extra"}, `unexpected argument "extra"`},
		{[]string{"login", "builder-id", "--region", "x.attacker.example#"}, `--region "x.attacker.example#" is not an AWS region name (like us-east-1)`},
		{[]string{"login", "builder-id", "--start-url", "https://u@my-org.awsapps.com/start"}, `--start-url "https://u@my-org.awsapps.com/start" must not hold a user name`},
		{[]string{"import"}, "kiro-ide or aiclient"},
		{[]string{"import", "dropbox"}, `unknown source "dropbox"`},
		{[]string{"import", "aiclient"}, "missing argument"},
		{[]string{"import", "aiclient", "a", "b"}, `unexpected argument "b"`},
		{[]string{"accounts", "frob"}, `unknown command "frob"`},
		{[]string{"accounts", "rename", "acc-1"}, "missing argument"},
		{[]string{"add-token", "aor-secret-looking"}, "never from the command line"},
	} {
		code, _, errOut := run(t, Env{Secrets: secrets.NewMemory()}, append(tc.args, "--config-dir", dir)...)
		assert.Equal(t, 2, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, "%v", tc.args)
		assert.NotContains(t, errOut, "aor-secret-looking", "argv tokens are not echoed")
	}
}

func TestAddTokenReadsStdinAndSaysWhyItFailed(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := run(t, Env{Secrets: secrets.NewMemory(), Stdin: strings.NewReader("   \n")}, "add-token", "--config-dir", dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "nothing was pasted")
}

func TestHelpListsTheAccountCommands(t *testing.T) {
	_, out, _ := run(t, Env{}, "help")
	for _, c := range []string{"kirodesk login builder-id", "kirodesk login google|github", "kirodesk import kiro-ide",
		"kirodesk import aiclient DIR", "kirodesk add-token", "kirodesk accounts remove|disable|enable ID"} {
		assert.Contains(t, out, c)
	}
}
