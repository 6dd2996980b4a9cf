package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/tooldecl"
)

// ChunkStart is what every chunk of one streamed completion repeats.
type ChunkStart struct {
	ID           string // "chatcmpl-...", the same in every chunk
	Model        string
	Created      int64 // Unix seconds
	IncludeUsage bool  // ChatOptions.IncludeUsage
	// InputTokens is the local estimate reported as prompt_tokens when the
	// upstream sent no usage.
	InputTokens int
	// Tools is ChatOptions.Tools: calls of custom tools go out as custom
	// tool calls.
	Tools tooldecl.Origins
}

// ErrStreamEnded is returned by Write, Start and Ping after the stream has
// ended with [DONE].
var ErrStreamEnded = errors.New("openai: write after the end of the stream")

// ChunkWriter writes a canon.Event sequence as a Chat Completions stream:
//
//	data: {delta: {role: "assistant", content: ""}}          -- Start
//	data: {delta: {content | reasoning_content | tool_calls}}* -- Write
//	data: {delta: {}, finish_reason}                           -- EventStop
//	data: {choices: [], usage}                                 -- if IncludeUsage
//	data: [DONE]
//
// or, on EventError, data: {"error":{...}} followed by data: [DONE]. Each
// tool call takes two chunks, as OpenAI sends them: one with its index
// (counted from 0 in the response), id, type and name and empty arguments,
// then one with the whole arguments string. Thinking goes out as
// reasoning_content, the field DeepSeek, vLLM and OpenRouter clients read;
// its signature has no place in this API and is dropped.
//
// Every chunk is flushed as soon as it is written. Methods are safe for
// concurrent use; the first write error is sticky and returned by every
// later call.
type ChunkWriter struct {
	mu    sync.Mutex
	w     io.Writer
	flush func()
	start ChunkStart

	started  bool
	ended    bool
	err      error
	toolIdx  int // index of the next tool call
	usage    *canon.Usage
	buf      bytes.Buffer
	dataBuf  bytes.Buffer
	dataJSON *json.Encoder
}

// NewChunkWriter returns a writer that sends chunks to w and calls flush (if
// not nil) after each one.
func NewChunkWriter(w io.Writer, flush func(), start ChunkStart) *ChunkWriter {
	c := &ChunkWriter{w: w, flush: flush, start: start}
	c.dataJSON = json.NewEncoder(&c.dataBuf)
	c.dataJSON.SetEscapeHTML(false)
	return c
}

// Start writes the opening chunk (role "assistant", empty content) if it has
// not been written yet. The server calls it once the upstream has answered,
// so that a failing account can still be swapped before the client has seen
// a byte; Write calls it implicitly.
func (c *ChunkWriter) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.check(); err != nil {
		return err
	}
	return c.begin()
}

// Ping writes an SSE comment, which keeps idle connections and proxies from
// timing out during long silences; SSE clients, the OpenAI SDKs included,
// skip comments. Before Start it writes nothing, so as not to commit the
// response early.
func (c *ChunkWriter) Ping() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.check(); err != nil {
		return err
	}
	if !c.started {
		return nil
	}
	return c.raw([]byte(": ping\n\n"))
}

// Write emits the chunks for one canon event. After EventStop or EventError
// the stream is over and Write returns ErrStreamEnded. An EventError before
// Start writes only the error and [DONE].
func (c *ChunkWriter) Write(ev canon.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.check(); err != nil {
		return err
	}
	if ev.Kind == canon.EventError {
		return c.fail(ev.Err)
	}
	if err := c.begin(); err != nil {
		return err
	}
	switch ev.Kind {
	case canon.EventText:
		if ev.Text == "" {
			return nil
		}
		return c.chunk(deltaJSON{Content: &ev.Text}, nil)
	case canon.EventThinking:
		if ev.Text == "" {
			return nil
		}
		return c.chunk(deltaJSON{ReasoningContent: ev.Text}, nil)
	case canon.EventToolUse:
		return c.toolUse(ev.ToolUse)
	case canon.EventUsage:
		if ev.Usage == nil {
			return errors.New("openai: EventUsage without Usage")
		}
		u := *ev.Usage
		c.usage = &u
		return nil
	case canon.EventStop:
		return c.stop(ev.Stop)
	case canon.EventServerToolUse, canon.EventServerToolResult, canon.EventCitation:
		// Chat Completions has no shape for a server-run search: the
		// model's text that follows is what the client gets.
		return nil
	default:
		return fmt.Errorf("openai: unknown event kind %d", ev.Kind)
	}
}

func (c *ChunkWriter) check() error {
	if c.err != nil {
		return c.err
	}
	if c.ended {
		return ErrStreamEnded
	}
	return nil
}

func (c *ChunkWriter) begin() error {
	if c.started {
		return nil
	}
	c.started = true
	empty := ""
	return c.chunk(deltaJSON{Role: "assistant", Content: &empty}, nil)
}

