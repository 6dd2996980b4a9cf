package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"kirodesk/internal/control"
	"kirodesk/internal/core"
	"kirodesk/internal/kiro/endpoint"
	"kirodesk/internal/logging"
	"kirodesk/internal/login"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// parseArgs parses flags placed anywhere among the positional arguments and
// returns the positionals, of which there must be min to max.
func (f *flags) parseArgs(args []string, env Env, min, max int) ([]string, error) {
	if env.sawFlags != nil {
		env.sawFlags(f.FlagSet)
	}
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err}
		}
		args = f.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) < min {
		return nil, usageError{fmt.Errorf("%s: missing argument (see kirodesk help)", f.Name())}
	}
	if len(pos) > max {
		return nil, usageError{fmt.Errorf("%s: unexpected argument %q", f.Name(), pos[max])}
	}
	return pos, f.parse(nil, env)
}

// quietLogger logs warnings only, unless KIRODESK_LOG_LEVEL says otherwise:
// these commands print their own summary.
func quietLogger(env Env) *slog.Logger {
	if env.Getenv("KIRODESK_LOG_LEVEL") == "" {
		return logging.New(env.Stderr, slog.LevelWarn)
	}
	return logger(env)
}

// openAPI reaches the accounts of dir: through the running instance's
// control socket when one holds the folder (it stays the only writer), else
// by opening the folder here.
func openAPI(ctx context.Context, dir string, env Env) (control.API, func(), error) {
	log := quietLogger(env)
	st, err := store.Open(dir, store.Options{Logger: log})
	if errors.Is(err, store.ErrLocked) {
		c, derr := control.Dial(ctx, dir)
		if derr != nil {
			return nil, nil, derr
		}
		return c, c.Close, nil
	}
	if err != nil {
		return nil, nil, err
	}
	for _, n := range st.Notices() {
		log.Warn(n)
	}
	closeStore := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := st.Close(ctx); err != nil {
			fmt.Fprintln(env.Stderr, "kirodesk: saving the accounts:", err)
		}
	}
	sec := env.Secrets
	if sec == nil {
		sec = secrets.NewKeyring(core.KeychainService(dir, env.Getenv))
	}
	local, err := core.LocalControl(st, sec, env.Getenv, log)
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	return local, closeStore, nil
}

func stdin(env Env) io.Reader {
	if env.Stdin != nil {
		return env.Stdin
	}
	return os.Stdin
}

func isTTY(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func describe(a store.Account) string {
	return fmt.Sprintf("%s %q (%s)", a.ID, a.Label, a.AuthMethod)
}

// loginMethods are login's subcommands, importSources import's; runLogin
// and runImport refuse any other, so these lists are what they accept.
var (
	loginMethods  = []string{"builder-id", "google", "github"}
	importSources = []string{"kiro-ide", "aiclient"}
)

// subcommand takes cmd's first argument as one of choices (what it is, in
// the error when it is not); ask is the error when there is none, use the
// choices as the error lists them.
func subcommand(cmd, what string, choices []string, ask, use string, args []string) (string, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return "", nil, usageError{fmt.Errorf("%s: %s", cmd, ask)}
	}
	if !slices.Contains(choices, args[0]) {
		return "", nil, usageError{fmt.Errorf("%s: unknown %s %q: use %s", cmd, what, args[0], use)}
	}
	return args[0], args[1:], nil
}

