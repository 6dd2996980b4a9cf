package app

import (
	"context"
	"errors"
	"sync"
	"time"
)

// loginGrace is how long quitting waits for the sign-ins it cancelled to
// end (a device poll in flight, a loopback server closing) before the core
// closes under them.
const loginGrace = 5 * time.Second

// errQuitting ends the sign-ins still running when the app quits.
var errQuitting = errors.New("Kirodesk is quitting")

// flows are the sign-ins in progress. Every one runs under ctx, which
// Shutdown cancels: no OAuth callback server or device-code poll outlives
// the app.
type flows struct {
	mu      sync.Mutex
	m       map[string]LoginFlow // by flow id
	ctx     context.Context
	stop    context.CancelCauseFunc
	closed  bool           // Shutdown began: no new sign-in is followed
	running sync.WaitGroup // the goroutines waiting on flows
}

func (fl *flows) initLocked() {
	if fl.ctx == nil {
		fl.ctx, fl.stop = context.WithCancelCause(context.Background())
		fl.m = map[string]LoginFlow{}
	}
}

// context is the sign-ins' context; it ends when the app quits.
func (fl *flows) context() context.Context {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	fl.initLocked()
	return fl.ctx
}

// stopAll cancels every sign-in and waits up to grace for them to end. It
// reports whether they all did.
func (fl *flows) stopAll(grace time.Duration) bool {
	fl.mu.Lock()
	fl.initLocked()
	fl.closed = true
	fl.stop(errQuitting)
	fl.mu.Unlock()
	done := make(chan struct{})
	go func() {
		fl.running.Wait()
		close(done)
	}()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// follow keeps the flow under a fresh id and waits for it in the
// background, telling the window how it ended.
func (a *App) follow(f LoginFlow) (string, error) {
	id := newID()
	a.flows.mu.Lock()
	a.flows.initLocked()
	if a.flows.closed {
		a.flows.mu.Unlock()
		f.Cancel()
		return "", errQuitting
	}
	a.flows.m[id] = f
	ctx := a.flows.ctx
	a.flows.running.Add(1)
	a.flows.mu.Unlock()
	go func() {
		defer a.flows.running.Done()
		acc, err := f.Wait(ctx)
		a.flows.mu.Lock()
		delete(a.flows.m, id)
		a.flows.mu.Unlock()
		ev := LoginEvent{FlowID: id, OK: err == nil, Label: acc.Label}
		if err != nil {
			ev.Error = err.Error()
			ev.Cancels = errors.Is(err, context.Canceled)
		}
		a.emit(EventLogin, ev)
		a.emitAccounts()
	}()
	return id, nil
}

func (a *App) flow(id string) LoginFlow {
	a.flows.mu.Lock()
	defer a.flows.mu.Unlock()
	return a.flows.m[id]
}
