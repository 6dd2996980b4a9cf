package payload

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"kirodesk/internal/canon"
)

// Options carries what Build needs beyond the request. Everything that would
// otherwise need I/O or randomness comes from the caller.
type Options struct {
	// ConversationID is the UUID sent as conversationState.conversationId.
	ConversationID string
	// ProfileARN is sent for social (Google/GitHub) accounts only; leave it
	// empty for Builder ID / IAM Identity Center accounts.
	ProfileARN string
	// Models is the account's catalogue; empty means BuiltinModels.
	Models ModelCatalog
	// MaxPayloadBytes is the largest body Build returns; <= 0 means
	// DefaultMaxPayloadBytes.
	MaxPayloadBytes int
}

// Built is a request ready to send.
type Built struct {
	// Body is the JSON body for generateAssistantResponse.
	Body []byte
	// ModelID is the Kiro model id chosen (NormalizeModel).
	ModelID string
	// ToolNames maps every tool name sent to Kiro to the client's name for
	// it, for mapping tool calls back. Names that needed no shortening map
	// to themselves, so a tool call whose name is missing here is one the
	// request never offered.
	ToolNames map[string]string
}

const (
	// placeholderContent stands in for empty turn text (see the package doc).
	placeholderContent = "."
	// Result texts for tool results without text; Kiro's result content is
	// text, and an empty text is the kind of thing it rejects unexplained.
	emptyResultText      = "(no output)"
	imageOnlyResultText  = "(the output is an image, attached to this message)"
	autoDeclaredToolDesc = "Tool used earlier in this conversation and not declared in this request."

	minThinkingBudget = 1024
	maxThinkingBudget = 24576
)

// Build turns req into a Kiro generateAssistantResponse body and runs the
// Preflight checks on it. Every error is a *RuleError.
func Build(req *canon.Request, opts Options) (*Built, error) {
	p, modelID, names, err := assemble(req, opts)
	if err != nil {
		return nil, err
	}
	// One allocation for the body instead of a dozen doublings; no HTML
	// escaping, so thinking tags and code stay readable and small.
	body, err := appendPayload(make([]byte, 0, sizeHint(req)), p)
	if err != nil {
		// Every raw JSON value was validated above; this is a bug, not a client error.
		return nil, ruleErr(RuleInvalidPayload, "encoding the Kiro request failed: %v", err)
	}
	if err := preflight(p, len(body), opts.MaxPayloadBytes); err != nil {
		return nil, err
	}
	return &Built{Body: body, ModelID: modelID, ToolNames: names}, nil
}

// assemble is Build up to the encoding: req as the wire types.
func assemble(req *canon.Request, opts Options) (*wirePayload, string, map[string]string, error) {
	if req == nil {
		return nil, "", nil, ruleErr(RuleNoMessages, "the request is empty")
	}
	if opts.ConversationID == "" {
		return nil, "", nil, ruleErr(RuleMissingConversationID, "no conversation id was supplied for conversationState.conversationId")
	}
	modelID := NormalizeModel(req.Model, opts.Models)
	if modelID == "" {
		return nil, "", nil, ruleErr(RuleMissingModel, "the request names no model; set model (for example claude-sonnet-4-5 or auto)")
	}

	turns, err := collectTurns(req.Messages)
	if err != nil {
		return nil, "", nil, err
	}
	tools, names, err := buildTools(req.Tools, turns)
	if err != nil {
		return nil, "", nil, err
	}

	history := make([]wireHistoryEntry, 0, len(turns)-1)
	for i := range turns[:len(turns)-1] {
		t := &turns[i]
		content := t.content(i == 0, req.System)
		if t.role == canon.RoleAssistant {
			history = append(history, wireHistoryEntry{AssistantResponseMessage: &wireAssistantResponseMessage{
				Content:  content,
				ToolUses: t.toolUses,
			}})
			continue
		}
		history = append(history, wireHistoryEntry{UserInputMessage: t.userMessage(content, modelID, nil)})
	}

	last := &turns[len(turns)-1]
	content := last.content(len(turns) == 1, req.System)
	if prefix := thinkingPrefix(req.Thinking); prefix != "" && len(last.toolResults) == 0 {
		content = prefix + "\n" + content
	}

	p := &wirePayload{
		ConversationState: wireConversationState{
			ConversationID:  opts.ConversationID,
			ChatTriggerType: "MANUAL",
			AgentTaskType:   "vibe",
			CurrentMessage:  wireCurrentMessage{UserInputMessage: last.userMessage(content, modelID, tools)},
			History:         history,
		},
		ProfileArn: opts.ProfileARN,
	}
	return p, modelID, names, nil
}

