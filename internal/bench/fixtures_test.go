package bench

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/anthropic"
	"kirodesk/internal/translate/openai"
)

// Request fixtures of the sizes and shapes real clients send. Claude Code
// sends 50–500 KB a turn: its system prompt, a dozen tool schemas, the whole
// conversation, pasted images. A "hello" request hides what the proxy does
// per kilobyte; these do not.
//
// testdata/claude_code_request.json is one real request Claude Code sent
// (`claude -p`, version in its User-Agent: claude-cli/2.1.332), with the
// device id in metadata zeroed: its system prompt and its 12 tool schemas as
// sent. The sized fixtures keep those and grow the conversation
// deterministically (no randomness that is not seeded) to the target size;
// testdata/../translate/openai/testdata/codex/tools_turn.json gives Codex's
// tool list for the Responses fixture.

// API names the endpoint a fixture is sent to.
type api string

const (
	apiMessages  api = "messages"  // POST /v1/messages
	apiChat      api = "chat"      // POST /v1/chat/completions
	apiResponses api = "responses" // POST /v1/responses
)

// fixture is one client request body (stream: true).
type fixture struct {
	Name string
	API  api
	Body []byte
}

// KB is the body's size in kilobytes (1,000 bytes: the unit).
func (f fixture) KB() float64 { return float64(len(f.Body)) / 1000 }

// parse translates the fixture into the canonical request, leaving its
// body as it is (the handler parses in place: parseWith).
func (f fixture) parse() (*canon.Request, error) { return f.parseWith(f.Body, false) }

// parseWith is parse of body (f's, or a copy of it), in place if asked:
// the server's way, which rewrites body.
func (f fixture) parseWith(body []byte, inPlace bool) (*canon.Request, error) {
	switch f.API {
	case apiChat:
		r, _, err := openai.ParseChatRequest(body, openai.ParseOptions{InPlace: inPlace})
		return r, err
	case apiResponses:
		r, _, err := openai.ParseResponsesRequest(body, openai.ParseOptions{InPlace: inPlace})
		return r, err
	default:
		return anthropic.ParseRequest(body, anthropic.ParseOptions{InPlace: inPlace})
	}
}

// withStream returns the body with "stream" set as asked (fixtures are
// built streaming; the key is written last by marshalOrdered).
func (f fixture) withStream(stream bool) []byte {
	if stream {
		return f.Body
	}
	return bytes.Replace(f.Body, []byte(`"stream":true`), []byte(`"stream":false`), 1)
}

var (
	fixturesOnce sync.Once
	fixturesAll  []fixture
	fixturesErr  error
)

// fixtures returns every fixture, smallest first. Built once per process.
func fixtures(tb testing.TB) []fixture {
	tb.Helper()
	fixturesOnce.Do(func() { fixturesAll, fixturesErr = buildFixtures() })
	if fixturesErr != nil {
		tb.Fatalf("fixtures: %v", fixturesErr)
	}
	return fixturesAll
}

// fixtureNamed returns the fixture called name.
func fixtureNamed(tb testing.TB, name string) fixture {
	tb.Helper()
	for _, f := range fixtures(tb) {
		if f.Name == name {
			return f
		}
	}
	tb.Fatalf("no fixture %q", name)
	return fixture{}
}

