package openai

// The OpenAI Responses API (POST /v1/responses), the one the Codex CLI
// speaks. ParseResponsesRequest turns a request body into a *canon.Request;
// ResponsesWriter (responses_stream.go) streams the answer as Responses
// events and MarshalResponsesResponse renders it whole.
//
// Kirodesk keeps no state between requests, so everything that needs the
// server to remember a response (previous_response_id, conversation,
// item_reference items, background) is refused with a message telling the
// client to send the full input; store is accepted and ignored, as Codex
// sends store:false anyway.

import (
	"strings"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/jsontree"
	"kirodesk/internal/translate/tooldecl"
)

// ResponsesOptions are the parts of a Responses request that shape the
// response but have no place in canon.Request.
type ResponsesOptions struct {
	// RemoteImages are the http(s) input_image URLs accepted under
	// ParseOptions.FetchRemoteImages, as in ChatOptions.RemoteImages; Param
	// is like "input[2].content[1].image_url".
	RemoteImages []RemoteImage
	// Tools says how tools that Kiro knows under another name or shape
	// were declared (namespace members, custom and local_shell tools), for
	// ResponsesStart.Tools and MarshalResponsesResponse.
	Tools tooldecl.Origins `json:",omitempty"`
}

// ParseResponsesRequest parses a POST /v1/responses body. model and a
// non-empty input are required. instructions and system or developer message
// items become canon.Request.System (instructions first, joined with blank
// lines); function_call items become tool_use blocks of an assistant turn,
// which also takes the assistant message and reasoning items around them;
// function_call_output items become tool_result blocks of a user turn
// (consecutive ones share a turn); custom_tool_call and local_shell_call
// items and their outputs are read the same way (responses_items.go),
// web_search_call items become assistant text, and other item types are
// dropped with a warning. Reasoning items carrying summary_text
// (what ResponsesWriter sends) come back as earlier thinking; their
// encrypted_content is ignored. Errors are *RequestError.
func ParseResponsesRequest(body []byte, opts ParseOptions) (*canon.Request, ResponsesOptions, error) {
	var ro ResponsesOptions
	root, err := jsontree.ParseBody(body)
	if err != nil {
		return nil, ro, err
	}
	if root.Kind != jsontree.Object {
		return nil, ro, &RequestError{Message: "request body: expected a JSON object, got " + root.Describe()}
	}
	d := &doc{jsontree.Doc{Body: body}}
	r := &canon.Request{}

	if r.Model, err = d.NonEmptyString(root, "", "model"); err != nil {
		return nil, ro, err
	}
	if err := d.refuseResponsesFields(root); err != nil {
		return nil, ro, err
	}
	ro.Tools = tooldecl.Origins{}
	if err = d.responsesTools(root.Get("tools"), r, ro.Tools); err != nil {
		return nil, ro, err
	}
	if r.ToolChoice, err = d.responsesToolChoice(root.Get("tool_choice"), r); err != nil {
		return nil, ro, err
	}
	instructions, err := d.OptString(root, "", "instructions")
	if err != nil {
		return nil, ro, err
	}
	chat := &ChatOptions{}
	ip := &inputParser{messageParser: &messageParser{doc: d, opts: opts, chat: chat}}
	if err := ip.input(root.Get("input"), r); err != nil {
		return nil, ro, err
	}
	r.System = joinSystem(instructions, r.System)
	if n, ok, err := d.OptInt(root, "", "max_output_tokens"); err != nil {
		return nil, ro, err
	} else if ok {
		if n < 1 {
			return nil, ro, d.Errf("max_output_tokens", "must be at least 1, got %d", n)
		}
		if n > 1<<31-1 {
			return nil, ro, d.Errf("max_output_tokens", "%d is too large", n)
		}
		r.MaxTokens = int(n)
	}
	if r.Stream, err = d.OptBool(root, "", "stream"); err != nil {
		return nil, ro, err
	}
	if so := root.Get("stream_options"); jsontree.Present(so) {
		if err := d.Object(so, "stream_options"); err != nil {
			return nil, ro, err
		}
		if _, err = d.OptBool(so, "stream_options", "include_obfuscation"); err != nil {
			return nil, ro, err
		}
	}
	if r.Thinking, err = d.responsesReasoning(root.Get("reasoning")); err != nil {
		return nil, ro, err
	}
	// Codex sends its conversation id as prompt_cache_key; user is the
	// deprecated name for safety_identifier.
	for _, k := range []string{"prompt_cache_key", "safety_identifier", "user"} {
		s, err := d.OptString(root, "", k)
		if err != nil {
			return nil, ro, err
		}
		if r.ConversationKey == "" {
			r.ConversationKey = s
		}
	}
	if err := d.responsesIgnored(root); err != nil {
		return nil, ro, err
	}
	format, err := d.textFormat(root.Get("text"))
	if err != nil {
		return nil, ro, err
	}
	r.System = joinSystem(r.System, format)
	ro.RemoteImages = chat.RemoteImages
	return r, ro, nil
}

