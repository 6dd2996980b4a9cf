// Command kirodesk is Kirodesk's command line: `kirodesk serve`, the account
// commands, and `kirodesk` itself, which starts the desktop app. It links no
// GUI toolkit (no Wails, GTK or WebKit), so the proxy run by `kirodesk serve`
// idles at a fraction of the desktop app's memory; the window is the
// separate executable kirodesk-desktop beside it (the module's root package,
// main.go), which internal/launcher starts with the same arguments.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"kirodesk/internal/cli"
	"kirodesk/internal/launcher"
	"kirodesk/internal/winconsole"
)

// version is set at build time: -ldflags "-X main.version=..."
var version = "dev"

func main() {
	winconsole.Attach()
	args := os.Args[1:]
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(cli.Main(ctx, args, cli.Env{
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Getenv:  os.Getenv,
		Version: version,
		// cli.Main has checked the flags; the app parses the same ones.
		Desktop: func(context.Context, cli.DesktopOptions) error {
			stop() // the app handles its own signals
			return launcher.Desktop(args)
		},
	}))
}