func buildFixtures() ([]fixture, error) {
	base, err := os.ReadFile("testdata/claude_code_request.json")
	if err != nil {
		return nil, err
	}
	codex, err := os.ReadFile("../translate/openai/testdata/codex/tools_turn.json")
	if err != nil {
		return nil, err
	}
	var cc ccBase
	if err := json.Unmarshal(base, &cc); err != nil {
		return nil, fmt.Errorf("claude_code_request.json: %w", err)
	}
	small := cc.small()
	var out []fixture
	for _, f := range []struct {
		name string
		api  api
		make func() ([]byte, error)
	}{
		{"cc-10k", apiMessages, func() ([]byte, error) { return claudeCodeRequest(small, 6, 10_000, 0) }},
		{"cc-100k", apiMessages, func() ([]byte, error) { return claudeCodeRequest(cc, 40, 100_000, 0) }},
		{"cc-500k", apiMessages, func() ([]byte, error) { return claudeCodeRequest(cc, 40, 500_000, 0) }},
		{"cc-images-300k", apiMessages, func() ([]byte, error) { return claudeCodeRequest(cc, 4, 300_000, 2) }},
		{"chat-100k", apiChat, func() ([]byte, error) { return chatRequest(cc, 40, 100_000) }},
		{"responses-100k", apiResponses, func() ([]byte, error) { return responsesRequest(codex, 40, 100_000) }},
	} {
		body, err := f.make()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		out = append(out, fixture{Name: f.name, API: f.api, Body: body})
	}
	return out, nil
}

// ccBase is the parts of the captured Claude Code request the fixtures reuse.
type ccBase struct {
	Model     string            `json:"model"`
	MaxTokens int               `json:"max_tokens"`
	Metadata  json.RawMessage   `json:"metadata"`
	Thinking  json.RawMessage   `json:"thinking"`
	Context   json.RawMessage   `json:"context_management"`
	System    []json.RawMessage `json:"system"`
	Tools     []json.RawMessage `json:"tools"`
	Messages  []struct {
		Role    string            `json:"role"`
		Content []json.RawMessage `json:"content"`
	} `json:"messages"`
}

// small is the captured request cut down to a 10 KB turn: the first system
// blocks and a 1 KB slice of the long one, the environment note and the
// prompt of the first message, and the three file tools.
func (c ccBase) small() ccBase {
	s := c
	s.System = append([]json.RawMessage{}, c.System[:len(c.System)-1]...)
	var long struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	_ = json.Unmarshal(c.System[len(c.System)-1], &long)
	cut := long.Text[:min(1000, len(long.Text))]
	s.System = append(s.System, mustJSON(map[string]string{"type": "text", "text": cut}))
	first := c.Messages[0].Content
	s.Messages = append(s.Messages[:0:0], c.Messages[0])
	s.Messages[0].Content = []json.RawMessage{first[0], first[len(first)-1]}
	s.Tools = nil
	for _, t := range c.Tools {
		var n struct{ Name string }
		_ = json.Unmarshal(t, &n)
		if n.Name == "Read" || n.Name == "Edit" || n.Name == "Write" {
			s.Tools = append(s.Tools, t)
		}
	}
	return s
}

// ccCalls are the tool calls the grown history makes, in turn.
var ccCalls = []struct{ name, input string }{
	{"Read", `{"file_path":"/work/project/internal/relay/relay.go"}`},
	{"Bash", `{"command":"go test ./internal/relay/...","description":"Run the relay tests"}`},
	{"Edit", `{"file_path":"/work/project/internal/relay/relay.go","old_string":"estimate := -1","new_string":"var estimate inputEstimate"}`},
	{"Read", `{"file_path":"/work/project/internal/kiro/payload/build.go"}`},
}

