package anthropic

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/wire"
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
// Every event is flushed as soon as it is written. Being a wire.Stream
// (a canon.Walker over this format's renderer) gives it Start, Ping and
// Write: safe for concurrent use, the first write error sticky and returned
// by every later call.
type SSEWriter = wire.Stream[sseRenderer, *sseRenderer]

// NewSSEWriter returns a writer that sends events to w and calls flush (if
// not nil) after each one.
func NewSSEWriter(w io.Writer, flush func(), msg MessageStart) *SSEWriter {
	return wire.NewStream(sseRenderer{msg: msg}, w, flush, "anthropic", ErrStreamEnded)
}

// sseRenderer is the canon.Renderer of Anthropic's stream.
type sseRenderer struct {
	wire.SSE  // what it writes through; its Broken is the Renderer's
	msg       MessageStart
	open      blockKind // the open text or thinking block; tool blocks never stay open
	index     int       // index of the open block, or of the next block if none is open
	citations int
}

func (s *sseRenderer) Ping() error { return s.Event("ping", pingEvent{Type: "ping"}) }

func (s *sseRenderer) Begin() error {
	return s.Event("message_start", messageStartEvent{
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

func (s *sseRenderer) Text(text string) error {
	if err := s.openBlock(blockText); err != nil {
		return err
	}
	return s.delta(s.index, textDelta{Type: "text_delta", Text: text})
}

func (s *sseRenderer) Thinking(text, signature string) error {
	if err := s.openBlock(blockThinking); err != nil {
		return err
	}
	if text != "" {
		if err := s.delta(s.index, thinkingDelta{Type: "thinking_delta", Thinking: text}); err != nil {
			return err
		}
	}
	if signature != "" {
		return s.delta(s.index, signatureDelta{Type: "signature_delta", Signature: signature})
	}
	return nil
}

// openBlock makes sure a block of kind k is the open one, closing any other.
func (s *sseRenderer) openBlock(k blockKind) error {
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
	return s.Event("content_block_start", blockStartEvent{Type: "content_block_start", Index: s.index, ContentBlock: cb})
}

func (s *sseRenderer) closeBlock() error {
	if s.open == blockNone {
		return nil
	}
	s.open = blockNone
	idx := s.index
	s.index++
	return s.Event("content_block_stop", blockStopEvent{Type: "content_block_stop", Index: idx})
}

func (s *sseRenderer) ToolUse(tu *canon.ToolUse) error {
	input, err := wire.ToolInput(tu.Input)
	if err != nil {
		return fmt.Errorf("anthropic: tool_use %s: %w", tu.ID, err)
	}
	return s.wholeBlock(toolUseBlockJSON{Type: "tool_use", ID: tu.ID, Name: tu.Name, Input: json.RawMessage("{}")}, string(input))
}

// wholeBlock writes a block that arrives at once: its start, its input as
// one input_json_delta (none when input is ""), its stop.
func (s *sseRenderer) wholeBlock(start any, input string) error {
	if err := s.closeBlock(); err != nil {
		return err
	}
	idx := s.index
	s.index++
	if err := s.Event("content_block_start", blockStartEvent{Type: "content_block_start", Index: idx, ContentBlock: start}); err != nil {
		return err
	}
	if input != "" {
		if err := s.delta(idx, inputJSONDelta{Type: "input_json_delta", PartialJSON: input}); err != nil {
			return err
		}
	}
	return s.Event("content_block_stop", blockStopEvent{Type: "content_block_stop", Index: idx})
}

func (s *sseRenderer) End(reason canon.StopReason, usage *canon.Usage, sawTool bool) error {
	if err := s.closeBlock(); err != nil {
		return err
	}
	if reason == "" {
		reason = defaultStop(sawTool)
	}
	u := canon.Usage{InputTokens: s.msg.InputTokens}
	if usage != nil {
		u = *usage
	}
	if err := s.Event("message_delta", messageDeltaEvent{
		Type:  "message_delta",
		Delta: messageDelta{StopReason: string(reason)},
		Usage: usageOf(u),
	}); err != nil {
		return err
	}
	return s.Event("message_stop", messageStopEvent{Type: "message_stop"})
}

func (s *sseRenderer) Fail(errType, msg string) error {
	if err := s.closeBlock(); err != nil {
		return err
	}
	if errType == canon.ErrContextTooLong {
		errType = "invalid_request_error" // Anthropic's type for it; the message says "prompt is too long"
	}
	return s.Event("error", errorJSON{Type: "error", Error: errorBodyJSON{Type: errType, Message: msg}})
}

func (s *sseRenderer) delta(idx int, d any) error {
	return s.Event("content_block_delta", blockDeltaEvent{Type: "content_block_delta", Index: idx, Delta: d})
}

// defaultStop is the stop reason when the decoder gave none.
func defaultStop(sawTool bool) canon.StopReason {
	if sawTool {
		return canon.StopToolUse
	}
	return canon.StopEndTurn
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
