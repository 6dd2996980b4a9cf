package anthropic

import (
	"encoding/base64"
	"io"
	"strings"

	"kirodesk/internal/canon"
)

// minThinkingBudget is the smallest thinking.budget_tokens the Messages API
// accepts.
const minThinkingBudget = 1024

// ParseRequest parses a POST /v1/messages body. model, max_tokens (> 0) and a
// non-empty messages array are required. Errors are *RequestError.
func ParseRequest(body []byte) (*canon.Request, error) {
	return parseRequest(body, true)
}

// CountTokensRequest parses a POST /v1/messages/count_tokens body: the same
// fields as ParseRequest, except that max_tokens is optional. Errors are
// *RequestError.
func CountTokensRequest(body []byte) (*canon.Request, error) {
	return parseRequest(body, false)
}

func parseRequest(body []byte, messagesCall bool) (*canon.Request, error) {
	root, err := parseTree(body)
	if err != nil {
		return nil, err
	}
	d := &doc{body: body}
	if root.Kind != jsonObject {
		return nil, &RequestError{Message: "request body: expected a JSON object, got " + root.Describe()}
	}
	r := &canon.Request{}

	if r.Model, err = d.reqString(root, "", "model"); err != nil {
		return nil, err
	}
	if r.Model == "" {
		return nil, d.errf("model", "must not be empty")
	}

	if v := root.Get("max_tokens"); present(v) {
		n, err := d.integer(v, "max_tokens")
		if err != nil {
			return nil, err
		}
		if n < 1 {
			return nil, d.errf("max_tokens", "must be at least 1, got %d", n)
		}
		if n > 1<<31-1 {
			return nil, d.errf("max_tokens", "%d is too large", n)
		}
		r.MaxTokens = int(n)
	} else if messagesCall {
		return nil, d.required("max_tokens")
	}

	if r.Messages, err = d.messages(root.Get("messages")); err != nil {
		return nil, err
	}
	if r.System, err = d.system(root.Get("system")); err != nil {
		return nil, err
	}
	if err = d.tools(root.Get("tools"), r); err != nil {
		return nil, err
	}
	if v := root.Get("mcp_servers"); present(v) {
		r.Warn("mcp_servers ignored: the MCP connector is not available through Kiro")
	}
	if r.ToolChoice, err = d.toolChoice(root.Get("tool_choice")); err != nil {
		return nil, err
	}
	effort, err := d.effort(root.Get("output_config"))
	if err != nil {
		return nil, err
	}
	if r.Thinking, err = d.thinking(root.Get("thinking"), effort); err != nil {
		return nil, err
	}
	// budget_tokens is not checked against max_tokens: with interleaved
	// thinking (a beta header Claude Code sends) the API allows a budget
	// above max_tokens, and Kiro takes neither as a hard limit.
	// Documented limitation of extended thinking: only auto and none may be
	// combined with it.
	if r.Thinking != nil && r.ToolChoice != nil && (r.ToolChoice.Type == "any" || r.ToolChoice.Type == "tool") {
		return nil, d.errf("tool_choice.type", `%q forces tool use, which cannot be combined with thinking; use "auto" or "none", or disable thinking`, r.ToolChoice.Type)
	}
	if r.Stream, err = d.optBool(root, "", "stream"); err != nil {
		return nil, err
	}
	if m := root.Get("metadata"); present(m) {
		if err := d.object(m, "metadata"); err != nil {
			return nil, err
		}
		if r.ConversationKey, err = d.optString(m, "metadata", "user_id"); err != nil {
			return nil, err
		}
	}
	if err := d.samplingFields(root); err != nil {
		return nil, err
	}
	return r, nil
}

// samplingFields type-checks the fields Kiro has no equivalent for; their
// values are ignored.
func (d *doc) samplingFields(root *value) error {
	for _, k := range []string{"temperature", "top_p"} {
		if v := root.Get(k); present(v) && v.Kind != jsonNumber {
			return d.typeErr(fieldPath(k), v, "a number")
		}
	}
	if v := root.Get("top_k"); present(v) {
		if _, err := d.integer(v, "top_k"); err != nil {
			return err
		}
	}
	if v := root.Get("stop_sequences"); present(v) {
		if v.Kind != jsonArray {
			return d.typeErr("stop_sequences", v, "an array of strings")
		}
		for i, e := range v.Elems {
			if e.Kind != jsonString {
				return d.typeErr(fieldPath("stop_sequences").idx(i), e, "a string")
			}
		}
	}
	return nil
}

