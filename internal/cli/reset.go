package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"kirodesk/internal/autostart"
	"kirodesk/internal/core"
	"kirodesk/internal/reset"
	"kirodesk/internal/secrets"
)

// runReset is `kirodesk reset --all`: the one command that deletes what
// uninstalling leaves behind (the config folder and its keychain items).
// --all is required so that a later, narrower reset can be added without
// changing what a bare `reset` does.
func runReset(ctx context.Context, args []string, env Env) error {
	f := newFlags("reset", env)
	all := f.Bool("all", false, "delete the config folder and every keychain item of it (required)")
	yes := f.Bool("yes", false, "do not ask for confirmation")
	if err := f.parse(args, env); err != nil {
		return err
	}
	if !*all {
		return usageError{errors.New("reset: pass --all to delete the config folder and its keychain items (API key, account tokens)")}
	}
	service := core.KeychainService(f.configDir, env.Getenv)
	sec := env.Secrets
	if sec == nil {
		sec = secrets.NewKeyring(service)
	}
	// Begin takes the folder's lock before asking, so a running Kirodesk is
	// reported at once and none can start while the person decides.
	r, err := reset.Begin(f.configDir, sec)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("the keychain items of %s: the local API key and the tokens of %d account(s)", f.configDir, r.Accounts())
	if r.FolderExists() {
		what = fmt.Sprintf("the config folder %s (settings, accounts, usage counters) and %s", f.configDir, what)
	}
	if !*yes {
		ok, err := confirmTyped(env, "This deletes "+what+".\nThe accounts must be added again afterwards. Type yes to continue: ")
		if err != nil || !ok {
			return errors.Join(err, r.Cancel(), errors.New("reset cancelled: nothing was deleted"))
		}
	}
	res, err := r.Run(ctx)
	if err != nil {
		return err
	}
	// A start-at-login entry would only start an empty Kirodesk now.
	if err := (autostart.Manager{Name: service}).Disable(); err != nil {
		fmt.Fprintln(env.Stderr, "kirodesk: reset: could not remove the start-at-login entry:", err)
	}
	removed := "there was no config folder"
	if res.FolderRemoved {
		removed = "removed " + f.configDir
	}
	fmt.Fprintf(env.Stdout, "reset: %s; deleted %d keychain item(s)\n", removed, res.ItemsDeleted)
	return nil
}

// confirmTyped asks on Stdout and reads one line from Stdin; only a typed
// "yes" agrees (a destructive command wants more than "y").
func confirmTyped(env Env, question string) (bool, error) {
	fmt.Fprint(env.Stdout, question)
	line, err := bufio.NewReader(stdin(env)).ReadString('\n')
	if err != nil && line == "" {
		return false, errors.New("no answer read: pass --yes to reset without asking")
	}
	return strings.EqualFold(strings.TrimSpace(line), "yes"), nil
}
