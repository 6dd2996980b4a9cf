package canon

import (
	"errors"
	"fmt"
	"sync"
)

// Renderer renders the pieces of an answer in one client API's stream
// format (Anthropic SSE, Chat Completions chunks, Responses events). A
// Walker calls it one piece at a time, in order, with the Walker's lock
// held, and never after the end: the lifecycle (start before the first
// piece, one end, the sticky write error, usage kept until the stop) is
// the Walker's, so a renderer only says what each piece looks like on its
// wire and keeps the state of its own format (open blocks, indexes).
//
// A new kind of block is one case in Walker.Write and one method here,
// which every format implements (a format without a shape for it returns
// nil).
type Renderer interface {
	// Begin writes what opens the stream; it runs once, before any piece.
	Begin() error
	// Ping writes a keep-alive into a started stream.
	Ping() error
	// Text is a non-empty text delta.
	Text(text string) error
	// Thinking is a reasoning delta; text is empty when only the
	// signature comes.
	Thinking(text, signature string) error
	ToolUse(tu *ToolUse) error
	ServerToolUse(su *ServerToolUse) error
	ServerToolResult(sr *ServerToolResult) error
	Citation(c *Citation) error
	// End writes the normal end. usage is the last EventUsage, nil if
	// none came; sawTool says whether a tool call was rendered, for
	// formats that derive a missing stop reason from it.
	End(reason StopReason, usage *Usage, sawTool bool) error
	// Fail writes the end after a failure, with the error type and
	// message already defaulted; it may come before Begin.
	Fail(errType, message string) error
	// Broken returns the first error writing to the client, which ends
	// the stream for good, or nil.
	Broken() error
}

// Walker writes a sequence of Events through a Renderer: it owns the
// skeleton every stream format shares. Its methods are safe for
// concurrent use.
type Walker struct {
	mu      sync.Mutex
	r       Renderer
	format  string // prefixes its own errors: "anthropic", "openai"
	ended   error  // returned after the end
	started bool
	done    bool
	sawTool bool
	hasUse  bool
	usage   Usage
}

// NewWalker returns a Walker over r. format names the API in errors;
// ended is the error every call returns once the stream has ended.
func NewWalker(format string, ended error, r Renderer) *Walker {
	w := &Walker{}
	w.Init(format, ended, r)
	return w
}

// Init sets up a zero Walker as NewWalker does, for a writer that holds
// its Walker and Renderer in one value (one allocation per stream).
func (w *Walker) Init(format string, ended error, r Renderer) {
	w.r, w.format, w.ended = r, format, ended
}

// Start writes the opening if it has not been written yet. The server
// calls it once the upstream has answered, so that a failing account can
// still be swapped before the client has seen a byte; Write calls it
// implicitly.
func (w *Walker) Start() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.check(); err != nil {
		return err
	}
	return w.begin()
}

// Ping writes a keep-alive, which keeps idle connections and proxies from
// timing out during long silences. Before Start it writes nothing, so as
// not to commit the response before the upstream has answered.
func (w *Walker) Ping() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.check(); err != nil {
		return err
	}
	if !w.started {
		return nil
	}
	return w.r.Ping()
}

// Write renders one event. After EventStop or EventError the stream is
// over and Write returns the ended error. An EventError before Start
// writes only the format's error ending.
func (w *Walker) Write(ev Event) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.check(); err != nil {
		return err
	}
	if ev.Kind == EventError {
		w.done = true
		errType, msg := "api_error", "the response failed"
		if e := ev.Err; e != nil {
			if e.Type != "" {
				errType = e.Type
			}
			if e.Message != "" {
				msg = e.Message
			}
		}
		return w.r.Fail(errType, msg)
	}
	if err := w.begin(); err != nil {
		return err
	}
	switch ev.Kind {
	case EventText:
		if ev.Text == "" {
			return nil
		}
		return w.r.Text(ev.Text)
	case EventThinking:
		if ev.Text == "" && ev.Signature == "" {
			return nil
		}
		return w.r.Thinking(ev.Text, ev.Signature)
	case EventToolUse:
		if ev.ToolUse == nil {
			return w.missing("EventToolUse", "ToolUse")
		}
		if err := w.r.ToolUse(ev.ToolUse); err != nil {
			return err
		}
		w.sawTool = true
		return nil
	case EventServerToolUse:
		if ev.ServerToolUse == nil {
			return w.missing("EventServerToolUse", "ServerToolUse")
		}
		return w.r.ServerToolUse(ev.ServerToolUse)
	case EventServerToolResult:
		if ev.ServerToolResult == nil {
			return w.missing("EventServerToolResult", "ServerToolResult")
		}
		return w.r.ServerToolResult(ev.ServerToolResult)
	case EventCitation:
		if ev.Citation == nil {
			return w.missing("EventCitation", "Citation")
		}
		return w.r.Citation(ev.Citation)
	case EventUsage:
		if ev.Usage == nil {
			return w.missing("EventUsage", "Usage")
		}
		w.usage, w.hasUse = *ev.Usage, true
		return nil
	case EventStop:
		w.done = true
		var u *Usage
		if w.hasUse {
			u = &w.usage
		}
		return w.r.End(ev.Stop, u, w.sawTool)
	default:
		return fmt.Errorf("%s: unknown event kind %d", w.format, ev.Kind)
	}
}

func (w *Walker) check() error {
	if err := w.r.Broken(); err != nil {
		return err
	}
	if w.done {
		return w.ended
	}
	return nil
}

func (w *Walker) begin() error {
	if w.started {
		return nil
	}
	w.started = true
	return w.r.Begin()
}

func (w *Walker) missing(kind, field string) error {
	return errors.New(w.format + ": " + kind + " without " + field)
}
