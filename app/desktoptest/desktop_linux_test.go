//go:build linux

// Package desktoptest runs the real desktop binary (built by make build)
// the way a person's desktop does: under an X display, in a D-Bus session
// with gnome-keyring, with this test as the desktop shell's tray host.
// `make test-desktop` builds the binary and runs it (scripts/session.sh).
package desktoptest

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/app/internal/shelltest"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

func TestDesktopAppWindowAndTray(t *testing.T) {
	bin, w := desktopShell(t)
	dir, port := configFolder(t, nil)
	// English labels below, whatever the machine's language.
	log, exited := startApp(t, bin, append([]string{"LC_ALL=", "LC_MESSAGES=", "LANG=C.UTF-8"}, offlineUpstream...), "--config-dir", dir)

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	require.Eventually(t, func() bool { return serves(base) }, 30*time.Second, 100*time.Millisecond, "the proxy never answered")

	// The window shows the dashboard: the page's own colours at known
	// places, and the proxy switch drawn on (see lookOf).
	scr, err := openXScreen()
	require.NoError(t, err, "the X display")
	t.Cleanup(scr.Close)
	shot := filepath.Join("..", "..", "build", "screenshots", "desktop-window.png")
	require.NoError(t, os.MkdirAll(filepath.Dir(shot), 0o755))
	waitForLook(t, scr, shot, true)

	// The tray registered; its checkbox turns the real listener off and on.
	menu := w.MenuOf(t, 30*time.Second)
	items := menu.WaitFor(t, "proxy on", func(items []shelltest.Entry) bool {
		e, ok := shelltest.Find(items, "Proxy on")
		return ok && e.ToggleState == 1 && len(items) > 0 && strings.HasPrefix(items[0].Label, "Proxy on — 127.0.0.1:")
	})
	toggle, _ := shelltest.Find(items, "Proxy on")
	menu.Click(t, toggle.ID)
	require.Eventually(t, func() bool { return !serves(base) }, 15*time.Second, 50*time.Millisecond, "the port stayed open")
	menu.WaitFor(t, "proxy off", func(items []shelltest.Entry) bool { return len(items) > 0 && items[0].Label == "Proxy off" })
	waitForLook(t, scr, shot, false)
	assert.True(t, readConfig(t, dir).ProxyDisabled, "off is remembered")
	menu.Click(t, toggle.ID)
	require.Eventually(t, func() bool { return serves(base) }, 15*time.Second, 50*time.Millisecond, "the port did not reopen")

	// The window followed the tray both ways; keep its picture, the
	// dashboard after a while on screen, as the CI artifact.
	waitForLook(t, scr, shot, true)

	// Quit: a clean exit, state written, the folder's lock released.
	items, err = menu.Layout()
	require.NoError(t, err)
	quitFromTray(t, menu, items, "Quit", exited)
	assert.False(t, readConfig(t, dir).ProxyDisabled)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err, "the lock was released")
	require.NoError(t, st.Close(context.Background()))
	assert.Contains(t, log.String(), "proxy off")
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func serves(base string) bool {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get(base + "/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func readConfig(t *testing.T, dir string) store.Config {
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	var c store.Config
	require.NoError(t, json.Unmarshal(b, &c))
	return c
}

// The page's colours in the light scheme (frontend/src/styles.css; Xvfb's
// GTK has no dark preference): --bg, --surface, --accent, --switch-off.
var (
	pageBg    = color.RGBA{0xf5, 0xf6, 0xf8, 0xff}
	surface   = color.RGBA{0xff, 0xff, 0xff, 0xff}
	accent    = color.RGBA{0x1f, 0x5f, 0xcc, 0xff}
	switchOff = color.RGBA{0x8a, 0x93, 0xa0, 0xff}
)

// The switch's track is 2.6rem by 1.5rem, about 600 pixels of its colour
// around the thumb: a few stray pixels of the same colour (text, a focus
// ring's corner) stay well under this.
const switchPixels = 250

// lookOf says what is wrong with the Kirodesk window in img, or nil when it
// shows the rendered page: the top bar's surface colour in its corner, the
// page background in the left margin halfway down (a blank webview is
// Wails' white there, and so is a page without its stylesheet), and the
// proxy switch's track in the colour of the state the core is in.
func lookOf(img *image.RGBA, win image.Rectangle, proxyOn bool) error {
	at := func(x, y int) color.RGBA { return img.RGBAAt(win.Min.X+x, win.Min.Y+y) }
	if c := at(4, 4); c != surface {
		return fmt.Errorf("top bar corner is %v, not the surface colour %v", c, surface)
	}
	if c := at(4, win.Dy()/2); c != pageBg {
		return fmt.Errorf("left margin is %v, not the page background %v", c, pageBg)
	}
	on, off := 0, 0
	for y := win.Min.Y; y < win.Max.Y; y++ {
		for x := win.Min.X; x < win.Max.X; x++ {
			switch img.RGBAAt(x, y) {
			case accent:
				on++
			case switchOff:
				off++
			}
		}
	}
	if proxyOn && (on < switchPixels || off >= switchPixels) {
		return fmt.Errorf("no switch drawn on: %d accent and %d switch-off pixels", on, off)
	}
	if !proxyOn && off < switchPixels {
		return fmt.Errorf("no switch drawn off: %d switch-off pixels", off)
	}
	return nil
}

// waitForLook waits until the window titled Kirodesk, at its configured
// size, looks rendered (lookOf), and saves the screen to shot each time.
func waitForLook(t *testing.T, scr *xscreen, shot string, proxyOn bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := look(scr, shot, proxyOn)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the window never showed the page (proxy on: %v): %v; screen in %s", proxyOn, err, shot)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func look(scr *xscreen, shot string, proxyOn bool) error {
	img, err := scr.capture()
	if err != nil {
		return err
	}
	if err := savePNG(shot, img); err != nil {
		return err
	}
	wins, err := scr.windows()
	if err != nil {
		return err
	}
	var titles []string
	for _, w := range wins {
		// app/run.go: "Kirodesk", 960x680 (no window manager resizes it).
		if w.Title == "Kirodesk" && w.Rect.Dx() == 960 && w.Rect.Dy() == 680 {
			return lookOf(img, w.Rect, proxyOn)
		}
		titles = append(titles, fmt.Sprintf("%q %v", w.Title, w.Rect))
	}
	return fmt.Errorf("no 960x680 window titled Kirodesk among %v", titles)
}

// TestIdleMemoryWithTheWindowHidden reports what Kirodesk costs while it
// sits in the tray: the resident and proportional memory of the app, its
// WebKit helpers and the tray process together, first with the page loaded,
// then once the hidden window's web process has been dropped (app.webKeeper,
// 30 s after hiding). Showing the window (a second launch) loads the page
// again (Wails' DomReady, which the app logs).
func TestIdleMemoryWithTheWindowHidden(t *testing.T) {
	bin, w := desktopShell(t)
	dir, port := configFolder(t, nil)
	cmd := exec.Command(bin, "--hidden", "--config-dir", dir)
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir(), "NO_AT_BRIDGE=1", "KIRODESK_LOG_LEVEL=debug",
		store.EnvFeedURL+"=http://127.0.0.1:9/kirodesk-feed.json") // the update check stays on this machine
	log := &testenv.Buffer{}
	cmd.Stdout, cmd.Stderr = log, log
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("app log:\n%s", log.String())
		}
	})
	loads := func() int { return strings.Count(log.String(), "window: page loaded") }
	require.Eventually(t, func() bool { return serves(fmt.Sprintf("http://127.0.0.1:%d", port)) }, 30*time.Second, 100*time.Millisecond)
	w.MenuOf(t, 30*time.Second)
	time.Sleep(5 * time.Second) // start-up work settles

	report := func(when string) (names string) {
		var rss, pss int
		var parts []string
		for _, pid := range append([]int{cmd.Process.Pid}, children(cmd.Process.Pid)...) {
			r, p := memKB(pid)
			rss, pss = rss+r, pss+p
			comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			parts = append(parts, fmt.Sprintf("%s %d/%d", strings.TrimSpace(string(comm)), r/1024, p/1024))
		}
		require.Greater(t, len(parts), 1, "the tray process runs beside the app")
		t.Logf("idle memory, %s: RSS %d MB, PSS %d MB (RSS/PSS MB per process: %s)", when, rss/1024, pss/1024, strings.Join(parts, ", "))
		return strings.Join(parts, ", ")
	}
	require.Eventually(t, func() bool { return loads() == 1 }, 30*time.Second, 100*time.Millisecond, "the hidden window's page never loaded")
	assert.Contains(t, report("window hidden, page loaded"), "WebKitWebProces")
	webProcess := func() bool {
		for _, pid := range children(cmd.Process.Pid) {
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.HasPrefix(string(comm), "WebKitWebProces") {
				return true
			}
		}
		return false
	}
	require.Eventually(t, func() bool { return !webProcess() }, 60*time.Second, 500*time.Millisecond,
		"the hidden window's web process was not dropped")
	report("window hidden, page dropped")

	// A second launch shows the window: the page loads again.
	// (Wails ends a second instance with status 1 once it has passed on
	// its arguments.)
	out, err := exec.Command(bin, "--config-dir", dir).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		require.NoError(t, err, "second launch: %s", out)
	}
	require.Eventually(t, webProcess, 30*time.Second, 200*time.Millisecond, "no web process after showing the window")
	require.Eventually(t, func() bool { return loads() == 2 }, 30*time.Second, 100*time.Millisecond,
		"the page did not load again when the window was shown")
	report("window shown again")
}

