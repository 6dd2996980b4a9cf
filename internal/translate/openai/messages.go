package openai

// Chat Completions' messages array, and the content, image and tool-call
// readers the Responses input (responses_input.go) shares with it.

import (
	"bytes"
	"encoding/json"
	"strings"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/jsontree"
	"kirodesk/internal/translate/wire"
)

// messageParser walks the messages array, which in Chat Completions carries
// the system prompt and the tool results as messages of their own.
type messageParser struct {
	*doc
}

func (mp *messageParser) messages(v *jsontree.Value, r *canon.Request) error {
	const p = jsontree.Path("messages")
	if !jsontree.Present(v) {
		return mp.Required(p)
	}
	if v.Kind != jsontree.Array {
		return mp.TypeErr(p, v, "an array of messages")
	}
	if len(v.Elems) == 0 {
		return mp.Errf(p, "at least one message is required")
	}
	var system []string
	// lastTool is true while r.Messages ends in a user turn built from role
	// "tool" messages, which the next tool message joins.
	lastTool := false
	err := mp.EachObject(v, p, func(_ int, mv *jsontree.Value, mpath jsontree.Path) error {
		f := mp.Fields(mv, mpath)
		role := f.ReqString("role")
		f.OptString("name") // checked, not used
		if f.Err != nil {
			return f.Err
		}
		isTool := false
		switch role {
		case "system", "developer":
			text, err := mp.textContent(mv, mpath, true)
			if err != nil {
				return err
			}
			if text != "" {
				system = append(system, text)
			}
			return nil
		case "user":
			m, err := mp.userMessage(mv, mpath)
			if err != nil {
				return err
			}
			r.Messages = append(r.Messages, m)
		case "assistant":
			m, err := mp.assistantMessage(mv, mpath)
			if err != nil {
				return err
			}
			r.Messages = append(r.Messages, m)
		case "tool":
			b, err := mp.toolMessage(mv, mpath)
			if err != nil {
				return err
			}
			if lastTool {
				last := &r.Messages[len(r.Messages)-1]
				last.Content = append(last.Content, b)
			} else {
				r.Messages = append(r.Messages, canon.Message{Role: canon.RoleUser, Content: []canon.Block{b}})
			}
			isTool = true
		case "function":
			return mp.Errf(mpath.Key("role"), `"function" messages are deprecated and not supported; use role "tool" with tool_call_id`)
		default:
			return mp.Errf(mpath.Key("role"), `%q is not a valid role; use "system", "developer", "user", "assistant" or "tool"`, role)
		}
		lastTool = isTool
		return nil
	})
	if err != nil {
		return err
	}
	if len(r.Messages) == 0 {
		return mp.Errf(p, "at least one user, assistant or tool message is required besides system messages")
	}
	r.System = strings.Join(system, "\n\n")
	return nil
}

// textContent reads the content of a system, developer or tool message: a
// string or an array of text parts, joined with newlines.
func (mp *messageParser) textContent(mv *jsontree.Value, p jsontree.Path, required bool) (string, error) {
	cp := p.Key("content")
	cv := mv.Get("content")
	if !jsontree.Present(cv) {
		if required {
			return "", mp.Required(cp)
		}
		return "", nil
	}
	switch cv.Kind {
	case jsontree.String:
		return cv.Str, nil
	case jsontree.Array:
		parts, err := mp.appendTexts(make([]string, 0, len(cv.Elems)), cv, cp, "text", `only "text" parts are allowed here, got %q`)
		if err != nil {
			return "", err
		}
		return strings.Join(parts, "\n"), nil
	default:
		return "", mp.TypeErr(cp, cv, "a string or an array of text parts")
	}
}

// appendTexts appends to parts the non-empty texts of the array v at p,
// whose elements must be parts of type want; refusal words the error for
// another type, its %q the type found.
func (mp *messageParser) appendTexts(parts []string, v *jsontree.Value, p jsontree.Path, want, refusal string) ([]string, error) {
	err := mp.EachObject(v, p, func(_ int, pv *jsontree.Value, pp jsontree.Path) error {
		typ, err := mp.ReqString(pv, pp, "type")
		if err != nil {
			return err
		}
		if typ != want {
			return mp.Errf(pp.Key("type"), refusal, typ)
		}
		text, err := mp.ReqString(pv, pp, "text")
		if text != "" {
			parts = append(parts, text)
		}
		return err
	})
	return parts, err
}

func (mp *messageParser) partType(pv *jsontree.Value, pp jsontree.Path) (string, error) {
	if err := mp.Object(pv, pp); err != nil {
		return "", err
	}
	return mp.ReqString(pv, pp, "type")
}

