package anthropic

import (
	"strings"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/jsontree"
	"kirodesk/internal/translate/wire"
)

// minThinkingBudget is the smallest thinking.budget_tokens the Messages API
// accepts.
const minThinkingBudget = 1024

// ParseOptions say what the parser may do with the body.
type ParseOptions struct {
	// InPlace: the caller owns the body and hands it over, to be parsed in
	// place (jsontree.ParseOptions.InPlace): long strings are unquoted into
	// it rather than into copies. The caller must not use the body after
	// the call; the request's strings may be its bytes.
	InPlace bool
}

// ParseRequest parses a POST /v1/messages body. model, max_tokens (> 0) and a
// non-empty messages array are required. Errors are *RequestError.
func ParseRequest(body []byte, opts ParseOptions) (*canon.Request, error) {
	return parseRequest(body, opts, true)
}

// CountTokensRequest parses a POST /v1/messages/count_tokens body: the same
// fields as ParseRequest, except that max_tokens is optional. Errors are
// *RequestError.
func CountTokensRequest(body []byte, opts ParseOptions) (*canon.Request, error) {
	return parseRequest(body, opts, false)
}

func parseRequest(body []byte, opts ParseOptions, messagesCall bool) (*canon.Request, error) {
	jd, root, err := jsontree.ParseObject(body, jsontree.ParseOptions{InPlace: opts.InPlace})
	if err != nil {
		return nil, err
	}
	d := &doc{jd}
	r := &canon.Request{}

	if r.Model, err = d.NonEmptyString(root, "", "model"); err != nil {
		return nil, err
	}

	if v := root.Get("max_tokens"); jsontree.Present(v) {
		n, err := d.Integer(v, "max_tokens")
		if err != nil {
			return nil, err
		}
		if n < 1 {
			return nil, d.Errf("max_tokens", "must be at least 1, got %d", n)
		}
		if n > 1<<31-1 {
			return nil, d.Errf("max_tokens", "%d is too large", n)
		}
		r.MaxTokens = int(n)
	} else if messagesCall {
		return nil, d.Required("max_tokens")
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
	if v := root.Get("mcp_servers"); jsontree.Present(v) {
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
		return nil, d.Errf("tool_choice.type", `%q forces tool use, which cannot be combined with thinking; use "auto" or "none", or disable thinking`, r.ToolChoice.Type)
	}
	if r.Stream, err = d.OptBool(root, "", "stream"); err != nil {
		return nil, err
	}
	if m := root.Get("metadata"); jsontree.Present(m) {
		if err := d.Object(m, "metadata"); err != nil {
			return nil, err
		}
		if r.ConversationKey, err = d.OptString(m, "metadata", "user_id"); err != nil {
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
func (d *doc) samplingFields(root *jsontree.Value) error {
	for _, k := range []string{"temperature", "top_p"} {
		if v := root.Get(k); jsontree.Present(v) && v.Kind != jsontree.Number {
			return d.TypeErr(jsontree.Path(k), v, "a number")
		}
	}
	if v := root.Get("top_k"); jsontree.Present(v) {
		if _, err := d.Integer(v, "top_k"); err != nil {
			return err
		}
	}
	return d.OptStringArray(root, "", "stop_sequences", nil)
}

func (d *doc) messages(v *jsontree.Value) ([]canon.Message, error) {
	const p = jsontree.Path("messages")
	if !jsontree.Present(v) {
		return nil, d.Required(p)
	}
	if v.Kind != jsontree.Array {
		return nil, d.TypeErr(p, v, "an array of messages")
	}
	if len(v.Elems) == 0 {
		return nil, d.Errf(p, "at least one message is required")
	}
	out := make([]canon.Message, 0, len(v.Elems))
	err := d.EachObject(v, p, func(i int, mv *jsontree.Value, mp jsontree.Path) error {
		m, err := d.message(mv, mp, i == len(v.Elems)-1)
		out = append(out, m)
		return err
	})
	return out, err
}

// message reads the message object v at p.
func (d *doc) message(v *jsontree.Value, p jsontree.Path, last bool) (canon.Message, error) {
	var m canon.Message
	role, err := d.ReqString(v, p, "role")
	if err != nil {
		return m, err
	}
	switch role {
	case "user":
		m.Role = canon.RoleUser
	case "assistant":
		m.Role = canon.RoleAssistant
	case "system":
		return m, d.Errf(p.Key("role"), `"system" is not a message role; put the system prompt in the top-level "system" field`)
	default:
		return m, d.Errf(p.Key("role"), `%q is not a valid role; use "user" or "assistant"`, role)
	}

	cv, cp, err := d.ReqValue(v, p, "content")
	if err != nil {
		return m, err
	}
	m.Content, err = wire.Content(&d.Doc, cv, cp, "a string or an array of content blocks",
		func(bv *jsontree.Value, bp jsontree.Path) (canon.Block, bool, error) { return d.block(bv, bp, m.Role) })
	if err != nil {
		return m, err
	}
	// The Messages API allows only the final assistant turn (a prefill) to be
	// empty; an empty turn elsewhere is a client bug Kiro would reject less
	// helpfully.
	if len(m.Content) == 0 && !(last && m.Role == canon.RoleAssistant) && !(cv.Kind == jsontree.Array && len(cv.Elems) > 0) {
		return m, d.Errf(cp, "must not be empty (only the final assistant message may be empty)")
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
func (d *doc) block(v *jsontree.Value, p jsontree.Path, role canon.Role) (b canon.Block, keep bool, err error) {
	if err := d.Object(v, p); err != nil {
		return b, false, err
	}
	typ, err := d.ReqString(v, p, "type")
	if err != nil {
		return b, false, err
	}
	if want := blockRole(typ); want != "" && role != want {
		return b, false, d.Errf(p.Key("type"), "%s blocks are only allowed in %s messages", typ, want)
	}
	switch typ {
	case "text":
		b, err = d.textBlock(v, p)
	case "image":
		b, err = d.imageBlock(v, p)
	case "tool_use":
		b, err = d.toolUseBlock(v, p)
	case "tool_result":
		b, err = d.toolResultBlock(v, p)
	case "thinking":
		b, err = d.thinkingBlock(v, p)
	case "redacted_thinking":
		// Encrypted reasoning from Anthropic's own models: Kiro cannot read
		// it, and it carries nothing the next turn needs.
		_, err = d.OptString(v, p, "data")
		return b, false, err
	default:
		return d.otherBlock(v, p, typ)
	}
	return b, err == nil, err
}

// blockRole is the only role whose messages may carry a block of type
// typ, or "" for either.
func blockRole(typ string) canon.Role {
	switch typ {
	case "image", "tool_result":
		return canon.RoleUser
	case "tool_use", "thinking", "redacted_thinking":
		return canon.RoleAssistant
	}
	return ""
}

func (d *doc) thinkingBlock(v *jsontree.Value, p jsontree.Path) (canon.Block, error) {
	f := d.Fields(v, p)
	text, sig := f.ReqString("thinking"), f.OptString("signature")
	if f.Err != nil {
		return canon.Block{}, f.Err
	}
	return canon.Block{Type: canon.BlockThinking, Thinking: &canon.ThinkingBlock{Text: text, Signature: sig}}, nil
}

// otherBlock reads a server tool block from history (as text), or refuses
// a block type Kiro cannot take.
func (d *doc) otherBlock(v *jsontree.Value, p jsontree.Path, typ string) (b canon.Block, keep bool, err error) {
	tp := p.Key("type")
	if text, ok, err := d.serverToolBlock(v, p, typ); ok || err != nil {
		return canon.Block{Type: canon.BlockText, Text: text}, err == nil, err
	}
	if why, ok := unsupportedBlocks[typ]; ok {
		return b, false, d.Errf(tp, "%s", why)
	}
	return b, false, d.Errf(tp, "unknown content block type %q; expected text, image, tool_use, tool_result, thinking or redacted_thinking", typ)
}

func (d *doc) textBlock(v *jsontree.Value, p jsontree.Path) (canon.Block, error) {
	text, err := d.ReqString(v, p, "text")
	if err != nil {
		return canon.Block{}, err
	}
	if text == "" {
		return canon.Block{}, d.Errf(p.Key("text"), "text content blocks must be non-empty")
	}
	return canon.Block{Type: canon.BlockText, Text: text}, nil
}

var imageTypes = wire.ImageTypes

func (d *doc) imageBlock(v *jsontree.Value, p jsontree.Path) (canon.Block, error) {
	f := d.Fields(v, p)
	src := f.Object("source")
	sp := src.Path()
	st := src.ReqString("type")
	if src.Err != nil {
		return canon.Block{}, src.Err
	}
	switch st {
	case "base64":
	case "url":
		return canon.Block{}, d.Errf(sp.Key("type"), `"url" image sources are not supported; download the image and send it as a base64 source`)
	case "file":
		return canon.Block{}, d.Errf(sp.Key("type"), `"file" image sources (Files API) are not supported; send the image as a base64 source`)
	default:
		return canon.Block{}, d.Errf(sp.Key("type"), `unknown image source type %q; use "base64"`, st)
	}
	mt := src.ReqString("media_type")
	if src.Err != nil {
		return canon.Block{}, src.Err
	}
	if !imageTypes[mt] {
		return canon.Block{}, d.Errf(sp.Key("media_type"), "%q is not supported; use png, jpeg, gif or webp", mt)
	}
	data := src.NonEmptyString("data")
	if src.Err != nil {
		return canon.Block{}, src.Err
	}
	if err := wire.CheckBase64(data); err != nil {
		return canon.Block{}, d.Errf(sp.Key("data"), "not valid base64: %v", err)
	}
	return canon.Block{Type: canon.BlockImage, Image: &canon.Image{MediaType: mt, Data: data}}, nil
}

func (d *doc) toolUseBlock(v *jsontree.Value, p jsontree.Path) (canon.Block, error) {
	f := d.Fields(v, p)
	id, name := f.NonEmptyString("id"), f.NonEmptyString("name")
	iv, ip := f.ReqValue("input")
	if f.Err != nil {
		return canon.Block{}, f.Err
	}
	input, err := d.RawObject(iv, ip)
	if err != nil {
		return canon.Block{}, err
	}
	return canon.Block{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: id, Name: name, Input: input}}, nil
}

func (d *doc) toolResultBlock(v *jsontree.Value, p jsontree.Path) (canon.Block, error) {
	f := d.Fields(v, p)
	tr := &canon.ToolResult{ToolUseID: f.NonEmptyString("tool_use_id"), IsError: f.OptBool("is_error")}
	if f.Err != nil {
		return canon.Block{}, f.Err
	}
	cp := p.Key("content")
	switch cv := v.Get("content"); {
	case !jsontree.Present(cv):
	case cv.Kind == jsontree.String:
		if cv.Str != "" {
			tr.Content = []canon.Block{{Type: canon.BlockText, Text: cv.Str}}
		}
	case cv.Kind == jsontree.Array:
		err := d.EachObject(cv, cp, func(_ int, bv *jsontree.Value, bp jsontree.Path) error {
			typ, err := d.ReqString(bv, bp, "type")
			if err != nil {
				return err
			}
			var b canon.Block
			switch typ {
			case "text":
				b, err = d.textBlock(bv, bp)
			case "image":
				b, err = d.imageBlock(bv, bp)
			default:
				if text, ok, err := d.serverToolBlock(bv, bp, typ); ok || err != nil {
					tr.Content = append(tr.Content, canon.Block{Type: canon.BlockText, Text: text})
					return err
				}
				if why, ok := unsupportedBlocks[typ]; ok {
					return d.Errf(bp.Key("type"), "%s", why)
				}
				return d.Errf(bp.Key("type"), "%q blocks are not allowed in tool_result content; use text or image", typ)
			}
			tr.Content = append(tr.Content, b)
			return err
		})
		if err != nil {
			return canon.Block{}, err
		}
	default:
		return canon.Block{}, d.TypeErr(cp, cv, "a string or an array of text and image blocks")
	}
	return canon.Block{Type: canon.BlockToolResult, ToolResult: tr}, nil
}

func (d *doc) system(v *jsontree.Value) (string, error) {
	const p = jsontree.Path("system")
	if !jsontree.Present(v) {
		return "", nil
	}
	switch v.Kind {
	case jsontree.String:
		return v.Str, nil
	case jsontree.Array:
		parts := make([]string, 0, len(v.Elems))
		err := d.EachObject(v, p, func(_ int, bv *jsontree.Value, bp jsontree.Path) error {
			typ, err := d.ReqString(bv, bp, "type")
			if err != nil {
				return err
			}
			if typ != "text" {
				return d.Errf(bp.Key("type"), "system blocks must be text blocks, got %q", typ)
			}
			b, err := d.textBlock(bv, bp)
			parts = append(parts, b.Text)
			return err
		})
		return strings.Join(parts, "\n\n"), err
	default:
		return "", d.TypeErr(p, v, "a string or an array of text blocks")
	}
}

func (d *doc) toolChoice(v *jsontree.Value) (*canon.ToolChoice, error) {
	const p = jsontree.Path("tool_choice")
	if ok, err := d.OptObject(v, p); !ok {
		return nil, err
	}
	f := d.Fields(v, p)
	typ := f.ReqString("type")
	f.OptBool("disable_parallel_tool_use") // checked, not used
	if f.Err != nil {
		return nil, f.Err
	}
	switch typ {
	case "auto", "any", "none":
		return &canon.ToolChoice{Type: typ}, nil
	case "tool":
		name, err := d.NonEmptyString(v, p, "name")
		if err != nil {
			return nil, err
		}
		return &canon.ToolChoice{Type: typ, Name: name}, nil
	default:
		return nil, d.Errf(p.Key("type"), `%q is not valid; use "auto", "any", "tool" or "none"`, typ)
	}
}

var efforts = map[string]bool{"low": true, "medium": true, "high": true, "xhigh": true, "max": true}

func (d *doc) checkEffort(v *jsontree.Value, p jsontree.Path) (string, error) {
	if !jsontree.Present(v) {
		return "", nil
	}
	if v.Kind != jsontree.String {
		return "", d.TypeErr(p, v, "a string")
	}
	if !efforts[v.Str] {
		return "", d.Errf(p, "%q is not valid; use low, medium, high, xhigh or max", v.Str)
	}
	return v.Str, nil
}

// effort reads output_config.effort, where the Messages API puts the effort
// level that goes with adaptive thinking.
func (d *doc) effort(v *jsontree.Value) (string, error) {
	const p = jsontree.Path("output_config")
	if ok, err := d.OptObject(v, p); !ok {
		return "", err
	}
	return d.checkEffort(v.Get("effort"), p.Key("effort"))
}

func (d *doc) thinking(v *jsontree.Value, effort string) (*canon.Thinking, error) {
	const p = jsontree.Path("thinking")
	if ok, err := d.OptObject(v, p); !ok {
		return nil, err
	}
	typ, err := d.ReqString(v, p, "type")
	if err != nil {
		return nil, err
	}
	switch typ {
	case "disabled":
		return nil, nil
	case "enabled":
		bv, bp, err := d.ReqValue(v, p, "budget_tokens")
		if err != nil {
			return nil, err
		}
		n, err := d.Integer(bv, bp)
		if err != nil {
			return nil, err
		}
		if n < minThinkingBudget {
			return nil, d.Errf(bp, "must be at least %d, got %d", minThinkingBudget, n)
		}
		if n > 1<<31-1 {
			return nil, d.Errf(bp, "%d is too large", n)
		}
		return &canon.Thinking{Mode: "enabled", BudgetTokens: int(n)}, nil
	case "adaptive":
		// Older clients put effort inside thinking; output_config.effort is
		// the documented place and wins when both are set.
		e, err := d.checkEffort(v.Get("effort"), p.Key("effort"))
		if err != nil {
			return nil, err
		}
		if effort != "" {
			e = effort
		}
		return &canon.Thinking{Mode: "adaptive", Effort: e}, nil
	default:
		return nil, d.Errf(p.Key("type"), `%q is not valid; use "enabled", "adaptive" or "disabled"`, typ)
	}
}
