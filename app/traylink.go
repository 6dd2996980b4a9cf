package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"time"
	"unicode/utf8"

	"kirodesk/app/trayproto"
	"kirodesk/internal/launcher"
)

// Supervision timings (TrayOptions' unexported fields override them in tests).
const (
	trayMinBackoff  = time.Second      // first restart delay
	trayMaxBackoff  = 30 * time.Second // the delay doubles up to this
	trayStableAfter = time.Minute      // a run this long resets the delay
	trayKillAfter   = 3 * time.Second  // grace between closing stdin and killing
	trayWaitDelay   = 2 * time.Second  // see exec.Cmd.WaitDelay
	trayMaxError    = 4 << 10          // bytes of State.Error sent; the menu shows 80 runes
)

// TrayOptions configures StartTray.
type TrayOptions struct {
	// Path is the kirodesk-tray executable (see TrayPath).
	Path string
	Args []string
	// Logger receives the link's own records and every line the tray
	// writes to its standard error. Nil discards them.
	Logger *slog.Logger
	// OnClick is called with the trayproto.Item* of each menu click, on the
	// link's reader goroutine, one call at a time. It should hand slow work
	// (starting the proxy, quitting) to another goroutine: while it runs,
	// further clicks wait, and it must not call Close, which waits for this
	// goroutine. An item this build does not know is passed on too.
	OnClick func(item string)
	// OnReady is called each time a tray process has built its menu.
	OnReady func()

	// Tests shorten these; zero means the production value.
	minBackoff, maxBackoff, stableAfter, killAfter time.Duration
}

