package openai

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/transtest"
)

// TestParseChatRequestGolden parses every testdata/requests/*.json and
// compares the canonical request and the chat options with the .canon.json
// golden beside it.
func TestParseChatRequestGolden(t *testing.T) {
	transtest.EachRequestGolden(t, func(t *testing.T, name string, body []byte) any {
		req, opts, err := ParseChatRequest(body, ParseOptions{})
		require.NoError(t, err)
		return struct {
			Request *canon.Request
			Options ChatOptions
		}{req, opts}
	})
}

func TestParseChatRequestFields(t *testing.T) {
	body, err := os.ReadFile("testdata/requests/system_developer_tools.json")
	require.NoError(t, err)
	req, opts, err := ParseChatRequest(body, ParseOptions{})
	require.NoError(t, err)

	assert.True(t, opts.IncludeUsage)
	assert.True(t, req.Stream)
	assert.Equal(t, 1024, req.MaxTokens)
	assert.Equal(t, "user-42", req.ConversationKey)
	assert.Equal(t, "You are a helpful assistant.\n\nPrefer short answers.\nUse tools when useful.\n\nLate system note.", req.System,
		"system and developer messages join with blank lines, in order, wherever they appear")
	require.Len(t, req.Messages, 4)
	assert.Equal(t, canon.Image{MediaType: "image/png", Data: "iVBORw0KGgo="}, *req.Messages[0].Content[1].Image)
	calls := req.Messages[1].Content
	require.Len(t, calls, 2, "content null with tool_calls")
	assert.Equal(t, `{"city":"Paris","unit":"c"}`, string(calls[0].ToolUse.Input), "arguments are compacted")
	assert.Equal(t, `{}`, string(calls[1].ToolUse.Input), "empty arguments are {}")
	results := req.Messages[2]
	assert.Equal(t, canon.RoleUser, results.Role)
	require.Len(t, results.Content, 2, "consecutive tool messages share one user turn")
	assert.Equal(t, "call_1", results.Content[0].ToolResult.ToolUseID)
	assert.Equal(t, "12:00", canon.TextOf(results.Content[1].ToolResult.Content))
	assert.Equal(t, "Thanks. Summarise.", canon.TextOf(req.Messages[3].Content), "a user message after tool messages is a turn of its own")
	require.Len(t, req.Tools, 2)
	assert.Equal(t, `{"type":"object","properties":{}}`, string(req.Tools[1].InputSchema), "missing parameters")
	assert.Equal(t, &canon.ToolChoice{Type: "auto"}, req.ToolChoice)
}