func runLogin(ctx context.Context, args []string, env Env) error {
	kind, args, err := subcommand("login", "method", loginMethods, "say which: builder-id, google or github", "builder-id, google or github", args)
	if err != nil {
		return err
	}
	f := newFlags("login "+kind, env)
	label := f.String("label", "", "the account's name in Kirodesk (default: its email, or the provider)")
	noBrowser := f.Bool("no-browser", false, "print the link instead of opening the browser")
	var startURL, region *string
	switch kind {
	case "builder-id":
		startURL = f.String("start-url", "", "IAM Identity Center start URL (default: AWS Builder ID)")
		region = f.String("region", "", "IAM Identity Center region (default us-east-1)")
	}
	if _, err := f.parseArgs(args, env, 0, 0); err != nil {
		return err
	}
	// Checked here too, before anything opens, so the message names the flag.
	if region != nil && *region != "" {
		if _, err := endpoint.ParseRegion("--region", strings.TrimSpace(*region)); err != nil {
			return usageError{err}
		}
	}
	if startURL != nil && *startURL != "" {
		if _, err := endpoint.ParseStartURL("--start-url", strings.TrimSpace(*startURL)); err != nil {
			return usageError{err}
		}
	}
	api, done, err := openAPI(ctx, f.configDir, env)
	if err != nil {
		return err
	}
	defer done()

	var flow control.Flow
	if kind == "builder-id" {
		flow, err = api.StartDevice(ctx, login.DeviceOptions{StartURL: *startURL, Region: *region, Label: *label, NoBrowser: *noBrowser})
	} else {
		flow, err = api.StartSocial(ctx, login.SocialOptions{Provider: kind, Label: *label, NoBrowser: *noBrowser})
	}
	if err != nil {
		return err
	}
	out := env.Stdout
	if flow.Kind == control.KindDevice {
		fmt.Fprintf(out, "To sign in, open this link and confirm the code %s:\n  %s\n", flow.UserCode, flow.Link())
	} else {
		fmt.Fprintf(out, "To sign in, open this link:\n  %s\n", flow.Link())
		fmt.Fprintln(out, "If the browser cannot come back to Kirodesk, paste the address it ends on here and press Enter.")
		go readPastedURL(ctx, api, flow.ID, env)
	}
	if !*noBrowser {
		fmt.Fprintln(out, "(opening your browser)")
	}
	a, err := waitWithCountdown(ctx, api, flow, env)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	fmt.Fprintln(out, "Added account", describe(a))
	return nil
}

// readPastedURL is the social login's fallback: a line on stdin that holds
// the redirect URL completes the flow.
func readPastedURL(ctx context.Context, api control.API, id string, env Env) {
	sc := bufio.NewScanner(stdin(env))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if _, err := api.CompleteSocial(ctx, id, line); err != nil {
			if ctx.Err() != nil || errors.Is(err, control.ErrNoFlow) {
				return
			}
			fmt.Fprintln(env.Stderr, "kirodesk:", err)
			continue
		}
		return
	}
}

// waitWithCountdown waits for the flow, showing the time left: one line
// updated in place on a terminal, a line every 30 seconds otherwise.
func waitWithCountdown(ctx context.Context, api control.API, flow control.Flow, env Env) (store.Account, error) {
	type result struct {
		a   store.Account
		err error
	}
	done := make(chan result, 1)
	go func() {
		a, err := api.WaitFlow(ctx, flow.ID)
		done <- result{a, err}
	}()
	tty := isTTY(env.Stdout)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	show := func(last time.Duration) {
		left := time.Until(flow.ExpiresAt).Round(time.Second)
		if left < 0 {
			left = 0
		}
		if tty {
			fmt.Fprintf(env.Stdout, "\rWaiting for you to finish in the browser: %s left (Ctrl-C to cancel) ", left)
		} else if last < 0 || left/(30*time.Second) != last/(30*time.Second) {
			fmt.Fprintf(env.Stdout, "Waiting for you to finish in the browser: %s left\n", left)
		}
	}
	last := time.Duration(-1)
	show(last)
	last = time.Until(flow.ExpiresAt).Round(time.Second)
	for {
		select {
		case r := <-done:
			if tty {
				fmt.Fprint(env.Stdout, "\r\033[K")
			}
			return r.a, r.err
		case <-tick.C:
			show(last)
			last = time.Until(flow.ExpiresAt).Round(time.Second)
		}
	}
}