// claudeCodeRequest is c's system prompt and tools with a conversation of
// turns messages after the first (an assistant turn with thinking, text and
// a tool call, then the user's tool result, alternating), sized to about
// target bytes by the tool results' length. images > 0 adds that many
// PNG screenshots to the last user turn and sizes them instead.
func claudeCodeRequest(c ccBase, turns, target, images int) ([]byte, error) {
	build := func(fill int) ([]byte, error) {
		resultFill := fill
		if images > 0 {
			resultFill = 2000 // the images make the size
		}
		msgs := []any{map[string]any{"role": "user", "content": c.Messages[0].Content}}
		for i := 0; i < turns/2; i++ {
			call := ccCalls[i%len(ccCalls)]
			id := fmt.Sprintf("toolu_01%022d", i)
			msgs = append(msgs,
				map[string]any{"role": "assistant", "content": []any{
					map[string]any{"type": "thinking", "thinking": fmt.Sprintf("Step %d: the next thing to look at is %s.", i, call.name),
						"signature": base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{byte(i)}, 96))},
					map[string]any{"type": "text", "text": fmt.Sprintf("Let me check step %d.", i)},
					map[string]any{"type": "tool_use", "id": id, "name": call.name, "input": json.RawMessage(call.input)},
				}},
				map[string]any{"role": "user", "content": []any{
					map[string]any{"type": "tool_result", "tool_use_id": id, "content": fileListing(i, resultFill)},
				}})
		}
		if images > 0 {
			content := []any{}
			for k := range images {
				content = append(content, map[string]any{"type": "image", "source": map[string]any{
					"type": "base64", "media_type": "image/png", "data": noisePNG(uint64(k), fill)}})
			}
			content = append(content, map[string]any{"type": "text", "text": "What changed between these two screenshots?"})
			if turns%2 == 0 {
				msgs = append(msgs, map[string]any{"role": "assistant", "content": "Send me the screenshots."})
			}
			msgs = append(msgs, map[string]any{"role": "user", "content": content})
		}
		return marshalOrdered(
			kv{"model", c.Model}, kv{"messages", msgs}, kv{"system", c.System}, kv{"tools", c.Tools},
			kv{"metadata", c.Metadata}, kv{"max_tokens", c.MaxTokens}, kv{"thinking", c.Thinking},
			kv{"context_management", c.Context}, kv{"stream", true})
	}
	per := turns / 2
	if images > 0 {
		per = images
	}
	return sizeTo(build, target, per)
}

// chatRequest is an OpenAI Chat Completions request with c's system prompt
// and tools (as functions) and turns messages of tool calls and results.
func chatRequest(c ccBase, turns, target int) ([]byte, error) {
	var system []string
	for _, s := range c.System {
		var b struct{ Text string }
		_ = json.Unmarshal(s, &b)
		system = append(system, b.Text)
	}
	var tools []any
	for _, t := range c.Tools {
		var d struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			InputSchema json.RawMessage `json:"input_schema"`
		}
		_ = json.Unmarshal(t, &d)
		tools = append(tools, map[string]any{"type": "function", "function": map[string]any{
			"name": d.Name, "description": d.Description, "parameters": d.InputSchema}})
	}
	build := func(fill int) ([]byte, error) {
		msgs := []any{
			map[string]any{"role": "system", "content": strings.Join(system, "\n\n")},
			map[string]any{"role": "user", "content": "Speed up the relay's hot path and run the tests."},
		}
		for i := 0; i < turns/2; i++ {
			call := ccCalls[i%len(ccCalls)]
			id := fmt.Sprintf("call_%024d", i)
			msgs = append(msgs,
				map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{map[string]any{
					"id": id, "type": "function", "function": map[string]any{"name": call.name, "arguments": call.input}}}},
				map[string]any{"role": "tool", "tool_call_id": id, "content": fileListing(i, fill)})
		}
		return marshalOrdered(kv{"model", "claude-sonnet-4-5"}, kv{"messages", msgs}, kv{"tools", tools},
			kv{"max_tokens", 32000}, kv{"stream_options", map[string]any{"include_usage": true}}, kv{"stream", true})
	}
	return sizeTo(build, target, turns/2)
}