func (mp *messageParser) userMessage(mv *jsontree.Value, p jsontree.Path) (canon.Message, error) {
	m := canon.Message{Role: canon.RoleUser}
	cv, cp, err := mp.ReqValue(mv, p, "content")
	if err != nil {
		return m, err
	}
	m.Content, err = wire.Content(&mp.Doc, cv, cp, "a string or an array of content parts", mp.userPart)
	if err != nil {
		return m, err
	}
	if len(m.Content) == 0 {
		return m, mp.Errf(cp, "must not be empty")
	}
	return m, nil
}

// userPart reads one part of a user message's content: text (kept when
// not empty) or an image.
func (mp *messageParser) userPart(pv *jsontree.Value, pp jsontree.Path) (canon.Block, bool, error) {
	typ, err := mp.partType(pv, pp)
	if err != nil {
		return canon.Block{}, false, err
	}
	switch typ {
	case "text":
		text, err := mp.ReqString(pv, pp, "text")
		return canon.Block{Type: canon.BlockText, Text: text}, text != "", err
	case "image_url":
		b, err := mp.imagePart(pv, pp)
		return b, true, err
	case "input_audio":
		return canon.Block{}, false, mp.Errf(pp.Key("type"), "audio input is not supported by Kiro")
	case "file":
		return canon.Block{}, false, mp.Errf(pp.Key("type"), "file parts are not supported by Kiro; send the text as a text part or images as image_url parts")
	}
	return canon.Block{}, false, mp.Errf(pp.Key("type"), `unknown content part type %q; use "text" or "image_url"`, typ)
}

var imageTypes = wire.ImageTypes

func (mp *messageParser) imagePart(pv *jsontree.Value, p jsontree.Path) (canon.Block, error) {
	iv, ip, err := mp.ReqObject(pv, p, "image_url")
	if err != nil {
		return canon.Block{}, err
	}
	if detail, err := mp.OptString(iv, ip, "detail"); err != nil {
		return canon.Block{}, err
	} else if detail != "" && detail != "auto" && detail != "low" && detail != "high" {
		return canon.Block{}, mp.Errf(ip.Key("detail"), `%q is not valid; use "auto", "low" or "high"`, detail)
	}
	up := ip.Key("url")
	url, err := mp.NonEmptyString(iv, ip, "url")
	if err != nil {
		return canon.Block{}, err
	}
	return mp.imageURL(url, up)
}

// imageURL reads an image given by URL, in either API: a data: URL is
// checked and decoded into the request; an http(s) URL is refused, since
// Kirodesk does not download images for the client.
func (mp *messageParser) imageURL(url string, up jsontree.Path) (canon.Block, error) {
	scheme, _, _ := strings.Cut(url, ":")
	switch strings.ToLower(scheme) {
	case "data":
		img, err := mp.dataURL(url, up)
		if err != nil {
			return canon.Block{}, err
		}
		return canon.Block{Type: canon.BlockImage, Image: img}, nil
	case "http", "https":
		return canon.Block{}, mp.Errf(up, "remote image URLs are not fetched; send the image as a data: URL (base64)")
	default:
		return canon.Block{}, mp.Errf(up, "must be a data: URL (base64) or an http(s) URL")
	}
}

// dataURL decodes data:image/png;base64,.... Media type parameters other
// than base64 (a charset, say) are allowed and dropped.
func (mp *messageParser) dataURL(url string, p jsontree.Path) (*canon.Image, error) {
	header, data, ok := strings.Cut(url[len("data:"):], ",")
	if !ok {
		return nil, mp.Errf(p, "malformed data: URL; expected data:image/png;base64,...")
	}
	params := strings.Split(header, ";")
	mt := strings.ToLower(strings.TrimSpace(params[0]))
	b64 := false
	for _, q := range params[1:] {
		if strings.EqualFold(strings.TrimSpace(q), "base64") {
			b64 = true
		}
	}
	if mt == "image/jpg" { // a common misspelling clients send
		mt = "image/jpeg"
	}
	if !imageTypes[mt] {
		if mt == "" {
			mt = "(none)"
		}
		return nil, mp.Errf(p, "image media type %q is not supported; use png, jpeg, gif or webp", mt)
	}
	if !b64 {
		return nil, mp.Errf(p, "data: URLs must be base64-encoded (data:%s;base64,...)", mt)
	}
	if data == "" {
		return nil, mp.Errf(p, "the data: URL has no image data")
	}
	if err := wire.CheckBase64(data); err != nil {
		return nil, mp.Errf(p, "the data: URL is not valid base64: %v", err)
	}
	return &canon.Image{MediaType: mt, Data: data}, nil
}

