package openai

// The Responses input: its flat list of items folded into canonical turns.

import (
	"strings"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/jsontree"
	"kirodesk/internal/translate/wire"
)

// inputParser walks input, folding the flat item list into turns.
type inputParser struct {
	*messageParser
	system []string
	// turn is what r.Messages' last message was built from: an assistant
	// turn from assistant-side items (messages, function calls, reasoning),
	// which the next such item joins, or a user turn of function call
	// outputs, which the next output joins.
	turn int
}

const (
	turnOther = iota
	turnAssistant
	turnToolResults
)

func (ip *inputParser) input(v *jsontree.Value, r *canon.Request) error {
	const p = jsontree.Path("input")
	if !jsontree.Present(v) {
		return ip.Required(p)
	}
	switch v.Kind {
	case jsontree.String:
		if v.Str == "" {
			return ip.Errf(p, "must not be empty")
		}
		r.Messages = []canon.Message{{Role: canon.RoleUser, Content: []canon.Block{{Type: canon.BlockText, Text: v.Str}}}}
		return nil
	case jsontree.Array:
	default:
		return ip.TypeErr(p, v, "a string or an array of input items")
	}
	if len(v.Elems) == 0 {
		return ip.Errf(p, "at least one input item is required")
	}
	err := ip.EachObject(v, p, func(_ int, iv *jsontree.Value, ipath jsontree.Path) error {
		return ip.item(iv, ipath, r)
	})
	if err != nil {
		return err
	}
	if len(r.Messages) == 0 {
		return ip.Errf(p, "at least one user, assistant or function call item is required besides system messages")
	}
	r.System = strings.Join(ip.system, "\n\n")
	return nil
}

// add appends blocks to the current turn of kind turn, or starts one.
func (ip *inputParser) add(r *canon.Request, turn int, role canon.Role, blocks ...canon.Block) {
	if len(blocks) == 0 {
		return
	}
	if ip.turn == turn && turn != turnOther {
		last := &r.Messages[len(r.Messages)-1]
		last.Content = append(last.Content, blocks...)
		return
	}
	r.Messages = append(r.Messages, canon.Message{Role: role, Content: blocks})
	ip.turn = turn
}

// item reads the input item object iv at p.
func (ip *inputParser) item(iv *jsontree.Value, p jsontree.Path, r *canon.Request) error {
	typ, err := ip.OptString(iv, p, "type")
	if err != nil {
		return err
	}
	for _, k := range []string{"id", "status"} {
		if _, err := ip.OptString(iv, p, k); err != nil {
			return err
		}
	}
	switch typ {
	case "", "message":
		return ip.message(iv, p, r)
	case "function_call":
		id, name, err := ip.callHead(iv, p)
		if err != nil {
			return err
		}
		input, err := ip.arguments(iv, p)
		if err != nil {
			return err
		}
		ip.add(r, turnAssistant, canon.RoleAssistant, canon.Block{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: id, Name: name, Input: input}})
	case "function_call_output":
		return ip.toolResult(iv, p, "call_id", r)
	case "reasoning":
		text, err := ip.reasoningText(iv, p)
		if err != nil {
			return err
		}
		if _, err := ip.OptString(iv, p, "encrypted_content"); err != nil {
			return err
		}
		if text != "" {
			ip.add(r, turnAssistant, canon.RoleAssistant, canon.Block{Type: canon.BlockThinking, Thinking: &canon.ThinkingBlock{Text: text}})
		}
	case "item_reference":
		return ip.Errf(p.Key("type"), "item references are not supported: Kirodesk does not store responses; send the items themselves")
	default:
		return ip.toolItem(iv, p, typ, r)
	}
	return nil
}

// reasoningText joins a reasoning item's summary texts (and raw
// reasoning_text content, should a client send it) with blank lines.
func (ip *inputParser) reasoningText(iv *jsontree.Value, p jsontree.Path) (string, error) {
	var parts []string
	for _, f := range []struct{ key, typ, refusal string }{
		{"summary", "summary_text", `expected "summary_text", got %q`},
		{"content", "reasoning_text", `expected "reasoning_text", got %q`},
	} {
		fp := p.Key(f.key)
		v := iv.Get(f.key)
		if !jsontree.Present(v) {
			continue
		}
		if v.Kind != jsontree.Array {
			return "", ip.TypeErr(fp, v, "an array")
		}
		var err error
		if parts, err = ip.appendTexts(parts, v, fp, f.typ, f.refusal); err != nil {
			return "", err
		}
	}
	return strings.Join(parts, "\n\n"), nil
}

