package openai

// The Chat Completions front end (POST /v1/chat/completions):
// ParseChatRequest maps that API's fields onto a canon.Request;
// ChunkWriter (stream.go) and MarshalChatResponse (response.go) answer.

import (
	"kirodesk/internal/canon"
	"kirodesk/internal/translate/jsontree"
	"kirodesk/internal/translate/tooldecl"
)

// ChatOptions are the parts of a Chat Completions request that shape the
// response but have no place in canon.Request.
type ChatOptions struct {
	// IncludeUsage is stream_options.include_usage: the stream ends with a
	// chunk carrying usage (and every other chunk has "usage": null).
	IncludeUsage bool
	// Tools says how custom tools were declared, for ChunkStart.Tools and
	// MarshalChatResponse: their calls go back as "custom" tool calls.
	Tools tooldecl.Origins `json:",omitempty"`
}

// ParseChatRequest parses a POST /v1/chat/completions body. model and a
// non-empty messages array are required. Errors are *RequestError.
func ParseChatRequest(body []byte, opts ParseOptions) (*canon.Request, ChatOptions, error) {
	d := &doc{}
	root, r, tools, err := d.openRequest(body, opts, d.refuseFields, d.tools)
	if err != nil {
		return nil, ChatOptions{}, err
	}
	co := ChatOptions{Tools: tools}
	if v := root.Get("web_search_options"); jsontree.Present(v) {
		// Search models' option: noted for the server's web search like a
		// declared web search tool.
		tooldecl.NoteWebSearch(r, canon.ServerTool{Type: "web_search_options", Config: d.CompactRaw(v)})
	}
	if r.ToolChoice, err = d.toolChoice(root.Get("tool_choice"), r.Tools); err != nil {
		return nil, co, err
	}
	mp := &messageParser{doc: d}
	if err := mp.messages(root.Get("messages"), r); err != nil {
		return nil, co, err
	}
	if co.IncludeUsage, err = d.output(root, r, true); err != nil {
		return nil, co, err
	}
	if r.Thinking, err = d.reasoningEffort(root.Get("reasoning_effort")); err != nil {
		return nil, co, err
	}
	if r.ConversationKey, err = d.conversationKey(root, chatConversationKeys); err != nil {
		return nil, co, err
	}
	if err := d.samplingFields(root); err != nil {
		return nil, co, err
	}
	format, err := d.responseFormat(root.Get("response_format"))
	if err != nil {
		return nil, co, err
	}
	r.System = joinSystem(r.System, format)
	return r, co, nil
}

// refusedFields are top-level fields whose meaning Kiro cannot honour;
// ignoring them would silently hand the client something else than it asked
// for.
var refusedFields = []struct{ key, why string }{
	{"functions", `the deprecated "functions" parameter is not supported; use "tools"`},
	{"function_call", `the deprecated "function_call" parameter is not supported; use "tool_choice"`},
	{"audio", "audio output is not supported by Kiro"},
}

func (d *doc) refuseFields(root *jsontree.Value) error {
	for _, f := range refusedFields {
		if jsontree.Present(root.Get(f.key)) {
			return d.Errf(jsontree.Path(f.key), "%s", f.why)
		}
	}
	return d.OptStringArray(root, "", "modalities", func(p jsontree.Path, m string) error {
		if m != "text" {
			return d.Errf(p, `%q output is not supported by Kiro; only "text" is`, m)
		}
		return nil
	})
}

// samplingFields type-checks the fields Kiro has no equivalent for. Their
// values are ignored, except where ignoring them would return something the
// client did not ask for (n > 1, logprobs).
func (d *doc) samplingFields(root *jsontree.Value) error {
	if err := d.temperatureTopP(root); err != nil {
		return err
	}
	for _, k := range []string{"presence_penalty", "frequency_penalty"} {
		if err := d.OptNumber(root, "", k, -2, 2); err != nil {
			return err
		}
	}
	if n, ok, err := d.OptInt(root, "", "n"); err != nil {
		return err
	} else if ok && n != 1 {
		if n < 1 {
			return d.Errf("n", "must be at least 1, got %d", n)
		}
		return d.Errf("n", "only one choice is supported; use n=1 (got %d)", n)
	}
	if _, _, err := d.OptInt(root, "", "seed"); err != nil {
		return err
	}
	if lp, err := d.OptBool(root, "", "logprobs"); err != nil {
		return err
	} else if lp {
		return d.Errf("logprobs", "log probabilities are not available from Kiro; omit logprobs or set it to false")
	}
	if n, _, err := d.OptInt(root, "", "top_logprobs"); err != nil {
		return err
	} else if n != 0 {
		return d.Errf("top_logprobs", "log probabilities are not available from Kiro")
	}
	if v := root.Get("stop"); jsontree.Present(v) && v.Kind != jsontree.String {
		if v.Kind != jsontree.Array {
			return d.TypeErr("stop", v, "a string or an array of strings")
		}
		if err := d.StringArray(v, "stop", nil); err != nil {
			return err
		}
	}
	for _, k := range []string{"parallel_tool_calls", "store"} {
		if _, err := d.OptBool(root, "", k); err != nil {
			return err
		}
	}
	for _, k := range []string{"service_tier", "safety_identifier", "verbosity"} {
		if _, err := d.OptString(root, "", k); err != nil {
			return err
		}
	}
	for _, k := range []string{"metadata", "logit_bias", "prediction"} {
		if v := root.Get(k); jsontree.Present(v) {
			if err := d.Object(v, jsontree.Path(k)); err != nil {
				return err
			}
		}
	}
	return nil
}

// responseFormat returns the instruction appended to the system prompt for
// json_object and json_schema (outputFormat).
func (d *doc) responseFormat(v *jsontree.Value) (string, error) {
	const p = jsontree.Path("response_format")
	if ok, err := d.OptObject(v, p); !ok {
		return "", err
	}
	return d.outputFormat(v, p, true)
}

func (d *doc) reasoningEffort(v *jsontree.Value) (*canon.Thinking, error) {
	const p = jsontree.Path("reasoning_effort")
	if !jsontree.Present(v) {
		return nil, nil
	}
	if v.Kind != jsontree.String {
		return nil, d.TypeErr(p, v, "a string")
	}
	th, ok := effort(v.Str)
	if !ok {
		return nil, d.Errf(p, badEffort, v.Str)
	}
	return th, nil
}
