package canon

import "encoding/json"

// EventKind names what an Event carries. A response is a sequence of events
// ending in exactly one EventStop or EventError; the Kiro response decoder
// produces it and each client API's writer (Anthropic SSE, OpenAI chunks,
// non-streaming aggregators) consumes it.
type EventKind int

const (
	EventText     EventKind = iota + 1 // Text: a text delta
	EventThinking                      // Text: a reasoning delta; Signature may be set on the last one
	EventToolUse                       // ToolUse: a complete call (Kiro's fragments already joined and checked)
	EventUsage                         // Usage: token counts so far (the last one wins)
	EventStop                          // Stop: the response ended normally
	EventError                         // Err: the response failed after it started
)

// StopReason says why a response ended, in Anthropic's words; the OpenAI
// writers map them (end_turn -> stop, max_tokens -> length, tool_use -> tool_calls).
type StopReason string

const (
	StopEndTurn   StopReason = "end_turn"
	StopMaxTokens StopReason = "max_tokens"
	StopToolUse   StopReason = "tool_use"
)

// Event is one step of a response.
type Event struct {
	Kind      EventKind
	Text      string
	Signature string
	ToolUse   *ToolUse
	Usage     *Usage
	Stop      StopReason
	Err       *StreamError
}

// Usage is what a response cost. Input counts follow Anthropic's split:
// InputTokens excludes the cached parts.
type Usage struct {
	InputTokens              int
	OutputTokens             int
	CacheCreationInputTokens int
	CacheReadInputTokens     int
	Credits                  float64 // Kiro's metering for this turn
	Estimated                bool    // counted locally, not reported by Kiro
}

// StreamError is a failure after the response started (the client may
// already have received events). Kind uses the Anthropic error type names.
type StreamError struct {
	Type    string // overloaded_error, api_error, invalid_request_error, ...
	Message string
}

func (e *StreamError) Error() string { return e.Type + ": " + e.Message }

// Response is a whole non-streaming answer, aggregated from events.
type Response struct {
	ID      string
	Model   string
	Content []Block // text, thinking and tool_use blocks in order
	Stop    StopReason
	Usage   Usage
}

// Append folds one event into r; errors are returned, not stored.
func (r *Response) Append(ev Event) error {
	switch ev.Kind {
	case EventText:
		if n := len(r.Content); n > 0 && r.Content[n-1].Type == BlockText {
			r.Content[n-1].Text += ev.Text
		} else {
			r.Content = append(r.Content, Block{Type: BlockText, Text: ev.Text})
		}
	case EventThinking:
		if n := len(r.Content); n > 0 && r.Content[n-1].Type == BlockThinking {
			r.Content[n-1].Thinking.Text += ev.Text
			if ev.Signature != "" {
				r.Content[n-1].Thinking.Signature = ev.Signature
			}
		} else {
			r.Content = append(r.Content, Block{Type: BlockThinking, Thinking: &ThinkingBlock{Text: ev.Text, Signature: ev.Signature}})
		}
	case EventToolUse:
		tu := *ev.ToolUse
		tu.Input = append(json.RawMessage(nil), tu.Input...)
		r.Content = append(r.Content, Block{Type: BlockToolUse, ToolUse: &tu})
	case EventUsage:
		r.Usage = *ev.Usage
	case EventStop:
		r.Stop = ev.Stop
	case EventError:
		return ev.Err
	}
	return nil
}
