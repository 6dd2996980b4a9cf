package anthropic

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

// TestParseRequestGolden parses every testdata/requests/*.json (files named
// count_tokens_* through CountTokensRequest) and compares the canonical
// request with the .canon golden beside it.
func TestParseRequestGolden(t *testing.T) {
	transtest.EachRequestGolden(t, func(t *testing.T, name string, body []byte) any {
		parse := ParseRequest
		if strings.HasPrefix(name, "count_tokens_") {
			parse = CountTokensRequest
		}
		req, err := parse(body, ParseOptions{})
		require.NoError(t, err)
		transtest.InPlace(t, body, func(b []byte, inPlace bool) (*canon.Request, error) {
			return parse(b, ParseOptions{InPlace: inPlace})
		})
		return req
	})
}

func TestParseRequestFields(t *testing.T) {
	body, err := os.ReadFile("testdata/requests/claude_code.json")
	require.NoError(t, err)
	req, err := ParseRequest(body, ParseOptions{})
	require.NoError(t, err)

	assert.Equal(t, "You are Claude Code, Anthropic's official CLI for Claude.\n\nUse the tools below.", req.System, "system blocks join with a blank line")
	assert.Equal(t, "user_abc_account_123_session_456", req.ConversationKey)
	assert.Equal(t, &canon.Thinking{Mode: "enabled", BudgetTokens: 31999}, req.Thinking)
	require.Len(t, req.Messages, 3)
	asst := req.Messages[1].Content
	require.Len(t, asst, 3, "redacted_thinking is dropped")
	assert.Equal(t, canon.BlockThinking, asst[0].Type)
	assert.Equal(t, "EqQBCkYIBxgCKkA=", asst[0].Thinking.Signature)
	assert.JSONEq(t, `{"file_path":"/tmp/main.go"}`, string(asst[2].ToolUse.Input))
	assert.Equal(t, `{"file_path":"/tmp/main.go"}`, string(asst[2].ToolUse.Input), "input is compacted")
	results := req.Messages[2].Content
	assert.True(t, results[1].ToolResult.IsError)
	assert.Equal(t, canon.BlockImage, results[1].ToolResult.Content[1].Type)
	assert.Empty(t, results[2].ToolResult.Content, "tool_result without content")
	require.Len(t, req.Tools, 2)
	assert.Contains(t, string(req.Tools[0].InputSchema), `"$schema"`, "schemas pass through whole")
}

