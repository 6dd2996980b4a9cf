package payload

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// RuleError is a request Kiro would refuse, found before sending it. Rule is
// a stable machine name (see the Rule* constants); Message names the turn or
// tool id at fault and says how to fix the request.
type RuleError struct {
	Rule    string
	Message string
}

func (e *RuleError) Error() string { return "kiro request rule " + e.Rule + ": " + e.Message }

func ruleErr(rule, format string, args ...any) *RuleError {
	return &RuleError{Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// Rule names. They are part of the API: the HTTP layer may map them to
// error types, and users will search for them.
const (
	RuleNoMessages              = "no_messages"
	RuleMissingConversationID   = "missing_conversation_id"
	RuleMissingModel            = "missing_model"
	RuleUnknownRole             = "unknown_role"
	RuleInvalidBlock            = "invalid_block"
	RuleMisplacedBlock          = "misplaced_block"
	RuleTrailingAssistant       = "trailing_assistant"
	RuleUnsupportedImage        = "unsupported_image"
	RuleInvalidToolName         = "invalid_tool_name"
	RuleToolNameCollision       = "tool_name_collision"
	RuleInvalidToolInput        = "invalid_tool_input"
	RuleMissingToolUseID        = "missing_tool_use_id"
	RuleOrphanToolResult        = "orphan_tool_result"
	RuleMissingToolResult       = "missing_tool_result"
	RuleUndeclaredTool          = "undeclared_tool"
	RuleEmptyTurn               = "empty_turn"
	RuleHistoryAlternation      = "history_alternation"
	RuleThinkingWithToolResults = "thinking_with_tool_results"
	RulePayloadTooLarge         = "payload_too_large"
	RuleInvalidPayload          = "invalid_payload"
)

// DefaultMaxPayloadBytes is used when Options.MaxPayloadBytes is not set:
// Kiro answers larger bodies with an opaque 400 (kiro-protocol.md section 3).
const DefaultMaxPayloadBytes = 600_000

// thinkingTag starts the thinking prefix; Preflight looks for it.
const thinkingTag = "<thinking_mode>"

// Preflight checks a generateAssistantResponse body against the shape rules
// of kiro-protocol.md section 3 and returns the first violation as a
// *RuleError, or nil. maxPayloadBytes <= 0 means DefaultMaxPayloadBytes.
// Build runs the same checks on what it built; Preflight exists for bodies
// from elsewhere (tests, a replay tool) and for the fuzz property.
func Preflight(body []byte, maxPayloadBytes int) error {
	var p wirePayload
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil {
		return ruleErr(RuleInvalidPayload, "the body is not a valid Kiro request: %v", err)
	}
	if dec.More() {
		return ruleErr(RuleInvalidPayload, "the body has data after its JSON object")
	}
	return preflight(&p, len(body), maxPayloadBytes)
}

// msgRef is one turn of the conversation in order: history entries, then the
// current message.
type msgRef struct {
	where string
	user  *wireUserInputMessage
	asst  *wireAssistantResponseMessage
}

func preflight(p *wirePayload, size, maxBytes int) error {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxPayloadBytes
	}
	cs := &p.ConversationState
	if cs.ConversationID == "" {
		return ruleErr(RuleMissingConversationID, "conversationState.conversationId is empty; the caller must supply a UUID")
	}
	cur := cs.CurrentMessage.UserInputMessage
	if cur == nil {
		return ruleErr(RuleTrailingAssistant, "currentMessage has no userInputMessage; Kiro continues only from a user message, so the conversation must end with one")
	}
	if cur.ModelID == "" {
		return ruleErr(RuleMissingModel, "currentMessage.userInputMessage.modelId is empty; name a model (for example claude-sonnet-4.5 or auto)")
	}

	turns := make([]msgRef, 0, len(cs.History)+1)
	for i := range cs.History {
		h := &cs.History[i]
		wantUser := i%2 == 0
		switch {
		case (h.UserInputMessage == nil) == (h.AssistantResponseMessage == nil):
			return ruleErr(RuleHistoryAlternation, "history[%d] must hold exactly one of userInputMessage and assistantResponseMessage", i)
		case wantUser && h.UserInputMessage == nil:
			return ruleErr(RuleHistoryAlternation, "history[%d] is an assistant turn where a user turn must be; history must start with a user turn and alternate (merge adjacent turns of one role, or insert a short user turn)", i)
		case !wantUser && h.AssistantResponseMessage == nil:
			return ruleErr(RuleHistoryAlternation, "history[%d] is a user turn following a user turn; merge adjacent user turns into one", i)
		}
		turns = append(turns, msgRef{where: fmt.Sprintf("history[%d]", i), user: h.UserInputMessage, asst: h.AssistantResponseMessage})
	}
	if n := len(cs.History); n%2 == 1 {
		return ruleErr(RuleHistoryAlternation, "history[%d] is a user turn followed by the current (user) message; history must end with an assistant turn, so merge the two user turns", n-1)
	}
	turns = append(turns, msgRef{where: "the current message", user: cur})

	declared := map[string]bool{}
	if c := cur.UserInputMessageContext; c != nil {
		for i, t := range c.Tools {
			name := t.ToolSpecification.Name
			if name == "" || len(name) > MaxToolNameLen {
				return ruleErr(RuleInvalidToolName, "tools[%d] has name %q; tool names must be 1 to %d characters", i, name, MaxToolNameLen)
			}
			declared[name] = true
		}
	}

	seenUses := map[string]bool{} // every tool_use id so far
	var pending []wireToolUse     // uses of the previous assistant turn
	for _, t := range turns {
		if t.asst != nil {
			if strings.TrimSpace(t.asst.Content) == "" {
				return ruleErr(RuleEmptyTurn, "%s (assistant) has empty content; Kiro rejects empty turns, give it text (a placeholder such as \".\" will do)", t.where)
			}
			for _, u := range t.asst.ToolUses {
				if u.ToolUseID == "" {
					return ruleErr(RuleMissingToolUseID, "a tool use of %q in %s has no toolUseId; every tool call needs an id its result can refer to", u.Name, t.where)
				}
				if u.Name == "" || len(u.Name) > MaxToolNameLen {
					return ruleErr(RuleInvalidToolName, "tool use %s in %s has name %q; tool names must be 1 to %d characters", u.ToolUseID, t.where, u.Name, MaxToolNameLen)
				}
				if !declared[u.Name] {
					return ruleErr(RuleUndeclaredTool, "tool use %s in %s calls %q, which is not declared in currentMessage tools; declare every tool the history uses", u.ToolUseID, t.where, u.Name)
				}
				if in := bytes.TrimSpace(u.Input); len(in) == 0 || in[0] != '{' {
					return ruleErr(RuleInvalidToolInput, "tool use %s in %s has input %s; the input must be a JSON object", u.ToolUseID, t.where, clip(string(u.Input), 80))
				}
				seenUses[u.ToolUseID] = true
			}
			pending = t.asst.ToolUses
			continue
		}
		u := t.user
		if strings.TrimSpace(u.Content) == "" {
			return ruleErr(RuleEmptyTurn, "%s (user) has empty content; Kiro rejects empty turns, give it text (a placeholder such as \".\" will do)", t.where)
		}
		if u.ModelID == "" {
			return ruleErr(RuleMissingModel, "%s has no modelId", t.where)
		}
		var results []wireToolResult
		if c := u.UserInputMessageContext; c != nil {
			results = c.ToolResults
			if len(c.Tools) > 0 && u != cur {
				return ruleErr(RuleInvalidPayload, "%s declares tools; only the current message may carry tools", t.where)
			}
		}
		if len(results) > 0 && strings.HasPrefix(u.Content, thinkingTag) {
			return ruleErr(RuleThinkingWithToolResults, "%s starts with the %s prefix and also carries toolResults; Kiro rejects the pair as an improperly formed request, so send the thinking prefix only on user turns without tool results", t.where, thinkingTag)
		}
		answered := make(map[string]bool, len(results))
		for _, r := range results {
			if !seenUses[r.ToolUseID] {
				return ruleErr(RuleOrphanToolResult, "%s has a tool result for toolUseId %q, but no earlier assistant turn made a tool call with that id; drop the result or keep the assistant turn that made the call", t.where, r.ToolUseID)
			}
			if r.Status != "success" && r.Status != "error" {
				return ruleErr(RuleInvalidPayload, "the tool result for %q in %s has status %q; it must be success or error", r.ToolUseID, t.where, r.Status)
			}
			answered[r.ToolUseID] = true
		}
		for _, use := range pending {
			if !answered[use.ToolUseID] {
				return ruleErr(RuleMissingToolResult, "tool call %s (%s) has no tool result in the next user turn (%s); every tool_use must be answered by a tool_result right after it (send an error result if the call was interrupted)", use.ToolUseID, use.Name, t.where)
			}
		}
		pending = nil
	}

	if size > maxBytes {
		return ruleErr(RulePayloadTooLarge, "the Kiro request is %d bytes, above the %d-byte limit; compact or shorten the conversation, or drop large tool results and images", size, maxBytes)
	}
	return nil
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