func (c *ChunkWriter) toolUse(tu *canon.ToolUse) error {
	if tu == nil {
		return errors.New("openai: EventToolUse without ToolUse")
	}
	if c.start.Tools.Of(tu.Name).Kind == tooldecl.KindCustom {
		// A custom tool call goes out whole, in one chunk.
		idx := c.toolIdx
		c.toolIdx++
		return c.chunk(deltaJSON{ToolCalls: []toolCallDeltaJSON{{
			Index: idx, ID: tu.ID, Type: "custom",
			Custom: &customJSON{Name: tu.Name, Input: tooldecl.CustomInputOf(tu.Input)},
		}}}, nil)
	}
	args, err := toolArguments(tu.Input)
	if err != nil {
		return fmt.Errorf("openai: tool call %s: %w", tu.ID, err)
	}
	idx := c.toolIdx
	c.toolIdx++
	if err := c.chunk(deltaJSON{ToolCalls: []toolCallDeltaJSON{{
		Index: idx, ID: tu.ID, Type: "function",
		Function: &functionDeltaJSON{Name: tu.Name, Arguments: ""},
	}}}, nil); err != nil {
		return err
	}
	return c.chunk(deltaJSON{ToolCalls: []toolCallDeltaJSON{{
		Index: idx, Function: &functionDeltaJSON{Arguments: args},
	}}}, nil)
}

func (c *ChunkWriter) stop(reason canon.StopReason) error {
	c.ended = true
	fr := finishReason(reason, c.toolIdx > 0)
	if err := c.chunk(deltaJSON{}, &fr); err != nil {
		return err
	}
	if c.start.IncludeUsage {
		u := canon.Usage{InputTokens: c.start.InputTokens}
		if c.usage != nil {
			u = *c.usage
		}
		uj, err := json.Marshal(usageOf(u, c.start.InputTokens))
		if err != nil {
			return fmt.Errorf("openai: encoding usage: %w", err)
		}
		if err := c.data(chunkJSON{
			ID: c.start.ID, Object: "chat.completion.chunk", Created: c.start.Created, Model: c.start.Model,
			Choices: []chunkChoiceJSON{}, Usage: uj,
		}); err != nil {
			return err
		}
	}
	return c.raw([]byte("data: [DONE]\n\n"))
}

func (c *ChunkWriter) fail(e *canon.StreamError) error {
	errType, msg := "api_error", "the response failed"
	if e != nil {
		if e.Type != "" {
			errType = e.Type
		}
		if e.Message != "" {
			msg = e.Message
		}
	}
	c.ended = true
	if err := c.data(streamErrorJSON{Error: streamErrorBodyJSON{Message: msg, Type: errorType(errType)}}); err != nil {
		return err
	}
	return c.raw([]byte("data: [DONE]\n\n"))
}

// chunk writes one chat.completion.chunk with a single choice. With
// include_usage, OpenAI gives every chunk but the last "usage": null.
func (c *ChunkWriter) chunk(delta deltaJSON, finish *string) error {
	ch := chunkJSON{
		ID: c.start.ID, Object: "chat.completion.chunk", Created: c.start.Created, Model: c.start.Model,
		Choices: []chunkChoiceJSON{{Index: 0, Delta: delta, FinishReason: finish}},
	}
	if c.start.IncludeUsage {
		ch.Usage = json.RawMessage("null")
	}
	return c.data(ch)
}

// data writes "data: JSON\n\n" and flushes.
func (c *ChunkWriter) data(v any) error {
	c.dataBuf.Reset()
	if err := c.dataJSON.Encode(v); err != nil {
		return fmt.Errorf("openai: encoding chunk: %w", err)
	}
	c.buf.Reset()
	c.buf.WriteString("data: ")
	c.buf.Write(bytes.TrimSuffix(c.dataBuf.Bytes(), []byte{'\n'}))
	c.buf.WriteString("\n\n")
	return c.raw(c.buf.Bytes())
}

func (c *ChunkWriter) raw(b []byte) error {
	if _, err := c.w.Write(b); err != nil {
		c.err = err
		return err
	}
	if c.flush != nil {
		c.flush()
	}
	return nil
}

// finishReason maps canon's (Anthropic's) stop reasons to OpenAI's; an empty
// or unknown reason becomes tool_calls if the response called a tool and stop
// otherwise.
func finishReason(r canon.StopReason, sawTool bool) string {
	switch r {
	case canon.StopEndTurn:
		return "stop"
	case canon.StopMaxTokens:
		return "length"
	case canon.StopToolUse:
		return "tool_calls"
	}
	if sawTool {
		return "tool_calls"
	}
	return "stop"
}

// errorType maps canon's error types (Anthropic's names) to the ones OpenAI
// uses; types both APIs share pass through.
func errorType(t string) string {
	switch t {
	case "api_error", "overloaded_error":
		return "server_error"
	}
	return t
}

// toolArguments returns a tool call's input as a compact JSON string, {}
// when empty.
func toolArguments(in json.RawMessage) (string, error) {
	if len(bytes.TrimSpace(in)) == 0 {
		return "{}", nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, in); err != nil {
		return "", fmt.Errorf("input is not valid JSON: %w", err)
	}
	if buf.Bytes()[0] != '{' {
		return "", errors.New("input is not a JSON object")
	}
	return buf.String(), nil
}

// usageOf renders canon usage the OpenAI way: prompt_tokens counts the whole
// input, cached parts included, and cached_tokens the part read from cache.
// With no input count at all, the local estimate stands in.
func usageOf(u canon.Usage, inputEstimate int) usageJSON {
	prompt := u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens
	if prompt == 0 {
		prompt = inputEstimate
	}
	return usageJSON{
		PromptTokens:        prompt,
		CompletionTokens:    u.OutputTokens,
		TotalTokens:         prompt + u.OutputTokens,
		PromptTokensDetails: promptTokensDetailsJSON{CachedTokens: u.CacheReadInputTokens},
	}
}
