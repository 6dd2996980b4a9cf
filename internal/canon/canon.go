// Package canon is the one request shape both client APIs translate into and
// the Kiro request builder reads: Anthropic Messages and OpenAI Chat
// Completions/Responses map onto it (internal/translate), and
// internal/kiro/payload turns it into Kiro's conversationState. Plain data,
// no behaviour beyond small helpers; copying a Request is cheap to reason
// about because every slice belongs to it.
package canon

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Role of a message.
type Role string

const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// BlockType names what a Block holds.
type BlockType string

const (
	BlockText       BlockType = "text"
	BlockImage      BlockType = "image"
	BlockToolUse    BlockType = "tool_use"
	BlockToolResult BlockType = "tool_result"
	BlockThinking   BlockType = "thinking"
	// Server tool blocks appear only in responses (Response.Content).
	BlockServerToolUse    BlockType = "server_tool_use"
	BlockServerToolResult BlockType = "server_tool_result"
)

// Request is one model call.
type Request struct {
	// Model is the client's model name as sent (e.g. "claude-sonnet-4-5-20250929").
	Model string
	// System is the system prompt, blocks joined with blank lines.
	System string
	// Messages alternate as the client sent them; the builder merges and repairs.
	Messages []Message
	Tools    []Tool
	// ToolChoice is accepted for compatibility; Kiro has no equivalent.
	ToolChoice *ToolChoice
	Thinking   *Thinking
	MaxTokens  int
	Stream     bool
	// ConversationKey identifies the conversation for sticky account
	// selection (metadata.user_id, a session header, or a hash of the first
	// messages); empty if unknown.
	ConversationKey string
	// ServerTools are the tools the client declared for the server to run
	// (web search); they are not in Tools and Kiro never sees them. The
	// server-side tool loop reads them; until it runs they are only noted.
	ServerTools []ServerTool `json:",omitempty"`
	// Warnings say what the translator dropped or changed instead of
	// refusing the request (a tool type Kiro cannot carry, say); the
	// server writes them to its log and the request log.
	Warnings []string `json:",omitempty"`
}

// ServerTool is a tool the client expects the server to run.
type ServerTool struct {
	Type    string // as declared: web_search_20250305, web_search, web_search_preview, ...
	Name    string // the name the model calls it by ("web_search")
	MaxUses int    // 0: no limit given
	// Config is the declaration as the client sent it (allowed_domains,
	// user_location, ...), compact JSON.
	Config json.RawMessage
}

// Warn records a warning on r.
func (r *Request) Warn(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

// Message is one turn.
type Message struct {
	Role    Role
	Content []Block
}

// Block is one piece of a message's content; exactly the field matching Type is set.
type Block struct {
	Type       BlockType
	Text       string      // BlockText
	Image      *Image      // BlockImage
	ToolUse    *ToolUse    // BlockToolUse
	ToolResult *ToolResult // BlockToolResult
	Thinking   *ThinkingBlock

	// Response-only fields; omitempty keeps request dumps (goldens) as they were.
	ServerToolUse    *ServerToolUse    `json:",omitempty"` // BlockServerToolUse
	ServerToolResult *ServerToolResult `json:",omitempty"` // BlockServerToolResult
	Citations        []Citation        `json:",omitempty"` // BlockText: sources the text quotes
}

// Image is inline image data.
type Image struct {
	MediaType string // image/png, image/jpeg, image/gif, image/webp
	Data      string // base64, as the client sent it
}

// ToolUse is a call the assistant made.
type ToolUse struct {
	ID    string
	Name  string
	Input json.RawMessage // a JSON object
}

// ToolResult answers a ToolUse.
type ToolResult struct {
	ToolUseID string
	Content   []Block // text and image blocks
	IsError   bool
}

// ThinkingBlock is reasoning the assistant produced in an earlier turn.
type ThinkingBlock struct {
	Text      string
	Signature string
}

// Tool is a function the model may call.
type Tool struct {
	Name        string
	Description string
	InputSchema json.RawMessage // JSON Schema object
}

// ToolChoice is the client's tool_choice.
type ToolChoice struct {
	Type string // auto, any, tool, none
	Name string // for Type == "tool"
}

// Thinking asks for extended thinking.
type Thinking struct {
	Mode         string // "enabled" or "adaptive"
	BudgetTokens int    // Mode == "enabled"
	Effort       string // Mode == "adaptive": low, medium, high
}

// TextOf joins the text blocks of content.
func TextOf(content []Block) string {
	if len(content) == 1 && content[0].Type == BlockText {
		return content[0].Text // the usual tool result: no copy of a large text
	}
	var n int
	for _, b := range content {
		if b.Type == BlockText {
			n += len(b.Text) + 1
		}
	}
	var out strings.Builder // one allocation, no copy to a string at the end
	out.Grow(n)
	for _, b := range content {
		if b.Type == BlockText {
			if out.Len() > 0 {
				out.WriteByte('\n')
			}
			out.WriteString(b.Text)
		}
	}
	return out.String()
}
