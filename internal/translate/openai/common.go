package openai

// What the two OpenAI request front ends (chat.go: Chat Completions,
// responses.go: Responses) share: the options and remote images, opening a
// body, and the top-level fields both APIs spell alike. Each front end maps
// only its own API's fields; message, image and tool-call reading shared by
// both is in messages.go, tool declarations in tools.go.

import (
	"kirodesk/internal/canon"
	"kirodesk/internal/translate/jsontree"
	"kirodesk/internal/translate/tooldecl"
)

// ParseOptions are the user's settings that change what a request may carry.
type ParseOptions struct {
	// InPlace: the caller owns the body and hands it over, to be parsed in
	// place (jsontree.ParseOptions.InPlace): long strings are unquoted into
	// it rather than into copies. The caller must not use the body after
	// the call; the request's strings may be its bytes.
	InPlace bool
}

// openRequest parses body into d (in place if opts say so); it must be a
// JSON object with a non-empty model and nothing refuse (the API's fields
// Kiro cannot honour) refuses. It starts the canonical request and reads
// its tools with the API's tools reader, which notes in the returned
// Origins how each was declared. (The caller makes d, so that it can stay
// on the caller's stack.)
func (d *doc) openRequest(body []byte, opts ParseOptions, refuse func(root *jsontree.Value) error,
	tools func(v *jsontree.Value, r *canon.Request, origins tooldecl.Origins) error) (*jsontree.Value, *canon.Request, tooldecl.Origins, error) {
	jd, root, err := jsontree.ParseObject(body, jsontree.ParseOptions{InPlace: opts.InPlace})
	if err != nil {
		return nil, nil, nil, err
	}
	d.Doc = jd
	r := &canon.Request{}
	if r.Model, err = d.NonEmptyString(root, "", "model"); err != nil {
		return nil, nil, nil, err
	}
	if err := refuse(root); err != nil {
		return nil, nil, nil, err
	}
	origins := tooldecl.Origins{}
	if err := tools(root.Get("tools"), r, origins); err != nil {
		return nil, nil, nil, err
	}
	return root, r, origins, nil
}

// The names of the output limit, package variables so that no call
// allocates a slice of them.
var (
	chatMaxTokens      = []string{"max_tokens", "max_completion_tokens"}
	responsesMaxTokens = []string{"max_output_tokens"}
)

// maxTokens reads the output limit. Chat Completions has two names for it:
// max_completion_tokens is the current one; max_tokens is deprecated but
// still what most clients send. The later key wins.
func (d *doc) maxTokens(root *jsontree.Value, r *canon.Request, keys []string) error {
	for _, k := range keys {
		n, ok, err := d.OptInt(root, "", k)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if n < 1 {
			return d.Errf(jsontree.Path(k), "must be at least 1, got %d", n)
		}
		if n > 1<<31-1 {
			return d.Errf(jsontree.Path(k), "%d is too large", n)
		}
		r.MaxTokens = int(n)
	}
	return nil
}

// output reads how the answer is to come, as both APIs say it: the output
// limit, stream and stream_options (chat: as Chat Completions has them).
func (d *doc) output(root *jsontree.Value, r *canon.Request, chat bool) (includeUsage bool, err error) {
	keys := responsesMaxTokens
	if chat {
		keys = chatMaxTokens
	}
	if err := d.maxTokens(root, r, keys); err != nil {
		return false, err
	}
	if r.Stream, err = d.OptBool(root, "", "stream"); err != nil {
		return false, err
	}
	return d.streamOptions(root, r.Stream, chat)
}

// streamOptions reads stream_options. Only Chat Completions has
// include_usage, and allows the object only on a stream.
func (d *doc) streamOptions(root *jsontree.Value, stream, chat bool) (includeUsage bool, err error) {
	const p = jsontree.Path("stream_options")
	so := root.Get("stream_options")
	if ok, err := d.OptObject(so, p); !ok {
		return false, err
	}
	if chat {
		if !stream {
			return false, d.Errf(p, "only allowed when stream is true")
		}
		if includeUsage, err = d.OptBool(so, p, "include_usage"); err != nil {
			return false, err
		}
	}
	_, err = d.OptBool(so, p, "include_obfuscation")
	return includeUsage, err
}

