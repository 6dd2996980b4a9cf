package anthropic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"kirodesk/internal/canon"
)

// MessageStart is what the message_start event says before any content.
type MessageStart struct {
	ID    string
	Model string
	// InputTokens is the estimate reported in message_start; the final
	// figure comes with message_delta.
	InputTokens int
}

// ErrStreamEnded is returned by Write and Ping after message_stop or an
// error event: Anthropic streams end there, and anything after would be
// misread by clients.
var ErrStreamEnded = errors.New("anthropic: write after the end of the stream")

type blockKind int

const (
	blockNone blockKind = iota
	blockText
	blockThinking
)

// SSEWriter writes a canon.Event sequence as an Anthropic Messages stream:
//
//	message_start
//	(content_block_start content_block_delta* content_block_stop)*
//	message_delta message_stop         -- on EventStop
//	event: error                       -- on EventError, instead
//
// Consecutive text (or thinking) events share one block; a change of kind
// opens a new block with the next index, so text after a tool call is a new
// text block. A tool call is a whole block at once: its content_block_start
// carries input {} and a single input_json_delta carries the whole input.
// ping may be interleaved at any point before the end.
//
// Every event is flushed as soon as it is written. Methods are safe for
// concurrent use; the first write error is sticky and returned by every
// later call.
type SSEWriter struct {
	mu    sync.Mutex
	w     io.Writer
	flush func()
	msg   MessageStart

	started   bool
	ended     bool
	err       error
	open      blockKind // the open text or thinking block; tool blocks never stay open
	index     int       // index of the open block, or of the next block if none is open
	sawTool   bool
	citations int
	usage     *canon.Usage
	buf       bytes.Buffer
	dataBuf   bytes.Buffer
	dataJSON  *json.Encoder
}

// NewSSEWriter returns a writer that sends events to w and calls flush (if
// not nil) after each one.
func NewSSEWriter(w io.Writer, flush func(), msg MessageStart) *SSEWriter {
	s := &SSEWriter{w: w, flush: flush, msg: msg}
	s.dataJSON = json.NewEncoder(&s.dataBuf)
	// Anthropic does not escape <, > and & in its JSON; neither do we.
	s.dataJSON.SetEscapeHTML(false)
	return s
}

// Start writes message_start if it has not been written yet. The server calls
// it once the upstream has answered 200, so that a failing account can still
// be swapped before the client has seen a byte; Write calls it implicitly.
func (s *SSEWriter) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	return s.start()
}

// Ping writes a ping event, which keeps idle connections and proxies from
// timing out during long silences. Before the stream has started it writes
// nothing: Anthropic streams open with message_start, and writing anything
// earlier would commit the response before the upstream has answered.
func (s *SSEWriter) Ping() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	if !s.started {
		return nil
	}
	return s.event("ping", pingEvent{Type: "ping"})
}

// Write emits the SSE events for one canon event. After EventStop or
// EventError the stream is over and Write returns ErrStreamEnded. An
// EventError before anything was started writes only the error event.
func (s *SSEWriter) Write(ev canon.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	if ev.Kind == canon.EventError {
		return s.fail(ev.Err)
	}
	if err := s.start(); err != nil {
		return err
	}
	switch ev.Kind {
	case canon.EventText:
		if ev.Text == "" {
			return nil
		}
		if err := s.openBlock(blockText); err != nil {
			return err
		}
		return s.event("content_block_delta", blockDeltaEvent{Type: "content_block_delta", Index: s.index, Delta: textDelta{Type: "text_delta", Text: ev.Text}})
	case canon.EventThinking:
		if ev.Text == "" && ev.Signature == "" {
			return nil
		}
		if err := s.openBlock(blockThinking); err != nil {
			return err
		}
		if ev.Text != "" {
			if err := s.event("content_block_delta", blockDeltaEvent{Type: "content_block_delta", Index: s.index, Delta: thinkingDelta{Type: "thinking_delta", Thinking: ev.Text}}); err != nil {
				return err
			}
		}
		if ev.Signature != "" {
			return s.event("content_block_delta", blockDeltaEvent{Type: "content_block_delta", Index: s.index, Delta: signatureDelta{Type: "signature_delta", Signature: ev.Signature}})
		}
		return nil
	case canon.EventToolUse:
		return s.toolUse(ev.ToolUse)
	case canon.EventServerToolUse, canon.EventServerToolResult:
		return s.serverToolEvent(ev)
	case canon.EventCitation:
		return s.citation(ev.Citation)
	case canon.EventUsage:
		if ev.Usage == nil {
			return errors.New("anthropic: EventUsage without Usage")
		}
		u := *ev.Usage
		s.usage = &u
		return nil
	case canon.EventStop:
		return s.stop(ev.Stop)
	default:
		return fmt.Errorf("anthropic: unknown event kind %d", ev.Kind)
	}
}

func (s *SSEWriter) check() error {
	if s.err != nil {
		return s.err
	}
	if s.ended {
		return ErrStreamEnded
	}
	return nil
}