// sizeHint is about the size of the body Build makes for req: its texts,
// images and tool declarations, plus room for the JSON around them.
func sizeHint(req *canon.Request) int {
	n := 512 + len(req.System) // the envelope: ids, model, origin, keys
	var blocks func([]canon.Block)
	blocks = func(bs []canon.Block) {
		for i := range bs {
			b := &bs[i]
			n += 64 + len(b.Text)
			switch {
			case b.Image != nil:
				n += len(b.Image.Data)
			case b.ToolUse != nil:
				n += len(b.ToolUse.ID) + len(b.ToolUse.Name) + len(b.ToolUse.Input)
			case b.ToolResult != nil:
				n += len(b.ToolResult.ToolUseID)
				blocks(b.ToolResult.Content)
			}
		}
	}
	for i := range req.Messages {
		n += 128
		blocks(req.Messages[i].Content)
	}
	for i := range req.Tools {
		t := &req.Tools[i]
		n += 128 + len(t.Name) + len(t.Description) + len(t.InputSchema)
	}
	return n + n/16 // escapes
}

// turn is one Kiro turn: one client message, or several adjacent ones of the
// same role merged.
type turn struct {
	role        canon.Role
	texts       []string // one per client message, "" for messages without text
	images      []wireImage
	toolUses    []wireToolUse
	toolResults []wireToolResult
	useNames    []string // client names of toolUses, same order
}

// content is the turn's text: its messages' texts joined by blank lines, the
// system prompt in front when this is the first user turn, "." when empty.
func (t *turn) content(first bool, system string) string {
	var parts []string
	if first && t.role == canon.RoleUser && strings.TrimSpace(system) != "" {
		parts = append(parts, system)
	}
	for _, s := range t.texts {
		if strings.TrimSpace(s) != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return placeholderContent
	}
	return strings.Join(parts, "\n\n")
}

func (t *turn) userMessage(content, modelID string, tools []wireTool) *wireUserInputMessage {
	m := &wireUserInputMessage{Content: content, ModelID: modelID, Origin: "AI_EDITOR", Images: t.images}
	if len(tools) > 0 || len(t.toolResults) > 0 {
		m.UserInputMessageContext = &wireUserInputMessageContext{Tools: tools, ToolResults: t.toolResults}
	}
	return m
}

// collectTurns converts and merges the client's messages. The result starts
// with a user turn, alternates, and ends with a user turn.
func collectTurns(msgs []canon.Message) ([]turn, error) {
	if len(msgs) == 0 {
		return nil, ruleErr(RuleNoMessages, "the request has no messages; send at least one user message")
	}
	if msgs[len(msgs)-1].Role == canon.RoleAssistant {
		return nil, ruleErr(RuleTrailingAssistant, "messages[%d], the last message, is an assistant message (a prefill); Kiro cannot continue a partial answer, so end the conversation with a user message (move the prefill text into the user's request)", len(msgs)-1)
	}
	turns := make([]turn, 0, len(msgs)+1)
	for i := range msgs {
		m := &msgs[i]
		if m.Role != canon.RoleUser && m.Role != canon.RoleAssistant {
			return nil, ruleErr(RuleUnknownRole, "messages[%d] has role %q; only user and assistant are allowed (the system prompt goes in system)", i, m.Role)
		}
		if len(turns) == 0 || turns[len(turns)-1].role != m.Role {
			if len(turns) == 0 && m.Role == canon.RoleAssistant {
				// Kiro's history must start with a user turn.
				turns = append(turns, turn{role: canon.RoleUser, texts: []string{""}})
			}
			turns = append(turns, turn{role: m.Role})
		}
		if err := addMessage(&turns[len(turns)-1], i, m); err != nil {
			return nil, err
		}
	}
	return turns, nil
}