func (d *doc) refuseResponsesFields(root *jsontree.Value) error {
	const stateless = "Kirodesk does not store responses; send the whole conversation in input"
	if v := root.Get("previous_response_id"); jsontree.Present(v) {
		return d.Errf("previous_response_id", "previous_response_id is not supported: %s (and store:false)", stateless)
	}
	if v := root.Get("conversation"); jsontree.Present(v) {
		return d.Errf("conversation", "conversations are not supported: %s", stateless)
	}
	if bg, err := d.OptBool(root, "", "background"); err != nil {
		return err
	} else if bg {
		return d.Errf("background", "background responses are not supported; omit background or set it to false")
	}
	if v := root.Get("prompt"); jsontree.Present(v) {
		return d.Errf("prompt", "stored prompt templates are not supported; send the prompt as instructions and input")
	}
	if n, _, err := d.OptInt(root, "", "top_logprobs"); err != nil {
		return err
	} else if n != 0 {
		return d.Errf("top_logprobs", "log probabilities are not available from Kiro")
	}
	if n, ok, err := d.OptInt(root, "", "max_tool_calls"); err != nil {
		return err
	} else if ok && n < 1 {
		return d.Errf("max_tool_calls", "must be at least 1, got %d", n)
	}
	return nil
}

// responsesIgnored type-checks the fields that are accepted and ignored.
func (d *doc) responsesIgnored(root *jsontree.Value) error {
	if err := d.OptNumber(root, "", "temperature", 0, 2); err != nil {
		return err
	}
	if err := d.OptNumber(root, "", "top_p", 0, 1); err != nil {
		return err
	}
	for _, k := range []string{"parallel_tool_calls", "store"} {
		if _, err := d.OptBool(root, "", k); err != nil {
			return err
		}
	}
	for _, k := range []string{"service_tier", "prompt_cache_retention"} {
		if _, err := d.OptString(root, "", k); err != nil {
			return err
		}
	}
	if t, err := d.OptString(root, "", "truncation"); err != nil {
		return err
	} else if t != "" && t != "auto" && t != "disabled" {
		return d.Errf("truncation", `%q is not valid; use "auto" or "disabled"`, t)
	}
	if v := root.Get("metadata"); jsontree.Present(v) {
		if err := d.Object(v, "metadata"); err != nil {
			return err
		}
	}
	if v := root.Get("include"); jsontree.Present(v) {
		if v.Kind != jsontree.Array {
			return d.TypeErr("include", v, "an array of strings")
		}
		for i, e := range v.Elems {
			if e.Kind != jsontree.String {
				return d.TypeErr(jsontree.Path("include").Idx(i), e, "a string")
			}
		}
	}
	return nil
}

// textFormat reads text.format; like response_format in Chat Completions,
// json_object and json_schema are honoured on a best-effort basis by an
// instruction for the system prompt. text.verbosity is accepted and ignored.
func (d *doc) textFormat(v *jsontree.Value) (string, error) {
	const tp = jsontree.Path("text")
	if !jsontree.Present(v) {
		return "", nil
	}
	if err := d.Object(v, tp); err != nil {
		return "", err
	}
	if _, err := d.OptString(v, tp, "verbosity"); err != nil {
		return "", err
	}
	fp := tp.Key("format")
	fv := v.Get("format")
	if !jsontree.Present(fv) {
		return "", nil
	}
	if err := d.Object(fv, fp); err != nil {
		return "", err
	}
	typ, err := d.ReqString(fv, fp, "type")
	if err != nil {
		return "", err
	}
	switch typ {
	case "text":
		return "", nil
	case "json_object":
		return "Respond with a single valid JSON object and nothing else: no prose, no Markdown code fences.", nil
	case "json_schema":
		name, err := d.NonEmptyString(fv, fp, "name")
		if err != nil {
			return "", err
		}
		if _, err := d.OptString(fv, fp, "description"); err != nil {
			return "", err
		}
		if _, err := d.OptBool(fv, fp, "strict"); err != nil {
			return "", err
		}
		msg := "Respond with a single valid JSON value named " + name + " and nothing else: no prose, no Markdown code fences."
		sch := fv.Get("schema")
		if !jsontree.Present(sch) {
			return "", d.Required(fp.Key("schema"))
		}
		if err := d.Object(sch, fp.Key("schema")); err != nil {
			return "", err
		}
		return msg + " It must conform to this JSON Schema: " + string(d.CompactRaw(sch)), nil
	default:
		return "", d.Errf(fp.Key("type"), `%q is not valid; use "text", "json_object" or "json_schema"`, typ)
	}
}

