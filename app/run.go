package app

import (
	"context"
	"io/fs"
	"os"
	"runtime"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"kirodesk/internal/autostart"
	"kirodesk/internal/cli"
	"kirodesk/internal/core"
	"kirodesk/internal/uitext"
)

// Run shows the desktop app until the person quits. It blocks on the main
// thread, as every OS's GUI toolkit requires.
func Run(ctx context.Context, assets fs.FS, opts cli.DesktopOptions) error {
	if runtime.GOOS == "linux" && os.Getenv("WEBKIT_DISABLE_DMABUF_RENDERER") == "" {
		// WebKitGTK's DMA-BUF renderer draws a blank window on many GPUs
		// and on virtual displays (Xvfb); the fallback costs nothing visible.
		os.Setenv("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
	}
	var extra []string
	service := core.KeychainService(opts.ConfigDir, os.Getenv)
	if service != "kirodesk" { // not the default folder: start at login must open this one
		extra = []string{"--config-dir", opts.ConfigDir}
	}
	release, restore := webViewOps()
	web := newWebKeeper(webReleaseAfter, release, restore)
	a := New(Options{Version: opts.Version, Logger: opts.Logger, ExtraArgs: extra,
		Autostart: autostart.Manager{Name: service}, Notifier: DBusNotifier{}})
	return wails.Run(appOptions(ctx, a, web, assets, opts))
}

// appOptions is what Run hands Wails: the window and the hooks by which
// Wails drives a (start-up, closing, a second launch); web drops the page
// of a window hidden for a while.
func appOptions(ctx context.Context, a *App, web *webKeeper, assets fs.FS, opts cli.DesktopOptions) *options.App {
	return &options.App{
		Title:       "Kirodesk",
		Width:       960,
		Height:      680,
		MinWidth:    800,
		MinHeight:   600,
		StartHidden: opts.Hidden,
		AssetServer: &assetserver.Options{Assets: assets},
		// Errors Go wrote with codes reach the window translatable.
		ErrorFormatter: uitext.ForWindow,
		OnStartup: func(wctx context.Context) {
			rt := wailsRuntime{wctx, web}
			if opts.Hidden {
				web.hidden()
			}
			open := WithLogins(a, func() (*core.Core, error) { return opts.Open(ctx) })
			if a.Startup(rt, open) == nil {
				a.startTray(ctx)
			}
			// SIGINT/SIGTERM end the app as the tray's Quit does: drain, save,
			// unlock (and not just hide the window, as closing it does).
			go func() {
				select {
				case <-ctx.Done():
					a.quit()
				case <-wctx.Done():
				}
			}()
		},
		// Logged so that the page's reload after webKeeper dropped it can
		// be seen (app/desktoptest).
		OnDomReady:    func(context.Context) { opts.Logger.Debug("window: page loaded") },
		OnBeforeClose: func(context.Context) bool { return a.beforeClose() },
		OnShutdown: func(context.Context) {
			a.stopTray()
			a.Shutdown()
		},
		Bind: []any{a},
		// The store's lock is the real guard against two instances; this
		// makes a second launch show the running window instead of an error.
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId:               "dev.kirodesk." + core.KeychainService(opts.ConfigDir, os.Getenv),
			OnSecondInstanceLaunch: func(options.SecondInstanceData) { a.ShowWindow() },
		},
		Linux: &linux.Options{ProgramName: "kirodesk", WebviewGpuPolicy: linux.WebviewGpuPolicyOnDemand},
	}
}

// wailsRuntime is Runtime on the real Wails runtime. Hiding and showing
// the window also tell web, which drops the page of a window hidden for a
// while (issue 21: ~100 MB of the app's memory).
type wailsRuntime struct {
	ctx context.Context
	web *webKeeper
}

func (r wailsRuntime) EventsEmit(name string, data ...any) { wruntime.EventsEmit(r.ctx, name, data...) }
func (r wailsRuntime) ClipboardSetText(text string) error {
	return wruntime.ClipboardSetText(r.ctx, text)
}
func (r wailsRuntime) ShowWindow() {
	r.web.shown()
	wruntime.WindowUnminimise(r.ctx)
	wruntime.WindowShow(r.ctx)
}
func (r wailsRuntime) BrowserOpenURL(url string) { wruntime.BrowserOpenURL(r.ctx, url) }
func (r wailsRuntime) SaveFileDialog(title, defaultName string) (string, error) {
	return wruntime.SaveFileDialog(r.ctx, wruntime.SaveDialogOptions{Title: title, DefaultFilename: defaultName,
		Filters: []wruntime.FileFilter{{DisplayName: "CSV (*.csv)", Pattern: "*.csv"}}})
}
func (r wailsRuntime) HideWindow() {
	wruntime.WindowHide(r.ctx)
	r.web.hidden()
}
func (r wailsRuntime) Quit() { wruntime.Quit(r.ctx) }
func (r wailsRuntime) ErrorDialog(title, message string) {
	_, _ = wruntime.MessageDialog(r.ctx, wruntime.MessageDialogOptions{Type: wruntime.ErrorDialog, Title: title, Message: message})
}