func (mp *messageParser) assistantMessage(mv *jsontree.Value, p jsontree.Path) (canon.Message, error) {
	m := canon.Message{Role: canon.RoleAssistant}
	if jsontree.Present(mv.Get("function_call")) {
		return m, mp.Errf(p.Key("function_call"), `the deprecated "function_call" is not supported; use "tool_calls"`)
	}
	if jsontree.Present(mv.Get("audio")) {
		return m, mp.Errf(p.Key("audio"), "audio is not supported by Kiro")
	}
	f := mp.Fields(mv, p)
	f.OptString("refusal") // checked, not used
	// reasoning_content is what ChunkWriter and MarshalChatResponse send;
	// clients that echo it back get it treated as earlier thinking.
	reasoning := f.OptString("reasoning_content")
	if f.Err != nil {
		return m, f.Err
	}
	if reasoning != "" {
		m.Content = append(m.Content, canon.Block{Type: canon.BlockThinking, Thinking: &canon.ThinkingBlock{Text: reasoning}})
	}
	cp := p.Key("content")
	switch cv := mv.Get("content"); {
	case !jsontree.Present(cv):
	case cv.Kind == jsontree.String:
		if cv.Str != "" {
			m.Content = append(m.Content, canon.Block{Type: canon.BlockText, Text: cv.Str})
		}
	case cv.Kind == jsontree.Array:
		err := mp.EachObject(cv, cp, func(_ int, pv *jsontree.Value, pp jsontree.Path) error {
			typ, err := mp.ReqString(pv, pp, "type")
			if err != nil {
				return err
			}
			key := typ
			switch typ {
			case "text":
			case "refusal":
			default:
				return mp.Errf(pp.Key("type"), `%q parts are not allowed in assistant messages; use "text" or "refusal"`, typ)
			}
			text, err := mp.ReqString(pv, pp, key)
			if text != "" {
				m.Content = append(m.Content, canon.Block{Type: canon.BlockText, Text: text})
			}
			return err
		})
		if err != nil {
			return m, err
		}
	default:
		return m, mp.TypeErr(cp, cv, "a string, null or an array of text parts")
	}
	calls, err := mp.toolCalls(mv.Get("tool_calls"), p.Key("tool_calls"))
	if err != nil {
		return m, err
	}
	m.Content = append(m.Content, calls...)
	if len(m.Content) == 0 {
		return m, mp.Errf(cp, "an assistant message needs content or tool_calls")
	}
	return m, nil
}

func (mp *messageParser) toolCalls(v *jsontree.Value, p jsontree.Path) ([]canon.Block, error) {
	if !jsontree.Present(v) {
		return nil, nil
	}
	out := make([]canon.Block, 0, len(v.Elems))
	err := mp.ObjectArray(v, p, "an array of tool calls", func(_ int, cv *jsontree.Value, cp jsontree.Path) error {
		b, err := mp.toolCall(cv, cp)
		out = append(out, b)
		return err
	})
	return out, err
}

// toolCall reads the tool call object cv at p: a function or custom call.
func (mp *messageParser) toolCall(cv *jsontree.Value, cp jsontree.Path) (canon.Block, error) {
	f := mp.Fields(cv, cp)
	id, typ := f.NonEmptyString("id"), f.ReqString("type")
	if f.Err != nil {
		return canon.Block{}, f.Err
	}
	if typ == "custom" {
		return mp.customCall(cv, cp, id)
	}
	if typ != "function" {
		return canon.Block{}, mp.Errf(cp.Key("type"), `%q tool calls are not supported; use "function" or "custom"`, typ)
	}
	fn := f.Object("function")
	name := fn.NonEmptyString("name")
	if fn.Err != nil {
		return canon.Block{}, fn.Err
	}
	input, err := mp.arguments(fn.Value(), fn.Path())
	if err != nil {
		return canon.Block{}, err
	}
	return canon.Block{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: id, Name: name, Input: input}}, nil
}

// arguments reads the arguments string of the function call v at p and
// turns it into the JSON object Kiro wants. Models occasionally produce an
// empty string for a call without parameters; that is {}.
func (mp *messageParser) arguments(v *jsontree.Value, p jsontree.Path) (json.RawMessage, error) {
	args, err := mp.ReqString(v, p, "arguments")
	if err != nil {
		return nil, err
	}
	p = p.Key("arguments")
	if strings.TrimSpace(args) == "" {
		return json.RawMessage("{}"), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(args)); err != nil {
		return nil, mp.Errf(p, "not valid JSON: %v", err)
	}
	if buf.Bytes()[0] != '{' {
		return nil, mp.Errf(p, "must be a JSON object, got %s", jsonKindOf(buf.Bytes()[0]))
	}
	return json.RawMessage(buf.Bytes()), nil
}

func jsonKindOf(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

func (mp *messageParser) toolMessage(mv *jsontree.Value, p jsontree.Path) (canon.Block, error) {
	id, err := mp.NonEmptyString(mv, p, "tool_call_id")
	if err != nil {
		return canon.Block{}, err
	}
	text, err := mp.textContent(mv, p, true)
	if err != nil {
		return canon.Block{}, err
	}
	tr := &canon.ToolResult{ToolUseID: id}
	if text != "" {
		tr.Content = []canon.Block{{Type: canon.BlockText, Text: text}}
	}
	return canon.Block{Type: canon.BlockToolResult, ToolResult: tr}, nil
}