func (ip *inputParser) message(iv *jsontree.Value, p jsontree.Path, r *canon.Request) error {
	f := ip.Fields(iv, p)
	role := f.ReqString("role")
	cv, cp := f.ReqValue("content")
	if f.Err != nil {
		return f.Err
	}
	switch role {
	case "system", "developer":
		blocks, err := ip.content(cv, cp, false, false)
		if err != nil {
			return err
		}
		if text := canon.TextOf(blocks); text != "" {
			ip.system = append(ip.system, text)
		}
	case "user":
		blocks, err := ip.content(cv, cp, true, false)
		if err != nil {
			return err
		}
		if len(blocks) == 0 {
			return ip.Errf(cp, "must not be empty")
		}
		r.Messages = append(r.Messages, canon.Message{Role: canon.RoleUser, Content: blocks})
		ip.turn = turnOther
	case "assistant":
		blocks, err := ip.content(cv, cp, false, true)
		if err != nil {
			return err
		}
		ip.add(r, turnAssistant, canon.RoleAssistant, blocks...)
	default:
		return ip.Errf(p.Key("role"), `%q is not a valid role; use "user", "assistant", "system" or "developer"`, role)
	}
	return nil
}

// content reads a message's content: a string or an array of parts. Text
// parts are input_text (output_text and refusal in assistant messages, which
// Responses outputs carry); images only where images is set.
func (ip *inputParser) content(cv *jsontree.Value, cp jsontree.Path, images, assistant bool) ([]canon.Block, error) {
	return wire.Content(&ip.Doc, cv, cp, "a string or an array of content parts",
		func(pv *jsontree.Value, pp jsontree.Path) (canon.Block, bool, error) {
			return ip.part(pv, pp, images, assistant)
		})
}

// part reads one part of a message's content (content says which parts
// are allowed).
func (ip *inputParser) part(pv *jsontree.Value, pp jsontree.Path, images, assistant bool) (canon.Block, bool, error) {
	typ, err := ip.partType(pv, pp)
	if err != nil {
		return canon.Block{}, false, err
	}
	key := "text"
	switch {
	case typ == "input_text", assistant && typ == "output_text":
	case assistant && typ == "refusal":
		key = "refusal"
	case typ == "input_image" && images:
		b, err := ip.inputImage(pv, pp)
		return b, true, err
	case typ == "input_file":
		return canon.Block{}, false, ip.Errf(pp.Key("type"), "file inputs are not supported by Kiro; send the text as input_text or images as input_image")
	case typ == "input_audio":
		return canon.Block{}, false, ip.Errf(pp.Key("type"), "audio input is not supported by Kiro")
	default:
		allowed := `"input_text"`
		switch {
		case assistant:
			allowed = `"output_text", "input_text" or "refusal"`
		case images:
			allowed = `"input_text" or "input_image"`
		}
		return canon.Block{}, false, ip.Errf(pp.Key("type"), "%q parts are not allowed here; use %s", typ, allowed)
	}
	text, err := ip.ReqString(pv, pp, key)
	return canon.Block{Type: canon.BlockText, Text: text}, text != "", err
}

// inputImage reads {"type":"input_image","image_url":URL,"detail":...}: the
// URL is a plain string here, not Chat Completions' {"url":...} object.
func (ip *inputParser) inputImage(pv *jsontree.Value, p jsontree.Path) (canon.Block, error) {
	if detail, err := ip.OptString(pv, p, "detail"); err != nil {
		return canon.Block{}, err
	} else if detail != "" && detail != "auto" && detail != "low" && detail != "high" && detail != "original" {
		return canon.Block{}, ip.Errf(p.Key("detail"), `%q is not valid; use "auto", "low", "high" or "original"`, detail)
	}
	up := p.Key("image_url")
	if !jsontree.Present(pv.Get("image_url")) {
		if jsontree.Present(pv.Get("file_id")) {
			return canon.Block{}, ip.Errf(p.Key("file_id"), "uploaded files are not available through Kiro; send the image as a data: URL in image_url")
		}
		return canon.Block{}, ip.Required(up)
	}
	url, err := ip.NonEmptyString(pv, p, "image_url")
	if err != nil {
		return canon.Block{}, err
	}
	return ip.imageURL(url, up)
}

// toolOutput reads a function_call_output's output: a string or an array of
// input_text and input_image parts.
func (ip *inputParser) toolOutput(iv *jsontree.Value, p jsontree.Path) ([]canon.Block, error) {
	op := p.Key("output")
	ov := iv.Get("output")
	if !jsontree.Present(ov) {
		return nil, ip.Required(op)
	}
	if ov.Kind != jsontree.String && ov.Kind != jsontree.Array {
		return nil, ip.TypeErr(op, ov, "a string or an array of content parts")
	}
	return ip.content(ov, op, true, false)
}

// toolResult reads a call's output item, the call named by its member key,
// into the user turn of tool results.
func (ip *inputParser) toolResult(iv *jsontree.Value, p jsontree.Path, key string, r *canon.Request) error {
	id, err := ip.NonEmptyString(iv, p, key)
	if err != nil {
		return err
	}
	content, err := ip.toolOutput(iv, p)
	if err != nil {
		return err
	}
	ip.add(r, turnToolResults, canon.RoleUser, canon.Block{Type: canon.BlockToolResult, ToolResult: &canon.ToolResult{ToolUseID: id, Content: content}})
	return nil
}
