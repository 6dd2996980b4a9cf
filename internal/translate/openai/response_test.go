package openai

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/transtest"
)

func TestMarshalChatResponse(t *testing.T) {
	got, err := MarshalChatResponse(transtest.SampleResponse("chatcmpl-01XYZ"), 1700000000, 5, nil)
	require.NoError(t, err)
	assert.Equal(t, `{"id":"chatcmpl-01XYZ","object":"chat.completion","created":1700000000,"model":"claude-sonnet-4-5","choices":[{"index":0,"message":{"role":"assistant",`+
		`"content":"Reading <main.go> & more","reasoning_content":"Need the file.","refusal":null,"annotations":[],"tool_calls":[`+
		`{"id":"toolu_1","type":"function","function":{"name":"Read","arguments":"{\"file_path\":\"main.go\"}"}},`+
		`{"id":"toolu_2","type":"function","function":{"name":"Noop","arguments":"{}"}}]},`+
		`"finish_reason":"tool_calls","logprobs":null}],`+
		`"usage":{"prompt_tokens":413,"completion_tokens":20,"total_tokens":433,"prompt_tokens_details":{"cached_tokens":400}}}`, string(got))
}

func TestMarshalChatResponseShapes(t *testing.T) {
	// Only tool calls: content is null.
	got, err := MarshalChatResponse(&canon.Response{ID: "c", Model: "m", Content: []canon.Block{
		{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "t", Name: "f", Input: json.RawMessage(`{}`)}},
	}}, 1, 7, nil)
	require.NoError(t, err)
	assert.Contains(t, string(got), `"message":{"role":"assistant","content":null,"refusal":null,"annotations":[],"tool_calls":[`)
	assert.Contains(t, string(got), `"finish_reason":"tool_calls"`, "empty stop after a tool call")
	assert.Contains(t, string(got), `"usage":{"prompt_tokens":7,"completion_tokens":0,"total_tokens":7,`, "the estimate stands in")

	// Empty answer: content "", no tool_calls key; text split by nothing joins.
	got, err = MarshalChatResponse(&canon.Response{ID: "c", Model: "m", Stop: canon.StopMaxTokens}, 1, 0, nil)
	require.NoError(t, err)
	assert.Contains(t, string(got), `"message":{"role":"assistant","content":"","refusal":null,"annotations":[]},"finish_reason":"length"`)

	got, err = MarshalChatResponse(&canon.Response{ID: "c", Model: "m", Stop: canon.StopEndTurn, Content: []canon.Block{
		{Type: canon.BlockText, Text: "a"},
		{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "t", Name: "f"}},
		{Type: canon.BlockText, Text: "b"},
	}}, 1, 0, nil)
	require.NoError(t, err)
	assert.Contains(t, string(got), `"content":"ab"`, "text is concatenated as a streaming client would")
	assert.Contains(t, string(got), `"finish_reason":"stop"`)

	for _, bad := range []*canon.Response{
		nil,
		{Content: []canon.Block{{Type: canon.BlockThinking}}},
		{Content: []canon.Block{{Type: canon.BlockToolUse}}},
		{Content: []canon.Block{{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{Input: json.RawMessage(`"x"`)}}}},
		{Content: []canon.Block{{Type: canon.BlockImage}}},
	} {
		_, err := MarshalChatResponse(bad, 1, 0, nil)
		assert.Error(t, err)
	}
}

func TestErrorBody(t *testing.T) {
	assert.Equal(t, `{"error":{"message":"messages: field required","type":"invalid_request_error","param":"messages","code":null}}`,
		string(ErrorBody("messages: field required", "invalid_request_error", "messages")))
	assert.Equal(t, `{"error":{"message":"<all> accounts & busy","type":"server_error","param":null,"code":null}}`,
		string(ErrorBody("<all> accounts & busy", "server_error", "")))
}
