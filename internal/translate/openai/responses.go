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
	"kirodesk/internal/canon"
	"kirodesk/internal/translate/jsontree"
	"kirodesk/internal/translate/tooldecl"
)

// ResponsesOptions are the parts of a Responses request that shape the
// response but have no place in canon.Request.
type ResponsesOptions struct {
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
	d := &doc{}
	root, r, tools, err := d.openRequest(body, opts, d.refuseResponsesFields, d.responsesTools)
	if err != nil {
		return nil, ResponsesOptions{}, err
	}
	ro := ResponsesOptions{Tools: tools}
	if r.ToolChoice, err = d.responsesToolChoice(root.Get("tool_choice"), r); err != nil {
		return nil, ro, err
	}
	instructions, err := d.OptString(root, "", "instructions")
	if err != nil {
		return nil, ro, err
	}
	ip := &inputParser{messageParser: &messageParser{doc: d}}
	if err := ip.input(root.Get("input"), r); err != nil {
		return nil, ro, err
	}
	r.System = joinSystem(instructions, r.System)
	if _, err = d.output(root, r, false); err != nil {
		return nil, ro, err
	}
	if r.Thinking, err = d.responsesReasoning(root.Get("reasoning")); err != nil {
		return nil, ro, err
	}
	if r.ConversationKey, err = d.conversationKey(root, responsesConversationKeys); err != nil {
		return nil, ro, err
	}
	if err := d.responsesIgnored(root); err != nil {
		return nil, ro, err
	}
	format, err := d.textFormat(root.Get("text"))
	if err != nil {
		return nil, ro, err
	}
	r.System = joinSystem(r.System, format)
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
	if err := d.temperatureTopP(root); err != nil {
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
	return d.OptStringArray(root, "", "include", nil)
}

// textFormat reads text.format; like response_format in Chat Completions,
// json_object and json_schema are honoured on a best-effort basis by an
// instruction for the system prompt. text.verbosity is accepted and ignored.
func (d *doc) textFormat(v *jsontree.Value) (string, error) {
	const tp = jsontree.Path("text")
	if ok, err := d.OptObject(v, tp); !ok {
		return "", err
	}
	if _, err := d.OptString(v, tp, "verbosity"); err != nil {
		return "", err
	}
	fp := tp.Key("format")
	fv := v.Get("format")
	if ok, err := d.OptObject(fv, fp); !ok {
		return "", err
	}
	return d.outputFormat(fv, fp, false)
}

func (d *doc) responsesReasoning(v *jsontree.Value) (*canon.Thinking, error) {
	const p = jsontree.Path("reasoning")
	if ok, err := d.OptObject(v, p); !ok {
		return nil, err
	}
	// summary ("auto", "concise", "detailed") and its deprecated name
	// generate_summary are accepted: thinking is always sent as a summary.
	for _, k := range []string{"summary", "generate_summary"} {
		if _, err := d.OptString(v, p, k); err != nil {
			return nil, err
		}
	}
	e, err := d.OptString(v, p, "effort")
	if err != nil || e == "" {
		return nil, err
	}
	th, ok := effort(e)
	if !ok {
		return nil, d.Errf(p.Key("effort"), badEffort, e)
	}
	return th, nil
}