func runImport(ctx context.Context, args []string, env Env) error {
	kind, args, err := subcommand("import", "source", importSources, "say from where: kiro-ide or aiclient DIR", "kiro-ide or aiclient", args)
	if err != nil {
		return err
	}
	f := newFlags("import "+kind, env)
	switch kind {
	case "kiro-ide":
		file := f.String("file", "", "the Kiro IDE's token file (default ~/.aws/sso/cache/kiro-auth-token.json)")
		label := f.String("label", "", "the account's name in Kirodesk")
		if _, err := f.parseArgs(args, env, 0, 0); err != nil {
			return err
		}
		path := *file
		if path != "" {
			var err error
			if path, err = filepath.Abs(path); err != nil {
				return err
			}
		}
		api, done, err := openAPI(ctx, f.configDir, env)
		if err != nil {
			return err
		}
		defer done()
		a, err := api.ImportKiroIDE(ctx, path, *label)
		if err != nil {
			return fmt.Errorf("import kiro-ide: %w", err)
		}
		fmt.Fprintln(env.Stdout, "Added account", describe(a))
		return nil
	case "aiclient":
		del := f.Bool("delete-plaintext", false, "offer to delete the old proxy's credential files once imported")
		yes := f.Bool("yes", false, "with --delete-plaintext: delete without asking")
		pos, err := f.parseArgs(args, env, 1, 1)
		if err != nil {
			return err
		}
		dir, err := filepath.Abs(pos[0])
		if err != nil {
			return err
		}
		api, done, err := openAPI(ctx, f.configDir, env)
		if err != nil {
			return err
		}
		defer done()
		rep, err := api.ImportAIClient(ctx, dir)
		if err != nil {
			return fmt.Errorf("import aiclient: %w", err)
		}
		printReport(env.Stdout, rep)
		if len(rep.PlaintextFiles) > 0 {
			if !*del {
				fmt.Fprintln(env.Stdout, "To delete them, run the import again with --delete-plaintext.")
			} else if *yes || confirm(env, fmt.Sprintf("Delete these %d files? [y/N] ", len(rep.PlaintextFiles))) {
				deleted, err := api.DeletePlaintext(ctx, rep)
				fmt.Fprintf(env.Stdout, "Deleted %d files.\n", len(deleted))
				if err != nil {
					return fmt.Errorf("import aiclient: deleting the credential files: %w", err)
				}
			} else {
				fmt.Fprintln(env.Stdout, "Nothing deleted.")
			}
		}
		if _, _, failed := rep.Counts(); failed > 0 {
			return fmt.Errorf("import aiclient: %d of the old proxy's accounts could not be imported (reasons above)", failed)
		}
		return nil
	}
	return usageError{fmt.Errorf("import: unknown source %q: use kiro-ide or aiclient", kind)}
}

func printReport(w io.Writer, rep login.ImportReport) {
	fmt.Fprintf(w, "Read %s:\n", rep.Dir)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, a := range rep.Accounts {
		what := a.Reason
		if a.Outcome == login.Imported {
			parts := []string{"as " + a.AccountID}
			if a.Disabled {
				parts[0] += " (disabled, as in the old proxy)"
			}
			if a.Reason != "" {
				parts = append(parts, a.Reason)
			}
			what = strings.Join(parts, "; ")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.Outcome, a.Name, what)
	}
	tw.Flush()
	if len(rep.OtherProviders) > 0 {
		var parts []string
		for k, n := range rep.OtherProviders {
			parts = append(parts, fmt.Sprintf("%s (%d)", k, n))
		}
		sort.Strings(parts)
		fmt.Fprintln(w, "Skipped, not Kiro:", strings.Join(parts, ", "))
	}
	if len(rep.OtherFiles) > 0 {
		fmt.Fprintln(w, "Other files of the old proxy, left alone:", strings.Join(rep.OtherFiles, ", "))
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(w, "Note:", n)
	}
	im, sk, fa := rep.Counts()
	fmt.Fprintf(w, "%d imported, %d skipped, %d failed.\n", im, sk, fa)
	if len(rep.PlaintextFiles) > 0 {
		fmt.Fprintf(w, "These %d files hold those accounts' tokens in plain text, now also in the keychain:\n", len(rep.PlaintextFiles))
		for _, p := range rep.PlaintextFiles {
			fmt.Fprintln(w, " ", p)
		}
	}
}

// confirm asks a yes/no question on stdin; anything but yes is no.
func confirm(env Env, question string) bool {
	fmt.Fprint(env.Stdout, question)
	line, _ := bufio.NewReader(stdin(env)).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	fmt.Fprintln(env.Stdout)
	return false
}

func runAddToken(ctx context.Context, args []string, env Env) error {
	f := newFlags("add-token", env)
	label := f.String("label", "", "the account's name in Kirodesk")
	pos, err := f.parseArgs(args, env, 0, 1)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{errors.New("add-token reads the token from stdin, never from the command line, where ps and the shell history would keep it")}
	}
	in := stdin(env)
	if isTTY(in) {
		fmt.Fprintln(env.Stderr, "Paste the refresh token or the credential JSON, then press Enter and Ctrl-D:")
	}
	b, err := io.ReadAll(io.LimitReader(in, 1<<20))
	if err != nil {
		return fmt.Errorf("add-token: reading stdin: %w", err)
	}
	api, done, err := openAPI(ctx, f.configDir, env)
	if err != nil {
		return err
	}
	defer done()
	a, err := api.AddToken(ctx, string(b), *label)
	if err != nil {
		return fmt.Errorf("add-token: %w", err)
	}
	fmt.Fprintln(env.Stdout, "Added account", describe(a))
	return nil
}

