// Command kirodesk is the desktop app and its command line. This file only
// wires: it embeds the built frontend and hands the desktop shell to the CLI.
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
)

//go:embed all:frontend/dist
var assets embed.FS

// version is set at build time: -ldflags "-X main.version=..."
var version = "dev"

func main() {
	attachConsole()
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
