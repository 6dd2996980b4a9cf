// Command kirodesk-tray is Kirodesk's tray icon and menu, in a process of
// its own so that getlantern/systray and Wails never share one (both want
// the main thread and the OS's application object; see design.md,
// "Process model").
//
// The app starts it and owns it. The contract (package trayproto):
//   - standard input carries State snapshots, one JSON line each; the menu
//     shows the newest one. The tray keeps no state of its own.
//   - standard output carries {"type":"ready"} once the menu exists, then
//     one {"type":"click"} line per menu click. A click asks the app to act;
//     the tray changes nothing until a new State arrives.
//   - end of standard input means the app went away: the tray quits with
//     exit status 0.
//   - standard error is free-form log text, which the app writes to its log.
package main

import (
	"context"
	"log/slog"
	"os"
	"runtime"

	"github.com/getlantern/systray"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{
		// The app's logger stamps each line it reads from us.
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	out, err := protocolOutput()
	if err != nil {
		log.Error("cannot set up the pipe to the app", "err", err)
		os.Exit(1)
	}
	t := newTray(os.Stdin, out, runtime.GOOS, log)
	// Run blocks on the main thread (systray locks it in its init) until
	// systray.Quit, which the tray calls when standard input ends.
	systray.Run(func() { t.run(context.Background()) }, nil)
}
