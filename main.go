// Command kirodesk-desktop is the desktop app: the window, the tray and the
// proxy in one process. This file only wires: it embeds the built frontend
// and hands the desktop shell to the CLI. People type `kirodesk`
// (cmd/kirodesk), which links no GUI and runs this executable for the
// window; this one also accepts every command of the CLI.
package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"kirodesk/app"
	"kirodesk/internal/cli"
	"kirodesk/internal/winconsole"
)

//go:embed all:frontend/dist
var assets embed.FS

// version is set at build time: -ldflags "-X main.version=..."
var version = "dev"

func main() {
	winconsole.Attach()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(cli.Main(ctx, os.Args[1:], cli.Env{
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Getenv:  os.Getenv,
		Version: version,
		Desktop: func(ctx context.Context, opts cli.DesktopOptions) error {
			dist, err := fs.Sub(assets, "frontend/dist")
			if err != nil {
				return fmt.Errorf("embedded frontend: %w", err)
			}
			return app.Run(ctx, dist, opts)
		},
	}))
}