func TestParseChatRequestMappings(t *testing.T) {
	parse := func(extra string) *canon.Request {
		t.Helper()
		req, _, err := ParseChatRequest([]byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}]`+extra+`}`), ParseOptions{})
		require.NoError(t, err)
		return req
	}
	assert.Equal(t, &canon.ToolChoice{Type: "any"}, parse(`,"tool_choice":"required"`).ToolChoice)
	assert.Equal(t, &canon.ToolChoice{Type: "none"}, parse(`,"tool_choice":"none"`).ToolChoice)
	assert.Equal(t, &canon.ToolChoice{Type: "tool", Name: "f"}, parse(`,"tool_choice":{"type":"function","function":{"name":"f"}}`).ToolChoice)
	for in, want := range map[string]string{"low": "low", "medium": "medium", "high": "high", "minimal": "low", "xhigh": "xhigh"} {
		assert.Equal(t, &canon.Thinking{Mode: "adaptive", Effort: want}, parse(`,"reasoning_effort":"`+in+`"`).Thinking, in)
	}
	assert.Nil(t, parse(`,"reasoning_effort":"none"`).Thinking)
	assert.Equal(t, 50, parse(`,"max_completion_tokens":50`).MaxTokens)
	assert.Equal(t, 60, parse(`,"max_tokens":70,"max_completion_tokens":60`).MaxTokens, "max_completion_tokens wins")
	assert.Equal(t, "u", parse(`,"user":"u","prompt_cache_key":"k"`).ConversationKey)
	assert.Equal(t, "k", parse(`,"prompt_cache_key":"k"`).ConversationKey)
	assert.Contains(t, parse(`,"response_format":{"type":"json_object"}`).System, "single valid JSON object")
	assert.Empty(t, parse(`,"response_format":{"type":"text"}`).System)
	assert.Zero(t, parse(`,"stream":false`).MaxTokens)
}

func TestRemoteImagesAreRefused(t *testing.T) {
	body := []byte(`{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"ok"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}`)
	_, _, err := ParseChatRequest(body, ParseOptions{})
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "messages[2].content[1].image_url.url: remote image URLs are not fetched; send the image as a data: URL (base64)", re.Message)
	assert.Equal(t, "messages[2].content[1].image_url.url", re.Param)
}

// TestParseChatRequestRejects pins the message of every refusal: each names
// the field (also in Param), and type and syntax errors give the position.
func TestParseChatRequestRejects(t *testing.T) {
	const msgs = `"messages":[{"role":"user","content":"hi"}]`
	with := func(extra string) string { return `{"model":"m",` + msgs + `,` + extra + `}` }
	withMsg := func(m string) string {
		return `{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"ok"},` + m + `]}`
	}
	user := func(content string) string { return withMsg(`{"role":"user","content":` + content + `}`) }
	img := func(url string) string {
		return user(`[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"` + url + `"}}]`)
	}
	call := func(fn string) string {
		return withMsg(`{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":` + fn + `}]}`)
	}
	tool := func(fn string) string { return with(`"tools":[{"type":"function","function":` + fn + `}]`) }
	deep := strings.Repeat("[", 70) + strings.Repeat("]", 70)

	type refusal struct{ name, body, want, param string }
	cases := []refusal{
		{"empty body", ``, "request body is empty", ""},
		{"not JSON", `{"model": "m",}`, "invalid JSON at line 1, column 15 (byte 14): invalid character '}' looking for beginning of object key string", ""},
		{"truncated", `{"model": "m"`, "invalid JSON at line 1, column 14 (byte 13): unexpected end of input", ""},
		{"trailing data", `{"model":"m"} {}`, "invalid JSON at line 1, column 15 (byte 14): unexpected data after the top-level value", ""},
		{"invalid UTF-8", "{\"model\":\"m\xff\"}", "request body is not valid UTF-8 at line 1, column 12 (byte 11)", ""},
		{"too deep", with(`"x":` + deep), "request body nests deeper than 64 levels", ""},
		{"array body", `[]`, "request body: expected a JSON object, got an array", ""},
		{"model missing", `{` + msgs + `}`, "model: field required", "model"},
		{"model wrong type", `{"model":7,` + msgs + `}`, "model: expected a string, got a number (at line 1, column 10 (byte 9))", "model"},
		{"model empty", `{"model":"",` + msgs + `}`, "model: must not be empty", "model"},
		{"messages missing", `{"model":"m"}`, "messages: field required", "messages"},
		{"messages empty", `{"model":"m","messages":[]}`, "messages: at least one message is required", "messages"},
		{"messages object", `{"model":"m","messages":{}}`, "messages: expected an array of messages, got an object", "messages"},
		{"only system", `{"model":"m","messages":[{"role":"system","content":"x"}]}`, "messages: at least one user, assistant or tool message is required besides system messages", "messages"},
		{"message not object", `{"model":"m","messages":["hi"]}`, "messages[0]: expected an object, got a string", "messages[0]"},
		{"role missing", `{"model":"m","messages":[{"content":"hi"}]}`, "messages[0].role: field required", "messages[0].role"},
		{"role bogus", `{"model":"m","messages":[{"role":"bot","content":"x"}]}`, `messages[0].role: "bot" is not a valid role; use "system", "developer", "user", "assistant" or "tool"`, "messages[0].role"},
		{"role function", `{"model":"m","messages":[{"role":"function","name":"f","content":"x"}]}`, `messages[0].role: "function" messages are deprecated and not supported; use role "tool" with tool_call_id`, "messages[0].role"},
		{"system content number", `{"model":"m","messages":[{"role":"system","content":1},{"role":"user","content":"x"}]}`, "messages[0].content: expected a string or an array of text parts, got a number", "messages[0].content"},
		{"system image part", `{"model":"m","messages":[{"role":"system","content":[{"type":"image_url"}]},{"role":"user","content":"x"}]}`, `messages[0].content[0].type: only "text" parts are allowed here, got "image_url"`, "messages[0].content[0].type"},
		{"user content missing", `{"model":"m","messages":[{"role":"user"}]}`, "messages[0].content: field required", "messages[0].content"},
		{"user content empty", `{"model":"m","messages":[{"role":"user","content":""}]}`, "messages[0].content: must not be empty", "messages[0].content"},
		{"user content number", user(`5`), "messages[2].content: expected a string or an array of content parts, got a number (at line 1", "messages[2].content"},
		{"part without type", user(`[{"text":"x"}]`), "messages[2].content[0].type: field required", "messages[2].content[0].type"},
		{"part unknown", user(`[{"type":"video"}]`), `messages[2].content[0].type: unknown content part type "video"; use "text" or "image_url"`, "messages[2].content[0].type"},
		{"audio part", user(`[{"type":"input_audio","input_audio":{"data":"AA==","format":"wav"}}]`), "messages[2].content[0].type: audio input is not supported by Kiro", "messages[2].content[0].type"},
		{"file part", user(`[{"type":"file","file":{"file_id":"f"}}]`), "messages[2].content[0].type: file parts are not supported by Kiro", "messages[2].content[0].type"},
		{"text part number", user(`[{"type":"text","text":3}]`), "messages[2].content[0].text: expected a string, got a number", "messages[2].content[0].text"},
		{"remote image", img("https://example.com/a.png"), "messages[2].content[1].image_url.url: remote image URLs are not fetched; send the image as a data: URL (base64)", "messages[2].content[1].image_url.url"},
		{"image bmp", img("data:image/bmp;base64,Qk0="), `messages[2].content[1].image_url.url: image media type "image/bmp" is not supported; use png, jpeg, gif or webp`, "messages[2].content[1].image_url.url"},
		{"image not base64 data URL", img("data:image/png,abc"), "messages[2].content[1].image_url.url: data: URLs must be base64-encoded (data:image/png;base64,...)", "messages[2].content[1].image_url.url"},
		{"image bad base64", img("data:image/png;base64,not base64!"), "messages[2].content[1].image_url.url: the data: URL is not valid base64", "messages[2].content[1].image_url.url"},
		{"image no comma", img("data:image/png;base64"), "messages[2].content[1].image_url.url: malformed data: URL", "messages[2].content[1].image_url.url"},
		{"image ftp", img("ftp://example.com/a.png"), "messages[2].content[1].image_url.url: must be a data: URL (base64) or an http(s) URL", "messages[2].content[1].image_url.url"},
		{"image_url string", user(`[{"type":"image_url","image_url":"data:image/png;base64,AA=="}]`), "messages[2].content[0].image_url: expected an object, got a string", "messages[2].content[0].image_url"},
		{"image detail bogus", user(`[{"type":"image_url","image_url":{"url":"data:image/png;base64,AA==","detail":"max"}}]`), `messages[2].content[0].image_url.detail: "max" is not valid; use "auto", "low" or "high"`, "messages[2].content[0].image_url.detail"},
		{"assistant empty", withMsg(`{"role":"assistant","content":null}`), "messages[2].content: an assistant message needs content or tool_calls", "messages[2].content"},
		{"assistant image part", withMsg(`{"role":"assistant","content":[{"type":"image_url"}]}`), `messages[2].content[0].type: "image_url" parts are not allowed in assistant messages; use "text" or "refusal"`, "messages[2].content[0].type"},
		{"assistant function_call", withMsg(`{"role":"assistant","function_call":{"name":"f","arguments":"{}"}}`), `messages[2].function_call: the deprecated "function_call" is not supported; use "tool_calls"`, "messages[2].function_call"},
		{"tool_calls object", withMsg(`{"role":"assistant","tool_calls":{}}`), "messages[2].tool_calls: expected an array of tool calls, got an object", "messages[2].tool_calls"},
		{"tool call no id", withMsg(`{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}`), "messages[2].tool_calls[0].id: field required", "messages[2].tool_calls[0].id"},
		{"tool call no name", call(`{"arguments":"{}"}`), "messages[2].tool_calls[0].function.name: field required", "messages[2].tool_calls[0].function.name"},
		{"tool call arguments object", call(`{"name":"f","arguments":{"a":1}}`), "messages[2].tool_calls[0].function.arguments: expected a string, got an object", "messages[2].tool_calls[0].function.arguments"},
		{"tool call arguments invalid", call(`{"name":"f","arguments":"{\"a\":"}`), "messages[2].tool_calls[0].function.arguments: not valid JSON: unexpected end of JSON input", "messages[2].tool_calls[0].function.arguments"},
		{"tool call arguments array", call(`{"name":"f","arguments":"[1]"}`), "messages[2].tool_calls[0].function.arguments: must be a JSON object, got an array", "messages[2].tool_calls[0].function.arguments"},
		{"tool message no id", withMsg(`{"role":"tool","content":"x"}`), "messages[2].tool_call_id: field required", "messages[2].tool_call_id"},
		{"tool message no content", withMsg(`{"role":"tool","tool_call_id":"c"}`), "messages[2].content: field required", "messages[2].content"},
		{"tool message image", withMsg(`{"role":"tool","tool_call_id":"c","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AA=="}}]}`), `messages[2].content[0].type: only "text" parts are allowed here, got "image_url"`, "messages[2].content[0].type"},
		{"tools object", with(`"tools":{}`), "tools: expected an array of tools, got an object", "tools"},
		{"tool no type", with(`"tools":[{"function":{"name":"f"}}]`), "tools[0].type: field required", "tools[0].type"},
		{"tool no function", with(`"tools":[{"type":"function"}]`), "tools[0].function: field required", "tools[0].function"},
		{"tool bad name", tool(`{"name":"has space"}`), `tools[0].function.name: "has space" is not a valid function name; use 1 to 64 letters, digits, '_' or '-'`, "tools[0].function.name"},
		{"tool parameters array", tool(`{"name":"f","parameters":[]}`), "tools[0].function.parameters: expected an object, got an array", "tools[0].function.parameters"},
		{"tool parameters string type", tool(`{"name":"f","parameters":{"type":"string"}}`), `tools[0].function.parameters.type: must be "object"`, "tools[0].function.parameters.type"},
		{"duplicate tools", with(`"tools":[{"type":"function","function":{"name":"a"}},{"type":"function","function":{"name":"a"}}]`), `tools[1].function.name: duplicate function name "a"; function names must be unique`, "tools[1].function.name"},
		{"tool_choice bogus", with(`"tool_choice":"any"`), `tool_choice: "any" is not valid; use "auto", "none", "required" or {"type":"function","function":{"name":...}}`, "tool_choice"},
		{"tool_choice required without tools", with(`"tool_choice":"required"`), `tool_choice: "required" needs at least one tool in tools`, "tool_choice"},
		{"tool_choice unknown function", with(`"tool_choice":{"type":"function","function":{"name":"g"}}`), `tool_choice.function.name: "g" is not one of the functions in tools`, "tool_choice.function.name"},
		{"tool_choice allowed_tools", with(`"tool_choice":{"type":"allowed_tools","allowed_tools":{}}`), `tool_choice.type: "allowed_tools" is not supported; use "function"`, "tool_choice.type"},
		{"tool_choice number", with(`"tool_choice":1`), "tool_choice: expected a string or an object, got a number", "tool_choice"},
		{"max_tokens zero", with(`"max_tokens":0`), "max_tokens: must be at least 1, got 0", "max_tokens"},
		{"max_completion_tokens string", with(`"max_completion_tokens":"9"`), "max_completion_tokens: expected an integer, got a string", "max_completion_tokens"},
		{"max_tokens fraction", with(`"max_tokens":1.5`), "max_tokens: expected an integer, got a number", "max_tokens"},
		{"stream string", with(`"stream":"true"`), "stream: expected a boolean, got a string", "stream"},
		{"stream_options without stream", with(`"stream_options":{"include_usage":true}`), "stream_options: only allowed when stream is true", "stream_options"},
		{"include_usage string", with(`"stream":true,"stream_options":{"include_usage":"yes"}`), "stream_options.include_usage: expected a boolean, got a string", "stream_options.include_usage"},
		{"reasoning_effort bogus", with(`"reasoning_effort":"max"`), `reasoning_effort: "max" is not valid; use "none", "minimal", "low", "medium", "high" or "xhigh"`, "reasoning_effort"},
		{"user number", with(`"user":5`), "user: expected a string, got a number", "user"},
		{"n two", with(`"n":2`), "n: only one choice is supported; use n=1 (got 2)", "n"},
		{"n zero", with(`"n":0`), "n: must be at least 1, got 0", "n"},
		{"temperature string", with(`"temperature":"hot"`), "temperature: expected a number, got a string", "temperature"},
		{"temperature too high", with(`"temperature":3`), "temperature: must be between 0 and 2, got 3", "temperature"},
		{"top_p too high", with(`"top_p":1.5`), "top_p: must be between 0 and 1, got 1.5", "top_p"},
		{"presence_penalty bool", with(`"presence_penalty":true`), "presence_penalty: expected a number, got a boolean", "presence_penalty"},
		{"seed fraction", with(`"seed":1.5`), "seed: expected an integer, got a number", "seed"},
		{"stop element", with(`"stop":["a",1]`), "stop[1]: expected a string, got a number", "stop[1]"},
		{"stop object", with(`"stop":{}`), "stop: expected a string or an array of strings, got an object", "stop"},
		{"logprobs true", with(`"logprobs":true`), "logprobs: log probabilities are not available from Kiro", "logprobs"},
		{"response_format bogus", with(`"response_format":{"type":"xml"}`), `response_format.type: "xml" is not valid; use "text", "json_object" or "json_schema"`, "response_format.type"},
		{"json_schema missing", with(`"response_format":{"type":"json_schema"}`), "response_format.json_schema: field required", "response_format.json_schema"},
		{"json_schema no name", with(`"response_format":{"type":"json_schema","json_schema":{"schema":{}}}`), "response_format.json_schema.name: field required", "response_format.json_schema.name"},
		{"functions", with(`"functions":[{"name":"f"}]`), `functions: the deprecated "functions" parameter is not supported; use "tools"`, "functions"},
		{"audio output", with(`"modalities":["text","audio"],"audio":{"voice":"alloy","format":"wav"}`), "audio: audio output is not supported by Kiro", "audio"},
		{"modalities audio", with(`"modalities":["text","audio"]`), `modalities[1]: "audio" output is not supported by Kiro; only "text" is`, "modalities[1]"},
		{"metadata array", with(`"metadata":[]`), "metadata: expected an object, got an array", "metadata"},
	}
	transtest.EachCase(t, cases, 25, func(tc refusal) string { return tc.name }, func(t *testing.T, tc refusal) {
		req, _, err := ParseChatRequest([]byte(tc.body), ParseOptions{})
		require.Error(t, err, "accepted: %+v", req)
		assert.Nil(t, req)
		var re *RequestError
		require.True(t, errors.As(err, &re), "want *RequestError, got %T", err)
		assert.Contains(t, re.Message, tc.want)
		assert.Equal(t, tc.param, re.Param)
	})
}