// TrayLink runs the tray process (app/tray) and keeps it running: it
// restarts a tray that died, with a growing delay, and sends it the newest
// State each time. The tray keeps no state, so a restart loses nothing.
//
// Send and Close may be called from any goroutine. The link owns one
// goroutine (supervise) while it runs, plus a reader and a writer per tray
// process; all of them have ended when Close returns.
type TrayLink struct {
	opts TrayOptions
	log  *slog.Logger

	mu      sync.Mutex
	state   trayproto.State
	version uint64        // of state; 0 = nothing to send yet
	changed chan struct{} // capacity 1: "state has a new version"

	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

// StartTray starts the tray process and supervises it until ctx is
// cancelled or Close is called. It does not wait for the tray: a tray that
// cannot start is logged and retried like one that died.
func StartTray(ctx context.Context, opts TrayOptions) *TrayLink {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.OnClick == nil {
		opts.OnClick = func(string) {}
	}
	if opts.OnReady == nil {
		opts.OnReady = func() {}
	}
	setDefault := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	setDefault(&opts.minBackoff, trayMinBackoff)
	setDefault(&opts.maxBackoff, trayMaxBackoff)
	setDefault(&opts.stableAfter, trayStableAfter)
	setDefault(&opts.killAfter, trayKillAfter)

	l := &TrayLink{
		opts:    opts,
		log:     opts.Logger.With("component", "tray"),
		changed: make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go l.supervise(ctx)
	return l
}

// Send makes s what the tray shows, now and after any restart. It never
// blocks: if the tray is busy or restarting, only the newest state is sent.
func (l *TrayLink) Send(s trayproto.State) {
	s.Error = clipUTF8(s.Error, trayMaxError)
	l.mu.Lock()
	l.state = s
	l.version++
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// Close stops the tray for good and waits until it has gone: it closes the
// tray's standard input, so the tray quits on its own, and kills it if it
// has not after a few seconds. Calling Close again, or after ctx was
// cancelled, only waits.
func (l *TrayLink) Close() {
	l.stopOnce.Do(func() { close(l.stop) })
	<-l.done
}

func (l *TrayLink) supervise(ctx context.Context) {
	defer close(l.done)
	backoff := time.Duration(0)
	for !l.stopping(ctx) {
		started := time.Now()
		err := l.runOnce(ctx)
		if l.stopping(ctx) {
			return
		}
		backoff = nextTrayBackoff(backoff, time.Since(started), l.opts.minBackoff, l.opts.maxBackoff, l.opts.stableAfter)
		l.log.Warn("tray process ended; restarting it", "err", err, "in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		case <-l.stop:
			t.Stop()
			return
		}
	}
}

// nextTrayBackoff is the delay before the next start: min after the first
// failure or after a run that lasted stableAfter, else twice the last delay,
// at most max.
func nextTrayBackoff(last, uptime, minD, maxD, stableAfter time.Duration) time.Duration {
	if last <= 0 || uptime >= stableAfter {
		return minD
	}
	return min(last*2, maxD)
}

func (l *TrayLink) stopping(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	case <-l.stop:
		return true
	default:
		return false
	}
}

// runOnce starts one tray process and returns when it has exited: on its
// own (the error says how), or because the link is stopping.
func (l *TrayLink) runOnce(ctx context.Context) error {
	stderr := &lineLogger{log: l.log}
	defer stderr.flush()
	cmd := exec.Command(l.opts.Path, l.opts.Args...)
	cmd.Stderr = stderr
	// A process the tray started could keep the stderr pipe open after the
	// tray is gone; do not wait for it longer than this.
	cmd.WaitDelay = trayWaitDelay
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	l.log.Debug("tray started", "pid", cmd.Process.Pid)

	exited := make(chan error, 1)
	go func() {
		// Wait only after the last read: Wait closes stdout.
		l.readClicks(stdout)
		exited <- cmd.Wait()
	}()
	quitWriter := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		l.writeStates(stdin, quitWriter)
	}()
	defer func() {
		close(quitWriter)
		<-writerDone
	}()

	select {
	case err := <-exited:
		if err == nil {
			err = errors.New("exited with status 0 while its input was open")
		}
		return err
	case <-ctx.Done():
	case <-l.stop:
	}

	// The end of its input tells the tray the app is going; it quits on
	// its own. Closing also ends a Write the tray is not reading.
	_ = stdin.Close()
	t := time.NewTimer(l.opts.killAfter)
	defer t.Stop()
	select {
	case err = <-exited:
	case <-t.C:
		l.log.Warn("tray did not exit after its input closed; killing it", "pid", cmd.Process.Pid)
		_ = cmd.Process.Kill()
		err = <-exited
	}
	l.log.Debug("tray stopped", "err", err)
	return err
}

// writeStates sends the newest state to one tray process: at once if there
// is one (a restarted tray gets the last state), then on every change.
func (l *TrayLink) writeStates(w io.Writer, quit <-chan struct{}) {
	var sent uint64
	for {
		l.mu.Lock()
		s, v := l.state, l.version
		l.mu.Unlock()
		if v != sent {
			sent = v
			b, err := trayproto.Marshal(s)
			if err != nil {
				l.log.Error("cannot encode the tray state", "err", err)
			} else if _, err := w.Write(b); err != nil {
				// The tray is gone or going; runOnce learns it from Wait.
				return
			}
		}
		select {
		case <-l.changed:
		case <-quit:
			return
		}
	}
}

// readClicks hands each click to OnClick until the tray's output ends.
func (l *TrayLink) readClicks(r io.Reader) {
	pr := trayproto.NewReader(r)
	for {
		m, err := pr.Next()
		var lineErr *trayproto.LineError
		switch {
		case errors.As(err, &lineErr):
			l.log.Warn("ignoring a line from the tray", "err", err)
			continue
		case errors.Is(err, io.EOF), errors.Is(err, os.ErrClosed):
			return
		case err != nil:
			l.log.Warn("reading from the tray", "err", err)
			return
		}
		switch m := m.(type) {
		case trayproto.Ready:
			l.log.Debug("tray ready")
			l.opts.OnReady()
		case trayproto.Click:
			l.opts.OnClick(m.Item)
		}
	}
}

// lineLogger logs each line written to it: the tray's standard error.
type lineLogger struct {
	log *slog.Logger
	mu  sync.Mutex
	buf []byte
}

// maxStderrLine bounds one logged line (and the buffer of a line without end).
const maxStderrLine = 4 << 10

func (w *lineLogger) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.emit(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) >= maxStderrLine {
		w.emit(w.buf)
		w.buf = nil
	}
	if len(w.buf) == 0 {
		w.buf = nil // let a long burst's backing array go
	}
	return len(p), nil
}

func (w *lineLogger) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.emit(w.buf)
	w.buf = nil
}

func (w *lineLogger) emit(line []byte) {
	line = bytes.TrimRight(line, "\r")
	if len(line) > maxStderrLine {
		line = line[:maxStderrLine]
	}
	if len(bytes.TrimSpace(line)) > 0 {
		w.log.Warn("tray stderr", "line", string(line))
	}
}

// TrayPath returns the tray executable installed next to this program:
// kirodesk-tray, or kirodesk-tray.exe on Windows. Symbolic links to the
// program are followed first, so a link in a bin folder finds the real
// install folder.
func TrayPath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("locating the tray executable: %w", err)
	}
	return trayPathNextTo(exe, runtime.GOOS)
}

func trayPathNextTo(exe, goos string) (string, error) {
	p, err := launcher.NextTo(exe, "kirodesk-tray", goos)
	if err != nil {
		return "", fmt.Errorf("locating the tray executable: %w", err)
	}
	return p, nil
}

// clipUTF8 cuts s to at most n bytes without splitting a character.
func clipUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
