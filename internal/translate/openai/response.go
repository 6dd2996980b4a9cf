package openai

import (
	"encoding/json"
	"fmt"
	"strings"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/tooldecl"
	"kirodesk/internal/translate/wire"
)

// MarshalChatResponse renders a whole answer as the non-streaming Chat
// Completions response: id, object "chat.completion", created, model, one
// choice whose message has content (all text blocks joined, as a streaming
// client would concatenate them; null when the answer is only tool calls),
// reasoning_content (thinking, when there is any), refusal null, annotations
// [] and tool_calls, then finish_reason and logprobs null, and usage.
// inputEstimate is reported as prompt_tokens when r.Usage has no input count.
// Calls of the custom tools in tools (ChatOptions.Tools) go out as
// {"type":"custom","custom":{"name","input"}}.
func MarshalChatResponse(r *canon.Response, created int64, inputEstimate int, tools tooldecl.Origins) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("openai: nil response")
	}
	var text, reasoning strings.Builder
	var calls []toolCallJSON
	hasText := false
	for i, b := range r.Content {
		switch b.Type {
		case canon.BlockText:
			hasText = true
			text.WriteString(b.Text)
		case canon.BlockThinking:
			if b.Thinking == nil {
				return nil, fmt.Errorf("openai: content[%d]: thinking block without Thinking", i)
			}
			reasoning.WriteString(b.Thinking.Text)
		case canon.BlockToolUse:
			if b.ToolUse == nil {
				return nil, fmt.Errorf("openai: content[%d]: tool_use block without ToolUse", i)
			}
			if tools.Of(b.ToolUse.Name).Kind == tooldecl.KindCustom {
				calls = append(calls, toolCallJSON{ID: b.ToolUse.ID, Type: "custom",
					Custom: &customJSON{Name: b.ToolUse.Name, Input: tooldecl.CustomInputOf(b.ToolUse.Input)}})
				continue
			}
			args, err := toolArguments(b.ToolUse.Input)
			if err != nil {
				return nil, fmt.Errorf("openai: content[%d]: tool call %s: %w", i, b.ToolUse.ID, err)
			}
			calls = append(calls, toolCallJSON{ID: b.ToolUse.ID, Type: "function", Function: &functionJSON{Name: b.ToolUse.Name, Arguments: args}})
		case canon.BlockServerToolUse, canon.BlockServerToolResult:
			// No Chat Completions shape: the text after it is the answer.
		default:
			return nil, fmt.Errorf("openai: content[%d]: %q blocks cannot appear in a response", i, b.Type)
		}
	}
	msg := messageJSON{Role: "assistant", Annotations: []any{}, ToolCalls: calls}
	if hasText || len(calls) == 0 {
		s := text.String()
		msg.Content = &s
	}
	msg.ReasoningContent = reasoning.String()
	return wire.Marshal(completionJSON{
		ID:      r.ID,
		Object:  "chat.completion",
		Created: created,
		Model:   r.Model,
		Choices: []choiceJSON{{Index: 0, Message: msg, FinishReason: finishReason(r.Stop, len(calls) > 0)}},
		Usage:   usageOf(r.Usage, inputEstimate),
	})
}

// ErrorBody renders OpenAI's error envelope,
// {"error":{"message":...,"type":...,"param":...,"code":null}}, with param
// null when empty. The server uses it on OpenAI routes; a *RequestError goes
// out as ErrorBody(e.Message, "invalid_request_error", e.Param).
func ErrorBody(message, errType, param string) []byte {
	var p *string
	if param != "" {
		p = &param
	}
	b, err := wire.Marshal(errorEnvelopeJSON[errorBodyJSON]{Error: errorBodyJSON{Message: message, Type: errType, Param: p}})
	if err != nil { // unreachable: strings always encode
		panic(err)
	}
	return b
}

// Wire shapes. Field order follows OpenAI's own output. A completion's
// message and a chunk's delta, and a response's and a stream's error body,
// are alike but not the same: which fields are always there (null or "")
// and which are left out when empty is the format itself, so each keeps
// its own struct.

type completionJSON struct {
	ID      string       `json:"id"`
	Object  string       `json:"object"`
	Created int64        `json:"created"`
	Model   string       `json:"model"`
	Choices []choiceJSON `json:"choices"`
	Usage   usageJSON    `json:"usage"`
}

type choiceJSON struct {
	Index        int         `json:"index"`
	Message      messageJSON `json:"message"`
	FinishReason string      `json:"finish_reason"`
	Logprobs     *struct{}   `json:"logprobs"`
}

type messageJSON struct {
	Role             string         `json:"role"`
	Content          *string        `json:"content"`
	ReasoningContent string         `json:"reasoning_content,omitempty"`
	Refusal          *string        `json:"refusal"`
	Annotations      []any          `json:"annotations"`
	ToolCalls        []toolCallJSON `json:"tool_calls,omitempty"`
}

type toolCallJSON struct {
	ID       string        `json:"id"`
	Type     string        `json:"type"`
	Function *functionJSON `json:"function,omitempty"`
	Custom   *customJSON   `json:"custom,omitempty"`
}

// customJSON is a custom tool call: the raw input string.
type customJSON struct {
	Name  string `json:"name"`
	Input string `json:"input"`
}

type functionJSON struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type usageJSON struct {
	PromptTokens        int                     `json:"prompt_tokens"`
	CompletionTokens    int                     `json:"completion_tokens"`
	TotalTokens         int                     `json:"total_tokens"`
	PromptTokensDetails promptTokensDetailsJSON `json:"prompt_tokens_details"`
}

type promptTokensDetailsJSON struct {
	CachedTokens int `json:"cached_tokens"`
}

type chunkJSON struct {
	ID      string            `json:"id"`
	Object  string            `json:"object"`
	Created int64             `json:"created"`
	Model   string            `json:"model"`
	Choices []chunkChoiceJSON `json:"choices"`
	// Usage is absent without include_usage, null on every chunk but the
	// last with it, and the counts on the last.
	Usage json.RawMessage `json:"usage,omitempty"`
}

type chunkChoiceJSON struct {
	Index        int       `json:"index"`
	Delta        deltaJSON `json:"delta"`
	FinishReason *string   `json:"finish_reason"`
	Logprobs     *struct{} `json:"logprobs"`
}

type deltaJSON struct {
	Role             string              `json:"role,omitempty"`
	Content          *string             `json:"content,omitempty"`
	ReasoningContent string              `json:"reasoning_content,omitempty"`
	ToolCalls        []toolCallDeltaJSON `json:"tool_calls,omitempty"`
}

// toolCallDeltaJSON is one tool call fragment; id, type and name come only
// in a call's first fragment.
type toolCallDeltaJSON struct {
	Index    int                `json:"index"`
	ID       string             `json:"id,omitempty"`
	Type     string             `json:"type,omitempty"`
	Function *functionDeltaJSON `json:"function,omitempty"`
	Custom   *customJSON        `json:"custom,omitempty"`
}

type functionDeltaJSON struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

// errorEnvelopeJSON is {"error": body}: an errorBodyJSON in a response, a
// streamErrorBodyJSON (no param) in a stream.
type errorEnvelopeJSON[B any] struct {
	Error B `json:"error"`
}

type errorBodyJSON struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

type streamErrorBodyJSON struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Code    *string `json:"code"`
}
