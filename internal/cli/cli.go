// Package cli is Kirodesk's command line: it parses arguments, opens the core
// for the chosen config folder and runs the command. The desktop app is
// reached through Env.Desktop, so this package never links the GUI.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"kirodesk/internal/apikey"
	"kirodesk/internal/core"
	"kirodesk/internal/logging"
	"kirodesk/internal/secrets"
)

// DesktopOptions is what the desktop shell needs from the command line.
type DesktopOptions struct {
	ConfigDir string
	Hidden    bool
	Version   string
	Logger    *slog.Logger
	// Open opens the core; the desktop calls it once its single-instance
	// check has passed.
	Open func(ctx context.Context) (*core.Core, error)
}

// Env is the outside world, injected so tests can run commands in-process.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Version        string
	// Desktop runs the GUI; nil in builds and tests without one.
	Desktop func(ctx context.Context, opts DesktopOptions) error
	// Secrets overrides the OS keychain (tests).
	Secrets secrets.Store
	// Stdin is read by add-token, the login paste fallback and questions;
	// nil means os.Stdin.
	Stdin io.Reader
	// sawFlags, when set, is shown each command's flag set before it
	// parses (Flags).
	sawFlags func(*flag.FlagSet)
}

const usage = `Kirodesk turns your Kiro accounts into a local Anthropic- and OpenAI-compatible API.

Usage:
  kirodesk [--hidden] [--config-dir DIR]          start the desktop app (--hidden: window hidden)
  kirodesk serve [--config-dir DIR] [--host H] [--port N]
                                                 run the proxy without a window (--port 0: any free port)
  kirodesk apikey [--config-dir DIR]              print the local API key (created on first use)

Accounts (these go through the running Kirodesk if there is one):
  kirodesk login builder-id [--start-url URL] [--region R] [--label L] [--no-browser]
                                                 sign in with AWS Builder ID, or IAM Identity Center
                                                 with your organisation's start URL and region
  kirodesk login google|github [--label L] [--no-browser]
                                                 sign in with Google or GitHub
  kirodesk import kiro-ide [--file F] [--label L] add the account the Kiro IDE is signed in with
  kirodesk import aiclient DIR [--delete-plaintext [--yes]]
                                                 import the old Node.js proxy's Kiro accounts from its
                                                 configs folder; --delete-plaintext then offers to
                                                 delete its plaintext token files
  kirodesk add-token [--label L]                  add an account from a refresh token or credential
                                                 JSON read from stdin (checked with Kiro first)
  kirodesk accounts [list]                        list the accounts
  kirodesk accounts remove|disable|enable ID      remove an account, or take it out of / back into use
  kirodesk accounts rename ID LABEL               rename an account
  kirodesk accounts reset ID                      put an account back in service after you fixed it
                                                 (suspension lifted, try again now)
  kirodesk accounts quota ID                      ask Kiro for the account's credits now
  kirodesk usage [--since 7d|DATE] [--until DATE] [--by day|hour|account|model|client] [--json|--csv]
                                                 requests, tokens, credits, errors and latency so far,
                                                 and when each account reaches its credit limit
  kirodesk doctor [--config-dir DIR]              check connections to Kiro per account, the keychain,
                                                 the config folder, the port and the tray; paste the report in an issue
  kirodesk reset --all [--yes] [--config-dir DIR] delete the config folder and its keychain items
                                                 (API key, account tokens); asks first unless --yes
  kirodesk version                                print the version

The config folder defaults to %s
(or $KIRODESK_CONFIG_DIR).
`

// command is one word Main accepts as its first argument ("" is the
// desktop app). subs, when set, are the only first arguments its run
// accepts (login's methods, import's sources, the accounts commands).
type command struct {
	name string
	subs []string
	run  func(ctx context.Context, args []string, env Env) error
}

// commands is Main's dispatch table. It is the one list of what the CLI
// accepts, so Commands (and through it the README check in internal/docs)
// cannot drift from the dispatcher.
var commands = []command{
	{name: "", run: runDesktop},
	{name: "serve", run: runServe},
	{name: "apikey", run: runAPIKey},
	{name: "login", subs: loginMethods, run: runLogin},
	{name: "import", subs: importSources, run: runImport},
	{name: "add-token", run: runAddToken},
	{name: "accounts", subs: accountsCommands(), run: runAccounts},
	{name: "usage", run: runUsage},
	{name: "doctor", run: runDoctor},
	{name: "reset", run: runReset},
	{name: "version", run: runVersion},
	{name: "help", run: runHelp},
}

// Commands lists every command line form the CLI accepts: "" for the
// desktop app, "serve", and "login builder-id" and the like for commands
// that take a subcommand.
func Commands() []string {
	var out []string
	for _, c := range commands {
		if len(c.subs) == 0 {
			out = append(out, c.name)
		}
		for _, s := range c.subs {
			out = append(out, c.name+" "+s)
		}
	}
	return out
}