// blockPlaces are the roles that may send images, tool calls and tool
// results, and what a misplaced one is told.
var blockPlaces = map[canon.BlockType]struct {
	role canon.Role
	why  string
}{
	canon.BlockImage:      {canon.RoleUser, "is an image in an assistant message; Kiro accepts images from the user only"},
	canon.BlockToolUse:    {canon.RoleAssistant, "is a tool_use in a user message; tool calls belong to assistant messages"},
	canon.BlockToolResult: {canon.RoleUser, "is a tool_result in an assistant message; tool results belong to user messages"},
}

func addMessage(t *turn, i int, m *canon.Message) error {
	for j := range m.Content {
		b := &m.Content[j]
		if place, ok := blockPlaces[b.Type]; ok && m.Role != place.role {
			return ruleErr(RuleMisplacedBlock, "messages[%d].content[%d] %s", i, j, place.why)
		}
		switch b.Type {
		case canon.BlockText:
			// Joined below (TextOf), without a copy when it is the only one.
		case canon.BlockImage:
			img, err := convertImage(b.Image, i, j)
			if err != nil {
				return err
			}
			t.images = append(t.images, img)
		case canon.BlockToolUse:
			u := b.ToolUse
			if u == nil {
				return ruleErr(RuleInvalidBlock, "messages[%d].content[%d] is a tool_use block without its tool call", i, j)
			}
			if u.ID == "" {
				return ruleErr(RuleMissingToolUseID, "messages[%d].content[%d] calls %q without an id; every tool_use needs an id its tool_result can refer to", i, j, u.Name)
			}
			if u.Name == "" {
				return ruleErr(RuleInvalidToolName, "tool_use %s in messages[%d] has no name", u.ID, i)
			}
			input, ok := objectInput(u.Input)
			if !ok {
				return ruleErr(RuleInvalidToolInput, "tool_use %s in messages[%d] has input %s; the input must be a JSON object", u.ID, i, clip(string(u.Input), 80))
			}
			t.toolUses = append(t.toolUses, wireToolUse{ToolUseID: u.ID, Name: ShortenToolName(u.Name), Input: input})
			t.useNames = append(t.useNames, u.Name)
		case canon.BlockToolResult:
			r := b.ToolResult
			if r == nil {
				return ruleErr(RuleInvalidBlock, "messages[%d].content[%d] is a tool_result block without its result", i, j)
			}
			res, imgs, err := convertResult(r, i, j)
			if err != nil {
				return err
			}
			t.toolResults = append(t.toolResults, res)
			t.images = append(t.images, imgs...)
		default:
			// Thinking blocks of earlier turns are dropped (package doc);
			// unknown block types are tolerated the same way.
		}
	}
	t.texts = append(t.texts, canon.TextOf(m.Content))
	return nil
}

func convertImage(img *canon.Image, i, j int) (wireImage, error) {
	if img == nil {
		return wireImage{}, ruleErr(RuleInvalidBlock, "messages[%d].content[%d] is an image block without image data", i, j)
	}
	var format string
	switch strings.ToLower(strings.TrimSpace(img.MediaType)) {
	case "image/png":
		format = "png"
	case "image/jpeg", "image/jpg":
		format = "jpeg"
	case "image/gif":
		format = "gif"
	case "image/webp":
		format = "webp"
	default:
		return wireImage{}, ruleErr(RuleUnsupportedImage, "messages[%d].content[%d] is an image of type %q; Kiro accepts image/png, image/jpeg, image/gif and image/webp, so convert it first", i, j, img.MediaType)
	}
	if img.Data == "" {
		return wireImage{}, ruleErr(RuleInvalidBlock, "messages[%d].content[%d] is an image without data", i, j)
	}
	return wireImage{Format: format, Source: wireImageSource{Bytes: img.Data}}, nil
}

