package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/app/trayproto"
	"kirodesk/internal/locale"
)

// loopRun is the tray loop run without a GUI, on pipes: the app's ends of
// them and the menu it drives, which records every call.
type loopRun struct {
	m    *recMenu
	inW  *io.PipeWriter
	app  *trayproto.Writer
	from *trayproto.Reader
	done chan struct{}
}

// startLoop runs the tray loop on a system in the language system.
func startLoop(t *testing.T, system locale.Lang) *loopRun {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	l := &loopRun{m: &recMenu{clicks: make(chan string), quit: make(chan struct{})}, inW: inW,
		app: trayproto.NewWriter(inW), from: trayproto.NewReader(outR), done: make(chan struct{})}
	tr := &tray{
		in:  inR,
		out: trayproto.NewWriter(outW),
		log: slog.New(slog.DiscardHandler),
		newMenu: func(_ context.Context, v View) menu {
			build(l.m, v)
			return l.m
		},
		system: system,
	}
	go func() { tr.run(context.Background()); close(l.done) }()
	return l
}

// next is the loop's next message to the app.
func (l *loopRun) next(t *testing.T) trayproto.Message {
	t.Helper()
	msg, err := l.from.Next()
	require.NoError(t, err)
	return msg
}

// sync waits until the loop has applied every state written before.
// The reader hands a state over unbuffered, so the pipe takes the next
// line only once the loop holds the state; the loop takes the click
// only once it has applied it; the click's line then proves both.
func (l *loopRun) sync(t *testing.T) {
	t.Helper()
	_, err := io.WriteString(l.inW, `{"type":"sync"}`+"\n")
	require.NoError(t, err)
	l.m.clicks <- trayproto.ItemOpen
	assert.Equal(t, trayproto.Click{Item: trayproto.ItemOpen}, l.next(t))
}

// apply writes s as the app would, waits until the loop has applied it and
// returns the menu calls that caused.
func (l *loopRun) apply(t *testing.T, s trayproto.State) []string {
	t.Helper()
	require.NoError(t, l.app.Write(s))
	l.sync(t)
	return l.m.take()
}

// waitDone waits for the loop's run to return.
func (l *loopRun) waitDone(t *testing.T) {
	t.Helper()
	select {
	case <-l.done:
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return")
	}
}
