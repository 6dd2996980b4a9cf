package payload

import "encoding/json"

// The wire types mirror kiro-protocol.md section 3. They stay unexported:
// the body is the product, and Preflight reads it back through the same
// types so that what is checked is exactly what is sent.

type wirePayload struct {
	ConversationState wireConversationState `json:"conversationState"`
	ProfileArn        string                `json:"profileArn,omitempty"`
}

type wireConversationState struct {
	ConversationID  string             `json:"conversationId"`
	ChatTriggerType string             `json:"chatTriggerType"`
	AgentTaskType   string             `json:"agentTaskType"`
	CurrentMessage  wireCurrentMessage `json:"currentMessage"`
	History         []wireHistoryEntry `json:"history,omitempty"`
}

type wireCurrentMessage struct {
	UserInputMessage *wireUserInputMessage `json:"userInputMessage,omitempty"`
}

type wireHistoryEntry struct {
	UserInputMessage         *wireUserInputMessage         `json:"userInputMessage,omitempty"`
	AssistantResponseMessage *wireAssistantResponseMessage `json:"assistantResponseMessage,omitempty"`
}

type wireUserInputMessage struct {
	Content                 string                       `json:"content"`
	ModelID                 string                       `json:"modelId"`
	Origin                  string                       `json:"origin"`
	Images                  []wireImage                  `json:"images,omitempty"`
	UserInputMessageContext *wireUserInputMessageContext `json:"userInputMessageContext,omitempty"`
}

type wireUserInputMessageContext struct {
	Tools       []wireTool       `json:"tools,omitempty"`
	ToolResults []wireToolResult `json:"toolResults,omitempty"`
}

type wireTool struct {
	ToolSpecification wireToolSpecification `json:"toolSpecification"`
}

type wireToolSpecification struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	InputSchema wireInputSchema `json:"inputSchema"`
}

type wireInputSchema struct {
	JSON json.RawMessage `json:"json"`
}

type wireToolResult struct {
	ToolUseID string                  `json:"toolUseId"`
	Content   []wireToolResultContent `json:"content"`
	Status    string                  `json:"status"`
}

type wireToolResultContent struct {
	Text string `json:"text"`
}

type wireAssistantResponseMessage struct {
	Content  string        `json:"content"`
	ToolUses []wireToolUse `json:"toolUses,omitempty"`
}

type wireToolUse struct {
	ToolUseID string          `json:"toolUseId"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
}

type wireImage struct {
	Format string          `json:"format"`
	Source wireImageSource `json:"source"`
}

type wireImageSource struct {
	Bytes string `json:"bytes"`
}
