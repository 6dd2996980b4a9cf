package openai

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/tooldecl"
	"kirodesk/internal/translate/wire"
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
// its signature has no place in this API and is dropped. Chat Completions
// has no shape for a server-run search: the model's text that follows is
// what the client gets.
//
// Every chunk is flushed as soon as it is written. Being a wire.Stream
// (a canon.Walker over this format's renderer) gives it Start, Ping (an SSE
// comment, which SSE clients, the OpenAI SDKs included, skip) and Write:
// safe for concurrent use, the first write error sticky and returned by
// every later call. What is left to each format (anthropic.SSEWriter,
// ResponsesWriter) is this declaration: the alias, its constructor and its
// renderer's state.
type ChunkWriter = wire.Stream[chunkRenderer, *chunkRenderer]

// NewChunkWriter returns a writer that sends chunks to w and calls flush (if
// not nil) after each one.
func NewChunkWriter(w io.Writer, flush func(), start ChunkStart) *ChunkWriter {
	return wire.NewStream(chunkRenderer{start: start}, w, flush, "openai", ErrStreamEnded)
}

// chunkRenderer is the canon.Renderer of Chat Completions chunks.
type chunkRenderer struct {
	wire.SSE // what it writes through; its Broken is the Renderer's
	start    ChunkStart
	toolIdx  int // index of the next tool call
}

func (c *chunkRenderer) Ping() error { return c.Raw(pingComment) }

func (c *chunkRenderer) Begin() error {
	empty := ""
	return c.chunk(deltaJSON{Role: "assistant", Content: &empty}, nil)
}

func (c *chunkRenderer) Text(text string) error {
	return c.chunk(deltaJSON{Content: &text}, nil)
}

func (c *chunkRenderer) Thinking(text, _ string) error {
	if text == "" {
		return nil
	}
	return c.chunk(deltaJSON{ReasoningContent: text}, nil)
}

func (c *chunkRenderer) ServerToolUse(*canon.ServerToolUse) error       { return nil }
func (c *chunkRenderer) ServerToolResult(*canon.ServerToolResult) error { return nil }
func (c *chunkRenderer) Citation(*canon.Citation) error                 { return nil }

func (c *chunkRenderer) ToolUse(tu *canon.ToolUse) error {
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

func (c *chunkRenderer) End(reason canon.StopReason, usage *canon.Usage, sawTool bool) error {
	fr := finishReason(reason, sawTool)
	if err := c.chunk(deltaJSON{}, &fr); err != nil {
		return err
	}
	if c.start.IncludeUsage {
		u := canon.Usage{InputTokens: c.start.InputTokens}
		if usage != nil {
			u = *usage
		}
		uj, err := json.Marshal(usageOf(u, c.start.InputTokens))
		if err != nil {
			return fmt.Errorf("openai: encoding usage: %w", err)
		}
		if err := c.Data(chunkJSON{
			ID: c.start.ID, Object: "chat.completion.chunk", Created: c.start.Created, Model: c.start.Model,
			Choices: []chunkChoiceJSON{}, Usage: uj,
		}); err != nil {
			return err
		}
	}
	return c.Raw(doneLine)
}

func (c *chunkRenderer) Fail(errType, msg string) error {
	body := streamErrorBodyJSON{Message: msg, Type: errorType(errType)}
	if errType == canon.ErrContextTooLong {
		code := canon.ErrContextTooLong
		body.Type, body.Code = "invalid_request_error", &code
	}
	if err := c.Data(errorEnvelopeJSON[streamErrorBodyJSON]{Error: body}); err != nil {
		return err
	}
	return c.Raw(doneLine)
}

var (
	pingComment = []byte(": ping\n\n")
	doneLine    = []byte("data: [DONE]\n\n")
)

// chunk writes one chat.completion.chunk with a single choice. With
// include_usage, OpenAI gives every chunk but the last "usage": null.
func (c *chunkRenderer) chunk(delta deltaJSON, finish *string) error {
	ch := chunkJSON{
		ID: c.start.ID, Object: "chat.completion.chunk", Created: c.start.Created, Model: c.start.Model,
		Choices: []chunkChoiceJSON{{Index: 0, Delta: delta, FinishReason: finish}},
	}
	if c.start.IncludeUsage {
		ch.Usage = json.RawMessage("null")
	}
	return c.Data(ch)
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
	args, err := wire.ToolInput(in)
	return string(args), err
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
