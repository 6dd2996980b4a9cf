package websearch

import (
	"strings"

	"kirodesk/internal/canon"
	"kirodesk/internal/relay"
)

// round is the relay.Sink of one model call inside an exchange. It passes
// the model's text and ordinary tool calls to the client, keeps the
// web search calls for the exchange to run, and holds back usage and the
// stop, which only the exchange's last round may send.
type round struct {
	ex *exchange
	// prelude is written right after the client's Start (the dedicated
	// search's call and result).
	prelude []canon.Event
	cite    *citer
	first   bool // the exchange's first model call

	started  bool
	text     strings.Builder
	searches []canon.ToolUse
	others   bool // the model called an ordinary tool too
	usage    *canon.Usage
	stopped  bool
	stop     canon.StopReason
	failed   bool // an error event went to the client
}

var _ relay.Rewinder = (*round)(nil)

func (r *round) Start(info relay.Started) error {
	r.started = true
	if r.ex.started {
		return nil // a later round: the client's response is long open
	}
	if err := r.ex.sink.Start(info); err != nil {
		return err
	}
	r.ex.started = true
	for _, ev := range r.prelude {
		if err := r.ex.sink.Event(ev); err != nil {
			return err
		}
	}
	if len(r.prelude) > 0 {
		return r.ex.sink.Flush()
	}
	return nil
}

func (r *round) Event(ev canon.Event) error {
	if ev.Kind == canon.EventText {
		r.text.WriteString(ev.Text)
		return r.send(r.cite.feed(ev.Text)...)
	}
	if err := r.send(r.cite.flush()...); err != nil {
		return err
	}
	switch ev.Kind {
	case canon.EventToolUse:
		if ev.ToolUse.Name == r.ex.name {
			r.searches = append(r.searches, *ev.ToolUse)
			return nil
		}
		r.others = true
	case canon.EventUsage:
		u := *ev.Usage
		r.usage = &u
		return nil
	case canon.EventStop:
		r.stopped, r.stop = true, ev.Stop
		return nil
	case canon.EventError:
		r.failed = true
	}
	return r.send(ev)
}

func (r *round) send(evs ...canon.Event) error {
	for _, ev := range evs {
		if err := r.ex.sink.Event(ev); err != nil {
			return err
		}
	}
	return nil
}

func (r *round) Flush() error { return r.ex.sink.Flush() }

// Rewind lets the relay try another account when an answer broke off
// before the client saw anything: only in the first round, and only if
// the client's sink can forget (a non-streaming answer).
func (r *round) Rewind() bool {
	if !r.first {
		return false // earlier rounds' events are part of the answer
	}
	rw, ok := r.ex.sink.(relay.Rewinder)
	if !ok || !rw.Rewind() {
		return false
	}
	r.ex.started = false
	*r = round{ex: r.ex, prelude: r.prelude, cite: r.cite.reset(), first: true}
	return true
}