func (d *doc) messages(v *value) ([]canon.Message, error) {
	const p = fieldPath("messages")
	if !present(v) {
		return nil, d.required(p)
	}
	if v.Kind != jsonArray {
		return nil, d.typeErr(p, v, "an array of messages")
	}
	if len(v.Elems) == 0 {
		return nil, d.errf(p, "at least one message is required")
	}
	out := make([]canon.Message, 0, len(v.Elems))
	for i, mv := range v.Elems {
		m, err := d.message(mv, p.idx(i), i == len(v.Elems)-1)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func (d *doc) message(v *value, p fieldPath, last bool) (canon.Message, error) {
	var m canon.Message
	if err := d.object(v, p); err != nil {
		return m, err
	}
	role, err := d.reqString(v, p, "role")
	if err != nil {
		return m, err
	}
	switch role {
	case "user":
		m.Role = canon.RoleUser
	case "assistant":
		m.Role = canon.RoleAssistant
	case "system":
		return m, d.errf(p.key("role"), `"system" is not a message role; put the system prompt in the top-level "system" field`)
	default:
		return m, d.errf(p.key("role"), `%q is not a valid role; use "user" or "assistant"`, role)
	}

	cp := p.key("content")
	cv := v.Get("content")
	if !present(cv) {
		return m, d.required(cp)
	}
	switch cv.Kind {
	case jsonString:
		if cv.Str != "" {
			m.Content = []canon.Block{{Type: canon.BlockText, Text: cv.Str}}
		}
	case jsonArray:
		for j, bv := range cv.Elems {
			b, keep, err := d.block(bv, cp.idx(j), m.Role)
			if err != nil {
				return m, err
			}
			if keep {
				m.Content = append(m.Content, b)
			}
		}
	default:
		return m, d.typeErr(cp, cv, "a string or an array of content blocks")
	}
	// The Messages API allows only the final assistant turn (a prefill) to be
	// empty; an empty turn elsewhere is a client bug Kiro would reject less
	// helpfully.
	if len(m.Content) == 0 && !(last && m.Role == canon.RoleAssistant) && !(cv.Kind == jsonArray && len(cv.Elems) > 0) {
		return m, d.errf(cp, "must not be empty (only the final assistant message may be empty)")
	}
	return m, nil
}

// unsupportedBlocks are content block types the Messages API defines but
// Kiro cannot carry, with the reason given to the client.
var unsupportedBlocks = map[string]string{
	"document":         "document blocks (PDF and plain-text files) are not supported by Kiro; send the text as a text block",
	"search_result":    "search_result blocks are not supported by Kiro; send the text as a text block",
	"container_upload": "container_upload blocks are not supported by Kiro",
}

// block parses one content block of a message. keep is false for blocks that
// are valid but carry nothing Kiro can use (redacted_thinking).
func (d *doc) block(v *value, p fieldPath, role canon.Role) (b canon.Block, keep bool, err error) {
	if err := d.object(v, p); err != nil {
		return b, false, err
	}
	typ, err := d.reqString(v, p, "type")
	if err != nil {
		return b, false, err
	}
	tp := p.key("type")
	onlyIn := func(want canon.Role) error {
		if role != want {
			return d.errf(tp, "%s blocks are only allowed in %s messages", typ, want)
		}
		return nil
	}
	switch typ {
	case "text":
		b, err = d.textBlock(v, p)
		return b, err == nil, err
	case "image":
		if err := onlyIn(canon.RoleUser); err != nil {
			return b, false, err
		}
		b, err = d.imageBlock(v, p)
		return b, err == nil, err
	case "tool_use":
		if err := onlyIn(canon.RoleAssistant); err != nil {
			return b, false, err
		}
		b, err = d.toolUseBlock(v, p)
		return b, err == nil, err
	case "tool_result":
		if err := onlyIn(canon.RoleUser); err != nil {
			return b, false, err
		}
		b, err = d.toolResultBlock(v, p)
		return b, err == nil, err
	case "thinking":
		if err := onlyIn(canon.RoleAssistant); err != nil {
			return b, false, err
		}
		text, err := d.reqString(v, p, "thinking")
		if err != nil {
			return b, false, err
		}
		sig, err := d.optString(v, p, "signature")
		if err != nil {
			return b, false, err
		}
		return canon.Block{Type: canon.BlockThinking, Thinking: &canon.ThinkingBlock{Text: text, Signature: sig}}, true, nil
	case "redacted_thinking":
		if err := onlyIn(canon.RoleAssistant); err != nil {
			return b, false, err
		}
		// Encrypted reasoning from Anthropic's own models: Kiro cannot read
		// it, and it carries nothing the next turn needs.
		if _, err := d.optString(v, p, "data"); err != nil {
			return b, false, err
		}
		return b, false, nil
	}
	if text, ok, err := d.serverToolBlock(v, p, typ); ok || err != nil {
		return canon.Block{Type: canon.BlockText, Text: text}, err == nil, err
	}
	if why, ok := unsupportedBlocks[typ]; ok {
		return b, false, d.errf(tp, "%s", why)
	}
	return b, false, d.errf(tp, "unknown content block type %q; expected text, image, tool_use, tool_result, thinking or redacted_thinking", typ)
}

func (d *doc) textBlock(v *value, p fieldPath) (canon.Block, error) {
	text, err := d.reqString(v, p, "text")
	if err != nil {
		return canon.Block{}, err
	}
	if text == "" {
		return canon.Block{}, d.errf(p.key("text"), "text content blocks must be non-empty")
	}
	return canon.Block{Type: canon.BlockText, Text: text}, nil
}

var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

func (d *doc) imageBlock(v *value, p fieldPath) (canon.Block, error) {
	sp := p.key("source")
	src := v.Get("source")
	if !present(src) {
		return canon.Block{}, d.required(sp)
	}
	if err := d.object(src, sp); err != nil {
		return canon.Block{}, err
	}
	st, err := d.reqString(src, sp, "type")
	if err != nil {
		return canon.Block{}, err
	}
	switch st {
	case "base64":
	case "url":
		return canon.Block{}, d.errf(sp.key("type"), `"url" image sources are not supported; download the image and send it as a base64 source`)
	case "file":
		return canon.Block{}, d.errf(sp.key("type"), `"file" image sources (Files API) are not supported; send the image as a base64 source`)
	default:
		return canon.Block{}, d.errf(sp.key("type"), `unknown image source type %q; use "base64"`, st)
	}
	mt, err := d.reqString(src, sp, "media_type")
	if err != nil {
		return canon.Block{}, err
	}
	if !imageTypes[mt] {
		return canon.Block{}, d.errf(sp.key("media_type"), "%q is not supported; use png, jpeg, gif or webp", mt)
	}
	data, err := d.reqString(src, sp, "data")
	if err != nil {
		return canon.Block{}, err
	}
	if data == "" {
		return canon.Block{}, d.errf(sp.key("data"), "must not be empty")
	}
	// Decode into nothing: checks the encoding without holding a second copy
	// of a multi-megabyte image.
	if _, err := io.Copy(io.Discard, base64.NewDecoder(base64.StdEncoding, strings.NewReader(data))); err != nil {
		return canon.Block{}, d.errf(sp.key("data"), "not valid base64: %v", err)
	}
	return canon.Block{Type: canon.BlockImage, Image: &canon.Image{MediaType: mt, Data: data}}, nil
}

func (d *doc) toolUseBlock(v *value, p fieldPath) (canon.Block, error) {
	id, err := d.reqString(v, p, "id")
	if err != nil {
		return canon.Block{}, err
	}
	if id == "" {
		return canon.Block{}, d.errf(p.key("id"), "must not be empty")
	}
	name, err := d.reqString(v, p, "name")
	if err != nil {
		return canon.Block{}, err
	}
	if name == "" {
		return canon.Block{}, d.errf(p.key("name"), "must not be empty")
	}
	iv := v.Get("input")
	if !present(iv) {
		return canon.Block{}, d.required(p.key("input"))
	}
	input, err := d.rawObject(iv, p.key("input"))
	if err != nil {
		return canon.Block{}, err
	}
	return canon.Block{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: id, Name: name, Input: input}}, nil
}

func (d *doc) toolResultBlock(v *value, p fieldPath) (canon.Block, error) {
	id, err := d.reqString(v, p, "tool_use_id")
	if err != nil {
		return canon.Block{}, err
	}
	if id == "" {
		return canon.Block{}, d.errf(p.key("tool_use_id"), "must not be empty")
	}
	isErr, err := d.optBool(v, p, "is_error")
	if err != nil {
		return canon.Block{}, err
	}
	tr := &canon.ToolResult{ToolUseID: id, IsError: isErr}
	cp := p.key("content")
	switch cv := v.Get("content"); {
	case !present(cv):
	case cv.Kind == jsonString:
		if cv.Str != "" {
			tr.Content = []canon.Block{{Type: canon.BlockText, Text: cv.Str}}
		}
	case cv.Kind == jsonArray:
		for j, bv := range cv.Elems {
			bp := cp.idx(j)
			if err := d.object(bv, bp); err != nil {
				return canon.Block{}, err
			}
			typ, err := d.reqString(bv, bp, "type")
			if err != nil {
				return canon.Block{}, err
			}
			var b canon.Block
			switch typ {
			case "text":
				b, err = d.textBlock(bv, bp)
			case "image":
				b, err = d.imageBlock(bv, bp)
			default:
				if text, ok, err := d.serverToolBlock(bv, bp, typ); ok || err != nil {
					if err != nil {
						return canon.Block{}, err
					}
					tr.Content = append(tr.Content, canon.Block{Type: canon.BlockText, Text: text})
					continue
				}
				if why, ok := unsupportedBlocks[typ]; ok {
					return canon.Block{}, d.errf(bp.key("type"), "%s", why)
				}
				return canon.Block{}, d.errf(bp.key("type"), "%q blocks are not allowed in tool_result content; use text or image", typ)
			}
			if err != nil {
				return canon.Block{}, err
			}
			tr.Content = append(tr.Content, b)
		}
	default:
		return canon.Block{}, d.typeErr(cp, cv, "a string or an array of text and image blocks")
	}
	return canon.Block{Type: canon.BlockToolResult, ToolResult: tr}, nil
}

func (d *doc) system(v *value) (string, error) {
	const p = fieldPath("system")
	if !present(v) {
		return "", nil
	}
	switch v.Kind {
	case jsonString:
		return v.Str, nil
	case jsonArray:
		parts := make([]string, 0, len(v.Elems))
		for i, bv := range v.Elems {
			bp := p.idx(i)
			if err := d.object(bv, bp); err != nil {
				return "", err
			}
			typ, err := d.reqString(bv, bp, "type")
			if err != nil {
				return "", err
			}
			if typ != "text" {
				return "", d.errf(bp.key("type"), "system blocks must be text blocks, got %q", typ)
			}
			b, err := d.textBlock(bv, bp)
			if err != nil {
				return "", err
			}
			parts = append(parts, b.Text)
		}
		return strings.Join(parts, "\n\n"), nil
	default:
		return "", d.typeErr(p, v, "a string or an array of text blocks")
	}
}

func (d *doc) toolChoice(v *value) (*canon.ToolChoice, error) {
	const p = fieldPath("tool_choice")
	if !present(v) {
		return nil, nil
	}
	if err := d.object(v, p); err != nil {
		return nil, err
	}
	typ, err := d.reqString(v, p, "type")
	if err != nil {
		return nil, err
	}
	if _, err := d.optBool(v, p, "disable_parallel_tool_use"); err != nil {
		return nil, err
	}
	switch typ {
	case "auto", "any", "none":
		return &canon.ToolChoice{Type: typ}, nil
	case "tool":
		name, err := d.reqString(v, p, "name")
		if err != nil {
			return nil, err
		}
		if name == "" {
			return nil, d.errf(p.key("name"), "must not be empty")
		}
		return &canon.ToolChoice{Type: typ, Name: name}, nil
	default:
		return nil, d.errf(p.key("type"), `%q is not valid; use "auto", "any", "tool" or "none"`, typ)
	}
}

var efforts = map[string]bool{"low": true, "medium": true, "high": true, "xhigh": true, "max": true}

func (d *doc) checkEffort(v *value, p fieldPath) (string, error) {
	if !present(v) {
		return "", nil
	}
	if v.Kind != jsonString {
		return "", d.typeErr(p, v, "a string")
	}
	if !efforts[v.Str] {
		return "", d.errf(p, "%q is not valid; use low, medium, high, xhigh or max", v.Str)
	}
	return v.Str, nil
}

// effort reads output_config.effort, where the Messages API puts the effort
// level that goes with adaptive thinking.
func (d *doc) effort(v *value) (string, error) {
	const p = fieldPath("output_config")
	if !present(v) {
		return "", nil
	}
	if err := d.object(v, p); err != nil {
		return "", err
	}
	return d.checkEffort(v.Get("effort"), p.key("effort"))
}

func (d *doc) thinking(v *value, effort string) (*canon.Thinking, error) {
	const p = fieldPath("thinking")
	if !present(v) {
		return nil, nil
	}
	if err := d.object(v, p); err != nil {
		return nil, err
	}
	typ, err := d.reqString(v, p, "type")
	if err != nil {
		return nil, err
	}
	switch typ {
	case "disabled":
		return nil, nil
	case "enabled":
		bp := p.key("budget_tokens")
		bv := v.Get("budget_tokens")
		if !present(bv) {
			return nil, d.required(bp)
		}
		n, err := d.integer(bv, bp)
		if err != nil {
			return nil, err
		}
		if n < minThinkingBudget {
			return nil, d.errf(bp, "must be at least %d, got %d", minThinkingBudget, n)
		}
		if n > 1<<31-1 {
			return nil, d.errf(bp, "%d is too large", n)
		}
		return &canon.Thinking{Mode: "enabled", BudgetTokens: int(n)}, nil
	case "adaptive":
		// Older clients put effort inside thinking; output_config.effort is
		// the documented place and wins when both are set.
		e, err := d.checkEffort(v.Get("effort"), p.key("effort"))
		if err != nil {
			return nil, err
		}
		if effort != "" {
			e = effort
		}
		return &canon.Thinking{Mode: "adaptive", Effort: e}, nil
	default:
		return nil, d.errf(p.key("type"), `%q is not valid; use "enabled", "adaptive" or "disabled"`, typ)
	}
}
