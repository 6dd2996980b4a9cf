package openai

import (
	"encoding/json"
)

// Wire shapes of the Responses API. Field order follows OpenAI's output.

type responseJSON struct {
	ID                 string                 `json:"id"`
	Object             string                 `json:"object"`
	CreatedAt          int64                  `json:"created_at"`
	Status             string                 `json:"status"`
	Background         bool                   `json:"background"`
	Error              *responseErrorJSON     `json:"error"`
	IncompleteDetails  *incompleteDetailsJSON `json:"incomplete_details"`
	Instructions       *string                `json:"instructions"`
	MaxOutputTokens    *int                   `json:"max_output_tokens"`
	Model              string                 `json:"model"`
	Output             []outputItemJSON       `json:"output"`
	ParallelToolCalls  bool                   `json:"parallel_tool_calls"`
	PreviousResponseID *string                `json:"previous_response_id"`
	Reasoning          reasoningConfigJSON    `json:"reasoning"`
	Store              bool                   `json:"store"`
	Text               textConfigJSON         `json:"text"`
	Truncation         string                 `json:"truncation"`
	Usage              *responsesUsageJSON    `json:"usage"`
	Metadata           map[string]string      `json:"metadata"`
}

type responseErrorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type incompleteDetailsJSON struct {
	Reason string `json:"reason"`
}

type reasoningConfigJSON struct {
	Effort  *string `json:"effort"`
	Summary *string `json:"summary"`
}

type textConfigJSON struct {
	Format formatJSON `json:"format"`
}

type formatJSON struct {
	Type string `json:"type"`
}

// outputItemJSON is a message, reasoning or function_call output item.
type outputItemJSON struct {
	ID        string            `json:"id"`
	Type      string            `json:"type"`
	Status    string            `json:"status,omitempty"`
	Role      string            `json:"role,omitempty"`
	Content   []contentPartJSON `json:"content,omitempty"`   // message
	Summary   []contentPartJSON `json:"summary,omitempty"`   // reasoning
	Arguments *string           `json:"arguments,omitempty"` // function_call
	CallID    string            `json:"call_id,omitempty"`
	Name      string            `json:"name,omitempty"`
	Namespace string            `json:"namespace,omitempty"` // a flattened namespace member's
	Input     *string           `json:"input,omitempty"`     // custom_tool_call

	// Action is a local_shell_call's *tooldecl.LocalShellAction or a
	// web_search_call's *searchActionJSON.
	Action any `json:"action,omitempty"`
}

// MarshalJSON keeps content and summary as [] when empty, as OpenAI sends a
// freshly added item, while leaving them out of items of the other kinds.
func (o outputItemJSON) MarshalJSON() ([]byte, error) {
	type plain outputItemJSON
	switch o.Type {
	case "message":
		return json.Marshal(struct {
			plain
			Content []contentPartJSON `json:"content"`
		}{plain(o), nonNil(o.Content)})
	case "reasoning":
		return json.Marshal(struct {
			plain
			Summary []contentPartJSON `json:"summary"`
		}{plain(o), nonNil(o.Summary)})
	}
	return json.Marshal(plain(o))
}

func nonNil(p []contentPartJSON) []contentPartJSON {
	if p == nil {
		return []contentPartJSON{}
	}
	return p
}

// contentPartJSON is an output_text part of a message or a summary_text
// part of a reasoning item.
type contentPartJSON struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	Annotations []any  `json:"annotations,omitempty"`
	Logprobs    []any  `json:"logprobs,omitempty"`
}

// MarshalJSON sends annotations and logprobs ([] when empty) on output_text
// parts only.
func (c contentPartJSON) MarshalJSON() ([]byte, error) {
	if c.Type != "output_text" {
		return json.Marshal(struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}{c.Type, c.Text})
	}
	ann, lp := c.Annotations, c.Logprobs
	if ann == nil {
		ann = []any{}
	}
	if lp == nil {
		lp = []any{}
	}
	return json.Marshal(struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		Annotations []any  `json:"annotations"`
		Logprobs    []any  `json:"logprobs"`
	}{c.Type, c.Text, ann, lp})
}

type responsesUsageJSON struct {
	InputTokens         int                     `json:"input_tokens"`
	InputTokensDetails  inputTokensDetailsJSON  `json:"input_tokens_details"`
	OutputTokens        int                     `json:"output_tokens"`
	OutputTokensDetails outputTokensDetailsJSON `json:"output_tokens_details"`
	TotalTokens         int                     `json:"total_tokens"`
}

type inputTokensDetailsJSON struct {
	CachedTokens int `json:"cached_tokens"`
}

type outputTokensDetailsJSON struct {
	ReasoningTokens int `json:"reasoning_tokens"`
}

// sequenced is a stream event: its type names the SSE event and it carries
// a sequence_number (eventHead, embedded first in each).
type sequenced interface {
	setSeq(n int)
	eventType() string
}

// eventHead is how every stream event begins. Embedded, its fields stand
// first in the event's JSON, in this order, as OpenAI sends them.
type eventHead struct {
	Type string `json:"type"`
	Seq  int    `json:"sequence_number"`
}

func (h *eventHead) setSeq(n int)      { h.Seq = n }
func (h *eventHead) eventType() string { return h.Type }

type responseEventJSON struct {
	eventHead
	Response *responseJSON `json:"response"`
}

type itemEventJSON struct {
	eventHead
	OutputIndex int             `json:"output_index"`
	Item        *outputItemJSON `json:"item"`
}

// partPos is where a part or text event stands: its item and, within a
// message or a reasoning item, its (only) part, by content_index or
// summary_index; a tool call's events have neither.
type partPos struct {
	ItemID       string `json:"item_id"`
	OutputIndex  int    `json:"output_index"`
	ContentIndex *int   `json:"content_index,omitempty"`
	SummaryIndex *int   `json:"summary_index,omitempty"`
}

// inPart is the position of the one part of the message or reasoning
// item (kind) id at output index idx.
func inPart(kind, id string, idx int) partPos {
	if kind == "message" {
		return partPos{ItemID: id, OutputIndex: idx, ContentIndex: zero()}
	}
	return partPos{ItemID: id, OutputIndex: idx, SummaryIndex: zero()}
}

type partEventJSON struct {
	eventHead
	partPos
	Part contentPartJSON `json:"part"`
}

// textEventJSON is a delta or done event of output text, reasoning summary
// text or function call arguments.
type textEventJSON struct {
	eventHead
	partPos
	Delta     *string `json:"delta,omitempty"`
	Text      *string `json:"text,omitempty"`
	Name      string  `json:"name,omitempty"`
	Arguments *string `json:"arguments,omitempty"`
	Input     *string `json:"input,omitempty"` // custom tool call input
	Logprobs  []any   `json:"logprobs,omitempty"`
}

// MarshalJSON keeps logprobs: [] on output_text events, where the SDK
// expects the field.
func (e textEventJSON) MarshalJSON() ([]byte, error) {
	type plain textEventJSON
	if e.Logprobs == nil {
		return json.Marshal(plain(e))
	}
	return json.Marshal(struct {
		plain
		Logprobs []any `json:"logprobs"`
	}{plain(e), e.Logprobs})
}

type errorEventJSON struct {
	eventHead
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Param   *string `json:"param"`
}
