package anthropic

import (
	"encoding/json"
	"fmt"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/wire"
)

// MarshalResponse renders a whole answer as the non-streaming Messages
// response: id, type "message", role "assistant", model, content (text,
// thinking with its signature, tool_use), stop_reason, stop_sequence null and
// usage with the four token counts. An empty stop reason becomes tool_use if
// the content has a tool call and end_turn otherwise.
func MarshalResponse(r *canon.Response) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("anthropic: nil response")
	}
	content := make([]any, 0, len(r.Content))
	sawTool := false
	for i, b := range r.Content {
		switch b.Type {
		case canon.BlockText:
			if len(b.Citations) == 0 {
				content = append(content, textBlockJSON{Type: "text", Text: b.Text})
				break
			}
			cited := textCitedBlockJSON{Type: "text", Text: b.Text}
			for _, c := range b.Citations {
				cited.Citations = append(cited.Citations, citationOf(c, len(cited.Citations)+1))
			}
			content = append(content, cited)
		case canon.BlockServerToolUse:
			if b.ServerToolUse == nil {
				return nil, fmt.Errorf("anthropic: content[%d]: server_tool_use block without ServerToolUse", i)
			}
			content = append(content, serverToolUseBlock(b.ServerToolUse, serverToolUseInput(b.ServerToolUse)))
		case canon.BlockServerToolResult:
			if b.ServerToolResult == nil {
				return nil, fmt.Errorf("anthropic: content[%d]: server tool result block without ServerToolResult", i)
			}
			content = append(content, webSearchResultBlock(b.ServerToolResult))
		case canon.BlockThinking:
			if b.Thinking == nil {
				return nil, fmt.Errorf("anthropic: content[%d]: thinking block without Thinking", i)
			}
			content = append(content, thinkingBlockJSON{Type: "thinking", Thinking: b.Thinking.Text, Signature: b.Thinking.Signature})
		case canon.BlockToolUse:
			if b.ToolUse == nil {
				return nil, fmt.Errorf("anthropic: content[%d]: tool_use block without ToolUse", i)
			}
			input, err := wire.ToolInput(b.ToolUse.Input)
			if err != nil {
				return nil, fmt.Errorf("anthropic: content[%d]: tool_use %s: %w", i, b.ToolUse.ID, err)
			}
			sawTool = true
			content = append(content, toolUseBlockJSON{Type: "tool_use", ID: b.ToolUse.ID, Name: b.ToolUse.Name, Input: json.RawMessage(input)})
		default:
			return nil, fmt.Errorf("anthropic: content[%d]: %q blocks cannot appear in a response", i, b.Type)
		}
	}
	stop := r.Stop
	if stop == "" {
		stop = defaultStop(sawTool)
	}
	sr := string(stop)
	return wire.Marshal(messageJSON{
		ID:         r.ID,
		Type:       "message",
		Role:       "assistant",
		Model:      r.Model,
		Content:    content,
		StopReason: &sr,
		Usage:      usageOf(r.Usage),
	})
}

// ErrorBody renders Anthropic's error envelope,
// {"type":"error","error":{"type":errType,"message":message}}, the shape
// server.WriteError uses on Anthropic routes.
func ErrorBody(errType, message string) []byte {
	b, err := wire.Marshal(errorJSON{Type: "error", Error: errorBodyJSON{Type: errType, Message: message}})
	if err != nil { // unreachable: two strings always encode
		panic(err)
	}
	return b
}

// Wire shapes shared by the streaming and non-streaming writers. Field order
// follows Anthropic's own output.

type messageJSON struct {
	ID           string    `json:"id"`
	Type         string    `json:"type"`
	Role         string    `json:"role"`
	Model        string    `json:"model"`
	Content      []any     `json:"content"`
	StopReason   *string   `json:"stop_reason"`
	StopSequence *string   `json:"stop_sequence"`
	Usage        usageJSON `json:"usage"`
}

// usageJSON always carries all four counts: Claude Code sums them for its
// context meter and auto-compaction.
type usageJSON struct {
	InputTokens              int `json:"input_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
	OutputTokens             int `json:"output_tokens"`
	// ServerToolUse counts the searches Kirodesk ran (omitted when none).
	ServerToolUse *serverToolUsageJSON `json:"server_tool_use,omitempty"`
}

type textBlockJSON struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type thinkingBlockJSON struct {
	Type      string `json:"type"`
	Thinking  string `json:"thinking"`
	Signature string `json:"signature"`
}

type toolUseBlockJSON struct {
	Type  string          `json:"type"`
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

type errorJSON struct {
	Type  string        `json:"type"`
	Error errorBodyJSON `json:"error"`
}

type errorBodyJSON struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

type messageStartEvent struct {
	Type    string      `json:"type"`
	Message messageJSON `json:"message"`
}

type blockStartEvent struct {
	Type         string `json:"type"`
	Index        int    `json:"index"`
	ContentBlock any    `json:"content_block"`
}

type blockDeltaEvent struct {
	Type  string `json:"type"`
	Index int    `json:"index"`
	Delta any    `json:"delta"`
}

type textDelta struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type thinkingDelta struct {
	Type     string `json:"type"`
	Thinking string `json:"thinking"`
}

type signatureDelta struct {
	Type      string `json:"type"`
	Signature string `json:"signature"`
}

type inputJSONDelta struct {
	Type        string `json:"type"`
	PartialJSON string `json:"partial_json"`
}

type blockStopEvent struct {
	Type  string `json:"type"`
	Index int    `json:"index"`
}

type messageDelta struct {
	StopReason   string  `json:"stop_reason"`
	StopSequence *string `json:"stop_sequence"`
}

type messageDeltaEvent struct {
	Type  string       `json:"type"`
	Delta messageDelta `json:"delta"`
	Usage usageJSON    `json:"usage"`
}

type messageStopEvent struct {
	Type string `json:"type"`
}

type pingEvent struct {
	Type string `json:"type"`
}
