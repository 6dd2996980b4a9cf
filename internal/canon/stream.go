package canon

import (
	"encoding/json"
	"unicode/utf8"
)

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
	// EventServerToolUse: ServerToolUse, a call the server runs itself
	// (web search); the relay emits it, never the Kiro decoder.
	EventServerToolUse
	// EventServerToolResult: ServerToolResult, the answer to the last
	// server tool call (results, or an error code).
	EventServerToolResult
	// EventCitation: Citation, a source the text written since the last
	// citation quotes; it belongs to the current text block.
	EventCitation
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

	ServerToolUse    *ServerToolUse
	ServerToolResult *ServerToolResult
	Citation         *Citation
}

// ServerToolUse is a server tool call as the client sees it (Anthropic's
// server_tool_use block, a Responses web_search_call item).
type ServerToolUse struct {
	ID    string // srvtoolu_...
	Name  string // web_search
	Query string // input {"query"}
}

// ServerToolResult answers a ServerToolUse: Results, or ErrorCode when the
// search failed (Anthropic's codes: unavailable, max_uses_exceeded, ...).
type ServerToolResult struct {
	ToolUseID string
	Results   []SearchResult
	ErrorCode string
}

// SearchResult is one web search hit.
type SearchResult struct {
	Title   string
	URL     string
	Snippet string // sent to Anthropic clients as encrypted_content (opaque to them)
	PageAge string // e.g. "January 1, 2025"; empty if unknown
}

// Citation says which search result a piece of text quotes.
type Citation struct {
	URL       string
	Title     string
	CitedText string
	// End is, in a Response, where the citing text ends in its block, in
	// runes (Append sets it; writers that stream count for themselves).
	End int `json:",omitempty"`
}

// Usage is what a response cost. Input counts follow Anthropic's split:
// InputTokens excludes the cached parts.
type Usage struct {
	InputTokens              int
	OutputTokens             int
	CacheCreationInputTokens int
	CacheReadInputTokens     int
	WebSearchRequests        int     // server-run web searches in this response
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

// ErrContextTooLong is the StreamError Type of a conversation too long for
// the model, refused after the response started (a later model call of a
// server tool loop): Anthropic clients get it as an invalid_request_error,
// OpenAI clients with the code context_length_exceeded, so that their
// compaction starts as it does for the same refusal before the answer.
const ErrContextTooLong = "context_length_exceeded"

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
	case EventServerToolUse:
		su := *ev.ServerToolUse
		r.Content = append(r.Content, Block{Type: BlockServerToolUse, ServerToolUse: &su})
	case EventServerToolResult:
		sr := *ev.ServerToolResult
		r.Content = append(r.Content, Block{Type: BlockServerToolResult, ServerToolResult: &sr})
	case EventCitation:
		if n := len(r.Content); n > 0 && r.Content[n-1].Type == BlockText {
			c := *ev.Citation
			c.End = utf8.RuneCountInString(r.Content[n-1].Text)
			r.Content[n-1].Citations = append(r.Content[n-1].Citations, c)
		}
	case EventUsage:
		r.Usage = *ev.Usage
	case EventStop:
		r.Stop = ev.Stop
	case EventError:
		return ev.Err
	}
	return nil
}