func (s *SSEWriter) start() error {
	if s.started {
		return nil
	}
	s.started = true
	return s.event("message_start", messageStartEvent{
		Type: "message_start",
		Message: messageJSON{
			ID:      s.msg.ID,
			Type:    "message",
			Role:    "assistant",
			Model:   s.msg.Model,
			Content: []any{},
			Usage:   usageJSON{InputTokens: s.msg.InputTokens},
		},
	})
}

// openBlock makes sure a block of kind k is the open one, closing any other.
func (s *SSEWriter) openBlock(k blockKind) error {
	if s.open == k {
		return nil
	}
	if err := s.closeBlock(); err != nil {
		return err
	}
	var cb any
	if k == blockText {
		cb = textBlockJSON{Type: "text", Text: ""}
	} else {
		cb = thinkingBlockJSON{Type: "thinking", Thinking: "", Signature: ""}
	}
	s.open = k
	return s.event("content_block_start", blockStartEvent{Type: "content_block_start", Index: s.index, ContentBlock: cb})
}

func (s *SSEWriter) closeBlock() error {
	if s.open == blockNone {
		return nil
	}
	s.open = blockNone
	idx := s.index
	s.index++
	return s.event("content_block_stop", blockStopEvent{Type: "content_block_stop", Index: idx})
}

func (s *SSEWriter) toolUse(tu *canon.ToolUse) error {
	if tu == nil {
		return errors.New("anthropic: EventToolUse without ToolUse")
	}
	input, err := toolInput(tu.Input)
	if err != nil {
		return fmt.Errorf("anthropic: tool_use %s: %w", tu.ID, err)
	}
	if err := s.closeBlock(); err != nil {
		return err
	}
	s.sawTool = true
	idx := s.index
	s.index++
	if err := s.event("content_block_start", blockStartEvent{Type: "content_block_start", Index: idx, ContentBlock: toolUseBlockJSON{Type: "tool_use", ID: tu.ID, Name: tu.Name, Input: json.RawMessage("{}")}}); err != nil {
		return err
	}
	if err := s.event("content_block_delta", blockDeltaEvent{Type: "content_block_delta", Index: idx, Delta: inputJSONDelta{Type: "input_json_delta", PartialJSON: string(input)}}); err != nil {
		return err
	}
	return s.event("content_block_stop", blockStopEvent{Type: "content_block_stop", Index: idx})
}

func (s *SSEWriter) stop(reason canon.StopReason) error {
	if err := s.closeBlock(); err != nil {
		return err
	}
	s.ended = true
	if reason == "" {
		reason = defaultStop(s.sawTool)
	}
	u := canon.Usage{InputTokens: s.msg.InputTokens}
	if s.usage != nil {
		u = *s.usage
	}
	if err := s.event("message_delta", messageDeltaEvent{
		Type:  "message_delta",
		Delta: messageDelta{StopReason: string(reason)},
		Usage: usageOf(u),
	}); err != nil {
		return err
	}
	return s.event("message_stop", messageStopEvent{Type: "message_stop"})
}

func (s *SSEWriter) fail(e *canon.StreamError) error {
	errType, msg := "api_error", "the response failed"
	if e != nil {
		if e.Type != "" {
			errType = e.Type
		}
		if e.Message != "" {
			msg = e.Message
		}
	}
	if err := s.closeBlock(); err != nil {
		return err
	}
	s.ended = true
	return s.event("error", errorJSON{Type: "error", Error: errorBodyJSON{Type: errType, Message: msg}})
}

// event writes one SSE event and flushes it.
func (s *SSEWriter) event(name string, data any) error {
	s.dataBuf.Reset()
	if err := s.dataJSON.Encode(data); err != nil {
		return fmt.Errorf("anthropic: encoding %s: %w", name, err)
	}
	s.buf.Reset()
	s.buf.WriteString("event: ")
	s.buf.WriteString(name)
	s.buf.WriteString("\ndata: ")
	s.buf.Write(bytes.TrimSuffix(s.dataBuf.Bytes(), []byte{'\n'}))
	s.buf.WriteString("\n\n")
	if _, err := s.w.Write(s.buf.Bytes()); err != nil {
		s.err = err
		return err
	}
	if s.flush != nil {
		s.flush()
	}
	return nil
}

// defaultStop is the stop reason when the decoder gave none.
func defaultStop(sawTool bool) canon.StopReason {
	if sawTool {
		return canon.StopToolUse
	}
	return canon.StopEndTurn
}

// toolInput returns a tool call's input as compact JSON, {} when empty.
func toolInput(in json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(in)) == 0 {
		return json.RawMessage("{}"), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, in); err != nil {
		return nil, fmt.Errorf("input is not valid JSON: %w", err)
	}
	if buf.Bytes()[0] != '{' {
		return nil, errors.New("input is not a JSON object")
	}
	return buf.Bytes(), nil
}

func usageOf(u canon.Usage) usageJSON {
	out := usageJSON{
		InputTokens:              u.InputTokens,
		CacheCreationInputTokens: u.CacheCreationInputTokens,
		CacheReadInputTokens:     u.CacheReadInputTokens,
		OutputTokens:             u.OutputTokens,
	}
	if u.WebSearchRequests > 0 {
		out.ServerToolUse = &serverToolUsageJSON{WebSearchRequests: u.WebSearchRequests}
	}
	return out
}