// temperatureTopP type-checks the two sampling fields both APIs accept and
// Kiro has no equivalent for.
func (d *doc) temperatureTopP(root *jsontree.Value) error {
	if err := d.OptNumber(root, "", "temperature", 0, 2); err != nil {
		return err
	}
	return d.OptNumber(root, "", "top_p", 0, 1)
}

// outputFormat reads a structured-output format, {"type": "text",
// "json_object" or "json_schema", ...}, and returns the instruction for the
// system prompt. Kiro cannot constrain decoding, so structured output is
// best effort: the model is told what to produce, and nothing checks that
// it did. Refusing the field instead would break every client library's
// structured-output helper outright. Chat's response_format nests a
// schema's fields in a json_schema member (nested), where the schema itself
// is optional; Responses' text.format has them in the format, schema
// required.
func (d *doc) outputFormat(v *jsontree.Value, p jsontree.Path, nested bool) (string, error) {
	typ, err := d.ReqString(v, p, "type")
	if err != nil {
		return "", err
	}
	switch typ {
	case "text":
		return "", nil
	case "json_object":
		return "Respond with a single valid JSON object and nothing else: no prose, no Markdown code fences.", nil
	case "json_schema":
	default:
		return "", d.Errf(p.Key("type"), `%q is not valid; use "text", "json_object" or "json_schema"`, typ)
	}
	sv, sp := v, p
	if nested {
		if sv, sp, err = d.ReqObject(v, p, "json_schema"); err != nil {
			return "", err
		}
	}
	f := d.Fields(sv, sp)
	name := f.NonEmptyString("name")
	f.OptString("description") // checked, not used
	f.OptBool("strict")
	if f.Err != nil {
		return "", f.Err
	}
	msg := "Respond with a single valid JSON value named " + name + " and nothing else: no prose, no Markdown code fences."
	sch := sv.Get("schema")
	if !jsontree.Present(sch) {
		if nested {
			return msg, nil
		}
		return "", d.Required(sp.Key("schema"))
	}
	if err := d.Object(sch, sp.Key("schema")); err != nil {
		return "", err
	}
	return msg + " It must conform to this JSON Schema: " + string(d.CompactRaw(sch)), nil
}

// effort reads a reasoning effort: "none" asks for no thinking; false is
// an effort neither API knows (badEffort says so).
func effort(s string) (*canon.Thinking, bool) {
	if s == "none" {
		return nil, true
	}
	e, ok := reasoningEfforts[s]
	if !ok {
		return nil, false
	}
	return &canon.Thinking{Mode: "adaptive", Effort: e}, true
}

const badEffort = `%q is not valid; use "none", "minimal", "low", "medium", "high" or "xhigh"`

var reasoningEfforts = map[string]string{
	"minimal": "low", // Kiro's lowest level
	"low":     "low",
	"medium":  "medium",
	"high":    "high",
	"xhigh":   "xhigh",
}

// The fields that name a conversation, in the order they are tried: the
// first non-empty one keys the conversation's account (canon.Request.
// ConversationKey). Codex sends its conversation id as prompt_cache_key;
// user is the deprecated name for safety_identifier. Package variables so
// that no call allocates a slice of them.
var (
	chatConversationKeys      = []string{"user", "prompt_cache_key"}
	responsesConversationKeys = []string{"prompt_cache_key", "safety_identifier", "user"}
)

// conversationKey reads the string fields keys (each must be a string if
// present) and returns the first non-empty one.
func (d *doc) conversationKey(root *jsontree.Value, keys []string) (string, error) {
	key := ""
	for _, k := range keys {
		s, err := d.OptString(root, "", k)
		if err != nil {
			return "", err
		}
		if key == "" {
			key = s
		}
	}
	return key, nil
}

func joinSystem(a, b string) string {
	switch {
	case b == "":
		return a
	case a == "":
		return b
	}
	return a + "\n\n" + b
}