// Flags lists the flags (without dashes) that a form from Commands
// accepts, read from the flag set its command really parses with: the
// command runs with -h, which stops it at parsing.
func Flags(form string) []string {
	var names []string
	env := Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" },
		sawFlags: func(fs *flag.FlagSet) {
			fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		}}
	Main(context.Background(), append(strings.Fields(form), "-h"), env)
	slices.Sort(names)
	return slices.Compact(names)
}

// Main runs one command and returns the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	name := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "" && len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		name, args = "version", nil
	}
	i := slices.IndexFunc(commands, func(c command) bool { return c.name == name })
	if i < 0 {
		fmt.Fprintf(env.Stderr, "kirodesk: unknown command %q\n\n", name)
		printUsage(env)
		return 2
	}
	err := commands[i].run(ctx, args, env)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(env.Stderr, "kirodesk:", err)
		return 2
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, "kirodesk:", err)
		return 1
	}
	return 0
}

type usageError struct{ error }

func runVersion(_ context.Context, _ []string, env Env) error {
	fmt.Fprintln(env.Stdout, "kirodesk", env.Version)
	return nil
}

func runHelp(_ context.Context, _ []string, env Env) error {
	printUsage(env)
	return nil
}

func printUsage(env Env) {
	dir, err := core.DefaultConfigDir(env.Getenv)
	if err != nil {
		dir = "(unknown: " + err.Error() + ")"
	}
	fmt.Fprintf(env.Stdout, usage, dir)
}

// flags is the set every command shares.
type flags struct {
	*flag.FlagSet
	configDir string
}

func newFlags(name string, env Env) *flags {
	f := &flags{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError)}
	f.SetOutput(env.Stderr)
	f.StringVar(&f.configDir, "config-dir", "", "config folder (default: $KIRODESK_CONFIG_DIR or the OS config folder)")
	return f
}

func (f *flags) parse(args []string, env Env) error {
	if env.sawFlags != nil {
		env.sawFlags(f.FlagSet)
	}
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if f.NArg() > 0 {
		return usageError{fmt.Errorf("%s: unexpected argument %q", f.Name(), f.Arg(0))}
	}
	if f.configDir == "" {
		dir, err := core.DefaultConfigDir(env.Getenv)
		if err != nil {
			return err
		}
		f.configDir = dir
	}
	return nil
}

func logger(env Env) *slog.Logger {
	level := logging.ParseLevel(env.Getenv("KIRODESK_LOG_LEVEL"))
	if env.Getenv("KIRODESK_LOG_LEVEL") == "" {
		level = slog.LevelInfo
	}
	return logging.New(env.Stderr, level)
}

func runDesktop(ctx context.Context, args []string, env Env) error {
	f := newFlags("kirodesk", env)
	hidden := f.Bool("hidden", false, "start with the window hidden (used by start at login)")
	if err := f.parse(args, env); err != nil {
		return err
	}
	if env.Desktop == nil {
		return errors.New("this build has no desktop interface: use `kirodesk serve`")
	}
	log := logger(env)
	return env.Desktop(ctx, DesktopOptions{
		ConfigDir: f.configDir, Hidden: *hidden, Version: env.Version, Logger: log,
		Open: func(ctx context.Context) (*core.Core, error) {
			return core.Open(ctx, core.Options{ConfigDir: f.configDir, Logger: log, Getenv: env.Getenv, Secrets: env.Secrets})
		},
	})
}

func runServe(ctx context.Context, args []string, env Env) error {
	f := newFlags("serve", env)
	host := f.String("host", "", "address to listen on (default from config: 127.0.0.1)")
	port := f.Int("port", -1, "port to listen on; 0 picks a free one (default from config: 8990)")
	if err := f.parse(args, env); err != nil {
		return err
	}
	if *port < -1 || *port > 65535 {
		return usageError{fmt.Errorf("serve: --port %d is outside 0-65535", *port)}
	}
	log := logger(env)
	opts := core.Options{ConfigDir: f.configDir, Logger: log, Getenv: env.Getenv, Secrets: env.Secrets, Host: *host}
	if *port >= 0 {
		opts.Port = port
	}
	c, err := core.Open(ctx, opts)
	if err != nil {
		return err
	}
	if err := c.Proxy.Start(); err != nil {
		return errors.Join(err, c.Close(context.Background()))
	}
	fmt.Fprintf(env.Stdout, "listening on %s\n", c.Proxy.Status().Endpoint)

	<-ctx.Done()
	log.Info("shutting down: draining requests in flight and saving state")
	// A fresh context: the signal cancelled ctx, but the drain and the final
	// flush must still run to completion (bounded by the drain time).
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.Close(shutdown)
}

func runAPIKey(ctx context.Context, args []string, env Env) error {
	f := newFlags("apikey", env)
	if err := f.parse(args, env); err != nil {
		return err
	}
	// The key lives in the keychain, not in the folder, so this works while
	// an instance runs; it does not take the folder's lock.
	sec := env.Secrets
	if sec == nil {
		sec = secrets.NewKeyring(core.KeychainService(f.configDir, env.Getenv))
	}
	key, err := apikey.Ensure(ctx, sec)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, key.Reveal())
	return nil
}