func (d *doc) responsesReasoning(v *jsontree.Value) (*canon.Thinking, error) {
	const p = jsontree.Path("reasoning")
	if !jsontree.Present(v) {
		return nil, nil
	}
	if err := d.Object(v, p); err != nil {
		return nil, err
	}
	// summary ("auto", "concise", "detailed") and its deprecated name
	// generate_summary are accepted: thinking is always sent as a summary.
	for _, k := range []string{"summary", "generate_summary"} {
		if _, err := d.OptString(v, p, k); err != nil {
			return nil, err
		}
	}
	effort, err := d.OptString(v, p, "effort")
	if err != nil || effort == "" || effort == "none" {
		return nil, err
	}
	e, ok := reasoningEfforts[effort]
	if !ok {
		return nil, d.Errf(p.Key("effort"), `%q is not valid; use "none", "minimal", "low", "medium", "high" or "xhigh"`, effort)
	}
	return &canon.Thinking{Mode: "adaptive", Effort: e}, nil
}

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
	for i, iv := range v.Elems {
		if err := ip.item(iv, p.Idx(i), r); err != nil {
			return err
		}
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

func (ip *inputParser) item(iv *jsontree.Value, p jsontree.Path, r *canon.Request) error {
	if err := ip.Object(iv, p); err != nil {
		return err
	}
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
		args, err := ip.ReqString(iv, p, "arguments")
		if err != nil {
			return err
		}
		input, err := ip.arguments(args, p.Key("arguments"))
		if err != nil {
			return err
		}
		ip.add(r, turnAssistant, canon.RoleAssistant, canon.Block{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: id, Name: name, Input: input}})
	case "function_call_output":
		id, err := ip.NonEmptyString(iv, p, "call_id")
		if err != nil {
			return err
		}
		content, err := ip.toolOutput(iv, p)
		if err != nil {
			return err
		}
		ip.add(r, turnToolResults, canon.RoleUser, canon.Block{Type: canon.BlockToolResult, ToolResult: &canon.ToolResult{ToolUseID: id, Content: content}})
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
	for _, f := range []struct{ key, typ string }{{"summary", "summary_text"}, {"content", "reasoning_text"}} {
		fp := p.Key(f.key)
		v := iv.Get(f.key)
		if !jsontree.Present(v) {
			continue
		}
		if v.Kind != jsontree.Array {
			return "", ip.TypeErr(fp, v, "an array")
		}
		for j, pv := range v.Elems {
			pp := fp.Idx(j)
			typ, err := ip.partType(pv, pp)
			if err != nil {
				return "", err
			}
			if typ != f.typ {
				return "", ip.Errf(pp.Key("type"), "expected %q, got %q", f.typ, typ)
			}
			text, err := ip.ReqString(pv, pp, "text")
			if err != nil {
				return "", err
			}
			if text != "" {
				parts = append(parts, text)
			}
		}
	}
	return strings.Join(parts, "\n\n"), nil
}

func (ip *inputParser) message(iv *jsontree.Value, p jsontree.Path, r *canon.Request) error {
	role, err := ip.ReqString(iv, p, "role")
	if err != nil {
		return err
	}
	cp := p.Key("content")
	cv := iv.Get("content")
	if !jsontree.Present(cv) {
		return ip.Required(cp)
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
	switch cv.Kind {
	case jsontree.String:
		if cv.Str == "" {
			return nil, nil
		}
		return []canon.Block{{Type: canon.BlockText, Text: cv.Str}}, nil
	case jsontree.Array:
	default:
		return nil, ip.TypeErr(cp, cv, "a string or an array of content parts")
	}
	var out []canon.Block
	for j, pv := range cv.Elems {
		pp := cp.Idx(j)
		typ, err := ip.partType(pv, pp)
		if err != nil {
			return nil, err
		}
		key := "text"
		switch {
		case typ == "input_text", assistant && typ == "output_text":
		case assistant && typ == "refusal":
			key = "refusal"
		case typ == "input_image" && images:
			b, err := ip.inputImage(pv, pp)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
			continue
		case typ == "input_file":
			return nil, ip.Errf(pp.Key("type"), "file inputs are not supported by Kiro; send the text as input_text or images as input_image")
		case typ == "input_audio":
			return nil, ip.Errf(pp.Key("type"), "audio input is not supported by Kiro")
		default:
			allowed := `"input_text"`
			switch {
			case assistant:
				allowed = `"output_text", "input_text" or "refusal"`
			case images:
				allowed = `"input_text" or "input_image"`
			}
			return nil, ip.Errf(pp.Key("type"), "%q parts are not allowed here; use %s", typ, allowed)
		}
		text, err := ip.ReqString(pv, pp, key)
		if err != nil {
			return nil, err
		}
		if text != "" {
			out = append(out, canon.Block{Type: canon.BlockText, Text: text})
		}
	}
	return out, nil
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
	scheme, _, _ := strings.Cut(url, ":")
	switch strings.ToLower(scheme) {
	case "data":
		img, err := ip.dataURL(url, up)
		if err != nil {
			return canon.Block{}, err
		}
		return canon.Block{Type: canon.BlockImage, Image: img}, nil
	case "http", "https":
		if !ip.opts.FetchRemoteImages {
			return canon.Block{}, ip.Errf(up, "remote image URLs are not fetched; send the image as a data: URL (base64) or enable fetching in Settings")
		}
		img := &canon.Image{}
		ip.chat.RemoteImages = append(ip.chat.RemoteImages, RemoteImage{URL: url, Param: string(up), Image: img})
		return canon.Block{Type: canon.BlockImage, Image: img}, nil
	default:
		return canon.Block{}, ip.Errf(up, "must be a data: URL (base64) or an http(s) URL")
	}
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