// children lists pid's descendants. A child is listed under the thread
// that started it, so every thread's list is read.
func children(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var all []string
	for _, f := range tasks {
		if b, err := os.ReadFile(f); err == nil {
			all = append(all, strings.Fields(string(b))...)
		}
	}
	var out []int
	for _, f := range all {
		var c int
		if _, err := fmt.Sscan(f, &c); err == nil {
			out = append(out, c)
			out = append(out, children(c)...)
		}
	}
	return out
}

// memKB returns a process's VmRSS and Pss in kB.
func memKB(pid int) (rss, pss int) {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
				fmt.Sscan(v, &rss)
			}
		}
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid)); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "Pss:"); ok {
				fmt.Sscan(v, &pss)
			}
		}
	}
	return rss, pss
}

// TestLookOfTellsAPageFromABlankWindow: the checks on the screen, on
// pictures drawn here: the page's colours pass, Wails' white window and a
// page without its stylesheet do not, and the switch must be in the state
// asked for.
func TestLookOfTellsAPageFromABlankWindow(t *testing.T) {
	win := image.Rect(160, 60, 1120, 740)
	draw := func(bg, bar, track color.RGBA) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, 1280, 800))
		fill := func(r image.Rectangle, c color.RGBA) { draw.Draw(img, r, &image.Uniform{c}, image.Point{}, draw.Src) }
		fill(win, bg)
		fill(image.Rect(win.Min.X, win.Min.Y, win.Max.X, win.Min.Y+46), bar)
		fill(image.Rect(win.Min.X+40, win.Min.Y+146, win.Min.X+82, win.Min.Y+170), track)
		return img
	}
	assert.NoError(t, lookOf(draw(pageBg, surface, accent), win, true))
	assert.NoError(t, lookOf(draw(pageBg, surface, switchOff), win, false))
	assert.ErrorContains(t, lookOf(draw(pageBg, surface, switchOff), win, true), "no switch drawn on")
	assert.ErrorContains(t, lookOf(draw(pageBg, surface, accent), win, false), "no switch drawn off")
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	assert.ErrorContains(t, lookOf(draw(white, white, white), win, true), "not the page background", "a blank window")
	black := color.RGBA{0, 0, 0, 0xff}
	assert.ErrorContains(t, lookOf(draw(white, white, black), win, true), "not the page background", "no stylesheet")
	assert.ErrorContains(t, lookOf(draw(pageBg, black, accent), win, true), "not the surface colour")
}