func convertResult(r *canon.ToolResult, i, j int) (wireToolResult, []wireImage, error) {
	if r.ToolUseID == "" {
		return wireToolResult{}, nil, ruleErr(RuleMissingToolUseID, "the tool_result in messages[%d].content[%d] has no tool_use_id; it must name the tool call it answers", i, j)
	}
	var imgs []wireImage
	for k := range r.Content {
		if b := &r.Content[k]; b.Type == canon.BlockImage {
			img, err := convertImage(b.Image, i, j)
			if err != nil {
				return wireToolResult{}, nil, err
			}
			imgs = append(imgs, img)
		}
	}
	text := canon.TextOf(r.Content)
	if strings.TrimSpace(text) == "" {
		text = emptyResultText
		if len(imgs) > 0 {
			text = imageOnlyResultText
		}
	}
	status := "success"
	if r.IsError {
		status = "error"
	}
	return wireToolResult{ToolUseID: r.ToolUseID, Content: []wireToolResultContent{{Text: text}}, Status: status}, imgs, nil
}

// objectInput returns a tool call's input as a JSON object; absent or null
// input becomes {}.
func objectInput(raw json.RawMessage) (json.RawMessage, bool) {
	in := bytes.TrimSpace(raw)
	if len(in) == 0 || string(in) == "null" {
		return json.RawMessage("{}"), true
	}
	if in[0] != '{' || !json.Valid(in) {
		return nil, false
	}
	return json.RawMessage(in), true
}

// buildTools declares the request's tools plus any tool the history uses
// without declaring it (package doc), and returns the name map for Built.
func buildTools(reqTools []canon.Tool, turns []turn) ([]wireTool, map[string]string, error) {
	names := make(map[string]string, len(reqTools))
	tools := make([]wireTool, 0, len(reqTools))
	add := func(client, desc string, schema json.RawMessage) error {
		short := ShortenToolName(client)
		if prev, ok := names[short]; ok {
			if prev == client {
				return nil // declared twice: the first declaration wins
			}
			return ruleErr(RuleToolNameCollision, "tools %q and %q both become %q when cut to %d characters; rename one of them", prev, client, short, MaxToolNameLen)
		}
		names[short] = client
		if strings.TrimSpace(desc) == "" {
			// Bedrock-style tool specs need a non-empty description.
			desc = client
		}
		tools = append(tools, wireTool{ToolSpecification: wireToolSpecification{
			Name:        short,
			Description: cutDescription(desc),
			InputSchema: wireInputSchema{JSON: cleanSchemaCached(schema)},
		}})
		return nil
	}
	for i := range reqTools {
		t := &reqTools[i]
		if t.Name == "" {
			return nil, nil, ruleErr(RuleInvalidToolName, "tools[%d] has no name", i)
		}
		if err := add(t.Name, t.Description, t.InputSchema); err != nil {
			return nil, nil, err
		}
	}
	for i := range turns {
		for _, name := range turns[i].useNames {
			if _, ok := names[ShortenToolName(name)]; !ok {
				if err := add(name, autoDeclaredToolDesc, nil); err != nil {
					return nil, nil, err
				}
			}
		}
	}
	return tools, names, nil
}

// thinkingPrefix is the emulated-thinking instruction for the current message.
func thinkingPrefix(t *canon.Thinking) string {
	if t == nil {
		return ""
	}
	switch t.Mode {
	case "enabled":
		n := min(max(t.BudgetTokens, minThinkingBudget), maxThinkingBudget)
		return "<thinking_mode>enabled</thinking_mode><max_thinking_length>" + strconv.Itoa(n) + "</max_thinking_length>"
	case "adaptive":
		effort := t.Effort
		switch effort {
		case "low", "medium", "high":
		default:
			// Kiro knows low|medium|high; Anthropic's default effort is high
			// and its "max" has no Kiro equivalent above high.
			effort = "high"
		}
		return "<thinking_mode>adaptive</thinking_mode><thinking_effort>" + effort + "</thinking_effort>"
	}
	return ""
}