// responsesRequest is a Codex-shaped Responses request: the captured Codex
// turn's tools and settings, with an input of turns items of shell calls
// and their output.
func responsesRequest(codex []byte, turns, target int) ([]byte, error) {
	var base map[string]json.RawMessage
	if err := json.Unmarshal(codex, &base); err != nil {
		return nil, fmt.Errorf("codex tools_turn.json: %w", err)
	}
	build := func(fill int) ([]byte, error) {
		input := []any{
			map[string]any{"type": "message", "role": "developer", "content": []any{
				map[string]any{"type": "input_text", "text": "<permissions instructions>workspace-write</permissions instructions>"}}},
			map[string]any{"type": "message", "role": "user", "content": []any{
				map[string]any{"type": "input_text", "text": "Speed up the relay's hot path and run the tests."}}},
		}
		for i := 0; i < turns/2; i++ {
			id := fmt.Sprintf("call_%024d", i)
			input = append(input,
				map[string]any{"type": "function_call", "name": "shell_command", "call_id": id,
					"arguments": fmt.Sprintf(`{"command":"sed -n '%d,%dp' internal/relay/relay.go","workdir":"/repo"}`, i*100+1, i*100+100)},
				map[string]any{"type": "function_call_output", "call_id": id, "output": fileListing(i, fill)})
		}
		// Codex configured for Kirodesk names one of its models.
		fields := []kv{{"model", "claude-sonnet-4-5"}, {"instructions", base["instructions"]}, {"input", input}}
		for _, k := range []string{"tools", "tool_choice", "parallel_tool_calls", "reasoning", "store", "include", "prompt_cache_key", "text"} {
			if v, ok := base[k]; ok {
				fields = append(fields, kv{k, v})
			}
		}
		return marshalOrdered(append(fields, kv{"stream", true})...)
	}
	return sizeTo(build, target, turns/2)
}

// sizeTo calls build with the per-item fill that brings its output closest
// to target bytes (per items share the fill).
func sizeTo(build func(fill int) ([]byte, error), target, per int) ([]byte, error) {
	b, err := build(0)
	if err != nil || len(b) >= target || per == 0 {
		return b, err
	}
	fill := (target - len(b)) / per
	for range 4 { // escaping and rounding make the first guess a little off
		if b, err = build(fill); err != nil {
			return nil, err
		}
		if d := target - len(b); d > -per && d < per {
			break
		} else {
			fill += d / per
		}
	}
	return b, nil
}

// codeLines are the lines fileListing repeats: Go source as the Read tool
// shows it.
var codeLines = []string{
	"package relay",
	"",
	"// attempt runs one try on acct, holding the account's slot until it returns.",
	"func (r *Relay) attempt(ctx context.Context, req *canon.Request, acct store.Account) error {",
	"\tcr, err := r.opts.Pool.Credentials(ctx, acct.ID)",
	"\tif err != nil {",
	"\t\treturn fmt.Errorf(\"credentials for %s: %w\", acct.ID, err)",
	"\t}",
	"\tbuilt, err := payload.Build(req, payload.Options{ConversationID: kiro.UUID()})",
	"\tfor _, ev := range events { // forward each frame as it arrives",
	"\t\tif err := sink.Event(ev); err != nil { return err }",
	"\t}",
	"}",
}

// fileListing is about n bytes (JSON-encoded) of a file as Claude Code's
// Read tool returns it: numbered lines, the line numbers differing per
// call so no two results are alike.
func fileListing(call, n int) string {
	var b strings.Builder
	size := 0
	for line := 1; size < n; line++ {
		s := fmt.Sprintf("%6d\t%s\n", call*1000+line, codeLines[(call+line)%len(codeLines)])
		size += len(s) + strings.Count(s, "\t") + strings.Count(s, "\n") + 2*strings.Count(s, `"`)/2
		b.WriteString(s)
	}
	return b.String()
}

// noisePNG is a PNG of seeded noise (incompressible, as screenshots nearly
// are), base64-encoded to about n bytes.
func noisePNG(seed uint64, n int) string {
	side := max(int(math.Sqrt(float64(n)*3/4/3)), 1) // opaque: 3 bytes a pixel; base64 grows by 4/3
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	rng := rand.New(rand.NewPCG(seed, 42))
	for i := 0; i < len(img.Pix); i += 4 {
		v := rng.Uint32()
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(v), uint8(v>>8), uint8(v>>16), 255
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// kv is one member of a JSON object marshalOrdered writes.
type kv struct {
	k string
	v any
}

// marshalOrdered writes an object with its members in the given order, as
// clients do (model first, stream last), without HTML escaping.
func marshalOrdered(fields ...kv) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(f.k)
		buf.Write(k)
		buf.WriteByte(':')
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(f.v); err != nil {
			return nil, fmt.Errorf("%s: %w", f.k, err)
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