// accountsArgs is the accounts subcommands and how many positional
// arguments each takes.
var accountsArgs = map[string]int{"list": 0, "remove": 1, "disable": 1, "enable": 1, "rename": 2, "reset": 1, "quota": 1}

func accountsCommands() []string { return slices.Sorted(maps.Keys(accountsArgs)) }

func runAccounts(ctx context.Context, args []string, env Env) error {
	sub := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	n, ok := accountsArgs[sub]
	if !ok {
		return usageError{fmt.Errorf("accounts: unknown command %q: use list, remove, disable, enable, rename, reset or quota", sub)}
	}
	f := newFlags("accounts "+sub, env)
	pos, err := f.parseArgs(args, env, n, n)
	if err != nil {
		return err
	}
	api, done, err := openAPI(ctx, f.configDir, env)
	if err != nil {
		return err
	}
	defer done()
	var a store.Account
	switch sub {
	case "list":
		list, err := api.Accounts(ctx)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(env.Stdout, "No accounts yet. Add one with `kirodesk login builder-id`, `kirodesk login google`, or an import (kirodesk help).")
			return nil
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tLABEL\tAUTH\tSTATE\tCREDITS\tREQUESTS\tENABLED")
		for _, a := range list {
			enabled := "yes"
			if a.Disabled {
				enabled = "no"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", a.ID, a.Label, authName(a), stateText(a.State, time.Now()),
				quotaText(a.Quota), a.Counters.Requests, enabled)
		}
		return tw.Flush()
	case "reset":
		if a, err = api.Reset(ctx, pos[0]); err != nil {
			return fmt.Errorf("accounts reset: %w", err)
		}
		fmt.Fprintf(env.Stdout, "Account %s %q is back in service (%s).\n", a.ID, a.Label, stateText(a.State, time.Now()))
		return nil
	case "quota":
		if a, err = api.RefreshQuota(ctx, pos[0]); err != nil {
			return fmt.Errorf("accounts quota: %w", err)
		}
		fmt.Fprintf(env.Stdout, "Account %s %q: %s", a.ID, a.Label, quotaText(a.Quota))
		if q := a.Quota; q != nil {
			if q.Plan != "" {
				fmt.Fprintf(env.Stdout, ", plan %s", q.Plan)
			}
			if !q.ResetAt.IsZero() {
				fmt.Fprintf(env.Stdout, ", resets %s", q.ResetAt.Local().Format("2 Jan 2006"))
			}
		}
		fmt.Fprintln(env.Stdout, ".")
		return nil
	case "remove":
		if err := api.Remove(ctx, pos[0]); err != nil {
			return fmt.Errorf("accounts remove: %w", err)
		}
		fmt.Fprintln(env.Stdout, "Removed account", pos[0], "and its credentials.")
		return nil
	case "disable", "enable":
		a, err = api.SetDisabled(ctx, pos[0], sub == "disable")
	case "rename":
		a, err = api.Rename(ctx, pos[0], pos[1])
	}
	if err != nil {
		return fmt.Errorf("accounts %s: %w", sub, err)
	}
	state := "enabled"
	if a.Disabled {
		state = "disabled"
	}
	fmt.Fprintf(env.Stdout, "Account %s %q is %s.\n", a.ID, a.Label, state)
	return nil
}

// stateText is an account's state in words, with its reason and time.
func stateText(st store.AccountState, now time.Time) string {
	words := map[string]string{
		store.StatusReady: "ready", store.StatusCooling: "cooling down", store.StatusExhausted: "out of credits",
		store.StatusSuspended: "suspended", store.StatusLoginNeeded: "login needed", store.StatusModelUnavailable: "model unavailable",
	}
	s := words[st.Status]
	if s == "" {
		s = st.Status
	}
	if !st.Until.IsZero() && st.Until.After(now) {
		s += " until " + st.Until.Local().Format("2 Jan 15:04")
	}
	if st.Reason != "" && st.Status != store.StatusReady {
		s += " (" + st.Reason + ")"
	}
	return s
}

// quotaText is "used/limit" credits, or "-" before the first check.
func quotaText(q *store.Quota) string {
	if q == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f/%.0f", q.Used, q.Limit)
}

func authName(a store.Account) string {
	switch {
	case a.AuthMethod == store.AuthSocial && a.Provider != "":
		return strings.ToLower(a.Provider)
	case a.AuthMethod == store.AuthIdC && a.StartURL != "":
		return "idc " + a.StartURL
	}
	return a.AuthMethod
}