func TestCountTokensRequestDoesNotNeedMaxTokens(t *testing.T) {
	body := []byte(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	_, err := ParseRequest(body, ParseOptions{})
	assert.EqualError(t, err, "max_tokens: field required")
	req, err := CountTokensRequest(body, ParseOptions{})
	require.NoError(t, err)
	assert.Equal(t, 0, req.MaxTokens)

	// A budget above max_tokens is what interleaved thinking allows: accepted.
	req, err = CountTokensRequest([]byte(`{"model":"m","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":4000},"messages":[{"role":"user","content":"hi"}]}`), ParseOptions{})
	require.NoError(t, err)
	assert.Equal(t, 4000, req.Thinking.BudgetTokens)
}

func TestThinkingEffortPlacement(t *testing.T) {
	parse := func(extra string) *canon.Thinking {
		t.Helper()
		req, err := ParseRequest([]byte(`{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]`+extra+`}`), ParseOptions{})
		require.NoError(t, err)
		return req.Thinking
	}
	assert.Equal(t, &canon.Thinking{Mode: "adaptive"}, parse(`,"thinking":{"type":"adaptive"}`))
	assert.Equal(t, &canon.Thinking{Mode: "adaptive", Effort: "low"}, parse(`,"thinking":{"type":"adaptive","effort":"low"}`))
	assert.Equal(t, &canon.Thinking{Mode: "adaptive", Effort: "max"}, parse(`,"thinking":{"type":"adaptive","effort":"low"},"output_config":{"effort":"max"}`))
	assert.Nil(t, parse(`,"output_config":{"effort":"high"}`), "effort alone does not turn thinking on")
	assert.Nil(t, parse(`,"thinking":{"type":"disabled"}`))
}

// TestParseRequestRejects pins the message of every refusal: each names the
// field, and type and syntax errors give the position.
func TestParseRequestRejects(t *testing.T) {
	const msgs = `"messages":[{"role":"user","content":"hi"}]`
	withMsg := func(content string) string {
		return `{"model":"m","max_tokens":100,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"ok"},{"role":"user","content":` + content + `}]}`
	}
	withAsst := func(content string) string {
		return `{"model":"m","max_tokens":100,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":` + content + `}]}`
	}
	with := func(extra string) string { return `{"model":"m","max_tokens":2048,` + msgs + `,` + extra + `}` }
	img := func(source string) string {
		return withMsg(`[{"type":"text","text":"look"},{"type":"image","source":` + source + `}]`)
	}
	deep := strings.Repeat("[", 70) + strings.Repeat("]", 70)

	type refusal struct{ name, body, want string }
	cases := []refusal{
		{"empty body", ``, "request body is empty"},
		{"not JSON", `{"model": "m",}`, "invalid JSON at line 1, column 15 (byte 14): invalid character '}' looking for beginning of object key string"},
		{"truncated", `{"model": "m"`, "invalid JSON at line 1, column 14 (byte 13): unexpected end of input"},
		{"syntax error on line 2", "{\"model\": \"m\",\n  \"max_tokens\": 10x}", "invalid JSON at line 2, column 19 (byte 33): invalid character 'x' after object key:value pair"},
		{"bad literal", `{"model":tru}`, "invalid JSON at line 1, column 13 (byte 12): invalid character '}' in literal true (expecting 'e')"},
		{"bad escape", `{"model":"\x"}`, "invalid JSON at line 1, column 12 (byte 11): invalid character 'x' in string escape code"},
		{"trailing data", `{"model":"m"} {}`, "invalid JSON at line 1, column 15 (byte 14): unexpected data after the top-level value"},
		{"invalid UTF-8", "{\"model\":\"m\xff\"}", "request body is not valid UTF-8 at line 1, column 12 (byte 11)"},
		{"too deep", `{"model":"m","max_tokens":1,` + msgs + `,"x":` + deep + `}`, "request body nests deeper than 64 levels at line 1, column 140 (byte 139)"},
		{"array body", `[]`, "request body: expected a JSON object, got an array"},
		{"model missing", `{"max_tokens":1,` + msgs + `}`, "model: field required"},
		{"model wrong type", `{"model":7,"max_tokens":1,` + msgs + `}`, "model: expected a string, got a number (at line 1, column 10 (byte 9))"},
		{"model empty", `{"model":"","max_tokens":1,` + msgs + `}`, "model: must not be empty"},
		{"max_tokens missing", `{"model":"m",` + msgs + `}`, "max_tokens: field required"},
		{"max_tokens zero", `{"model":"m","max_tokens":0,` + msgs + `}`, "max_tokens: must be at least 1, got 0"},
		{"max_tokens string", `{"model":"m","max_tokens":"100",` + msgs + `}`, `max_tokens: expected an integer, got a string (at line 1, column 27 (byte 26))`},
		{"max_tokens fraction", `{"model":"m","max_tokens":1.5,` + msgs + `}`, "max_tokens: expected an integer, got a number"},
		{"messages missing", `{"model":"m","max_tokens":1}`, "messages: field required"},
		{"messages empty", `{"model":"m","max_tokens":1,"messages":[]}`, "messages: at least one message is required"},
		{"messages object", `{"model":"m","max_tokens":1,"messages":{}}`, "messages: expected an array of messages, got an object"},
		{"message not object", `{"model":"m","max_tokens":1,"messages":["hi"]}`, "messages[0]: expected an object, got a string"},
		{"role system", `{"model":"m","max_tokens":1,"messages":[{"role":"system","content":"x"}]}`, `messages[0].role: "system" is not a message role; put the system prompt in the top-level "system" field`},
		{"role bogus", `{"model":"m","max_tokens":1,"messages":[{"role":"tool","content":"x"}]}`, `messages[0].role: "tool" is not a valid role; use "user" or "assistant"`},
		{"content missing", `{"model":"m","max_tokens":1,"messages":[{"role":"user"}]}`, "messages[0].content: field required"},
		{"content number", `{"model":"m","max_tokens":1,"messages":[{"role":"user","content":5}]}`, "messages[0].content: expected a string or an array of content blocks, got a number"},
		{"empty user turn", `{"model":"m","max_tokens":1,"messages":[{"role":"user","content":""},{"role":"assistant","content":"x"}]}`, "messages[0].content: must not be empty (only the final assistant message may be empty)"},
		{"empty text block", withMsg(`[{"type":"text","text":""}]`), "messages[2].content[0].text: text content blocks must be non-empty"},
		{"block without type", withMsg(`[{"text":"x"}]`), "messages[2].content[0].type: field required"},
		{"unknown block", withMsg(`[{"type":"text","text":"a"},{"type":"video"}]`), `messages[2].content[1].type: unknown content block type "video"; expected text, image, tool_use, tool_result, thinking or redacted_thinking`},
		{"document block", withMsg(`[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}}]`), "messages[2].content[0].type: document blocks (PDF and plain-text files) are not supported by Kiro"},
		{"image bmp", img(`{"type":"base64","media_type":"image/bmp","data":"Qk0="}`), `messages[2].content[1].source.media_type: "image/bmp" is not supported; use png, jpeg, gif or webp`},
		{"image url", img(`{"type":"url","url":"https://example.com/a.png"}`), `messages[2].content[1].source.type: "url" image sources are not supported; download the image and send it as a base64 source`},
		{"image file", img(`{"type":"file","file_id":"file_1"}`), `messages[2].content[1].source.type: "file" image sources (Files API) are not supported`},
		{"image bad base64", img(`{"type":"base64","media_type":"image/png","data":"not base64!"}`), "messages[2].content[1].source.data: not valid base64"},
		{"image no source", withMsg(`[{"type":"image"}]`), "messages[2].content[0].source: field required"},
		{"image in assistant", withAsst(`[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA=="}}]`), "messages[1].content[0].type: image blocks are only allowed in user messages"},
		{"tool_use in user", withMsg(`[{"type":"tool_use","id":"t","name":"n","input":{}}]`), "messages[2].content[0].type: tool_use blocks are only allowed in assistant messages"},
		{"tool_use without input", withAsst(`[{"type":"tool_use","id":"t","name":"n"}]`), "messages[1].content[0].input: field required"},
		{"tool_use input array", withAsst(`[{"type":"tool_use","id":"t","name":"n","input":[1]}]`), "messages[1].content[0].input: expected an object, got an array"},
		{"tool_use empty id", withAsst(`[{"type":"tool_use","id":"","name":"n","input":{}}]`), "messages[1].content[0].id: must not be empty"},
		{"tool_result in assistant", withAsst(`[{"type":"tool_result","tool_use_id":"t"}]`), "messages[1].content[0].type: tool_result blocks are only allowed in user messages"},
		{"tool_result no id", withMsg(`[{"type":"tool_result","content":"x"}]`), "messages[2].content[0].tool_use_id: field required"},
		{"tool_result is_error string", withMsg(`[{"type":"tool_result","tool_use_id":"t","is_error":"yes"}]`), "messages[2].content[0].is_error: expected a boolean, got a string"},
		{"tool_result content number", withMsg(`[{"type":"tool_result","tool_use_id":"t","content":3}]`), "messages[2].content[0].content: expected a string or an array of text and image blocks, got a number"},
		{"tool_result nested tool_use", withMsg(`[{"type":"tool_result","tool_use_id":"t","content":[{"type":"tool_use"}]}]`), `messages[2].content[0].content[0].type: "tool_use" blocks are not allowed in tool_result content; use text or image`},
		{"tool_result document", withMsg(`[{"type":"tool_result","tool_use_id":"t","content":[{"type":"document"}]}]`), "messages[2].content[0].content[0].type: document blocks (PDF and plain-text files) are not supported by Kiro"},
		{"tool_result image bmp", withMsg(`[{"type":"tool_result","tool_use_id":"t","content":[{"type":"image","source":{"type":"base64","media_type":"image/bmp","data":"Qk0="}}]}]`), `messages[2].content[0].content[0].source.media_type: "image/bmp" is not supported; use png, jpeg, gif or webp`},
		{"thinking in user", withMsg(`[{"type":"thinking","thinking":"x","signature":"s"}]`), "messages[2].content[0].type: thinking blocks are only allowed in assistant messages"},
		{"thinking without text", withAsst(`[{"type":"thinking","signature":"s"}]`), "messages[1].content[0].thinking: field required"},
		{"system number", with(`"system":1`), "system: expected a string or an array of text blocks, got a number"},
		{"system image block", with(`"system":[{"type":"image"}]`), `system[0].type: system blocks must be text blocks, got "image"`},
		{"tools object", with(`"tools":{}`), "tools: expected an array of tools, got an object"},
		{"tool without schema", with(`"tools":[{"name":"a"}]`), "tools[0].input_schema: field required"},
		{"tool schema not object type", with(`"tools":[{"name":"a","input_schema":{"type":"string"}}]`), `tools[0].input_schema.type: must be "object", got "string"`},
		{"tool bad name", with(`"tools":[{"name":"has space","input_schema":{"type":"object"}}]`), `tools[0].name: "has space" is not a valid tool name`},
		{"duplicate tools", with(`"tools":[{"name":"a","input_schema":{"type":"object"}},{"name":"a","input_schema":{"type":"object"}}]`), `tools[1].name: duplicate tool name "a"; tool names must be unique`},
		{"tool_choice bogus", with(`"tool_choice":{"type":"required"}`), `tool_choice.type: "required" is not valid; use "auto", "any", "tool" or "none"`},
		{"tool_choice tool without name", with(`"tool_choice":{"type":"tool"}`), "tool_choice.name: field required"},
		{"tool_choice string", with(`"tool_choice":"auto"`), "tool_choice: expected an object, got a string"},
		{"thinking with forced tool", with(`"thinking":{"type":"adaptive"},"tool_choice":{"type":"any"}`), `tool_choice.type: "any" forces tool use, which cannot be combined with thinking; use "auto" or "none", or disable thinking`},
		{"thinking budget too small", with(`"thinking":{"type":"enabled","budget_tokens":1000}`), "thinking.budget_tokens: must be at least 1024, got 1000"},
		{"thinking budget missing", with(`"thinking":{"type":"enabled"}`), "thinking.budget_tokens: field required"},
		{"thinking bogus type", with(`"thinking":{"type":"on"}`), `thinking.type: "on" is not valid; use "enabled", "adaptive" or "disabled"`},
		{"effort bogus", with(`"thinking":{"type":"adaptive"},"output_config":{"effort":"extreme"}`), `output_config.effort: "extreme" is not valid; use low, medium, high, xhigh or max`},
		{"stream string", with(`"stream":"true"`), "stream: expected a boolean, got a string"},
		{"metadata user_id number", with(`"metadata":{"user_id":5}`), "metadata.user_id: expected a string, got a number"},
		{"temperature string", with(`"temperature":"hot"`), "temperature: expected a number, got a string"},
		{"stop_sequences element", with(`"stop_sequences":["a",1]`), "stop_sequences[1]: expected a string, got a number"},
	}
	transtest.EachCase(t, cases, 30, func(tc refusal) string { return tc.name }, func(t *testing.T, tc refusal) {
		req, err := ParseRequest([]byte(tc.body), ParseOptions{})
		require.Error(t, err, "accepted: %+v", req)
		var re *RequestError
		require.True(t, errors.As(err, &re), "want *RequestError, got %T", err)
		assert.Contains(t, re.Message, tc.want)
	})
}
