package anthropic

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/transtest"
)

func TestMarshalResponse(t *testing.T) {
	got, err := MarshalResponse(transtest.SampleResponse("msg_01XYZ"))
	require.NoError(t, err)
	assert.Equal(t, `{"id":"msg_01XYZ","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[`+
		`{"type":"thinking","thinking":"Need the file.","signature":"c2ln"},`+
		`{"type":"text","text":"Reading <main.go> & more"},`+
		`{"type":"tool_use","id":"toolu_1","name":"Read","input":{"file_path":"main.go"}},`+
		`{"type":"tool_use","id":"toolu_2","name":"Noop","input":{}}],`+
		`"stop_reason":"tool_use","stop_sequence":null,`+
		`"usage":{"input_tokens":10,"cache_creation_input_tokens":3,"cache_read_input_tokens":400,"output_tokens":20}}`, string(got))
}

func TestMarshalResponseEmptyAndDefaults(t *testing.T) {
	got, err := MarshalResponse(&canon.Response{ID: "m", Model: "x"})
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(got, &m))
	assert.Equal(t, []any{}, m["content"], "content is an array even when empty")
	assert.Equal(t, "end_turn", m["stop_reason"])
	assert.Contains(t, m, "stop_sequence")

	got, err = MarshalResponse(&canon.Response{Content: []canon.Block{{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "t", Name: "n"}}}})
	require.NoError(t, err)
	assert.Contains(t, string(got), `"stop_reason":"tool_use"`, "an empty stop reason after a tool call is tool_use")
}

func TestMarshalResponseRejectsBadContent(t *testing.T) {
	for name, b := range map[string]canon.Block{
		"image":            {Type: canon.BlockImage, Image: &canon.Image{}},
		"nil thinking":     {Type: canon.BlockThinking},
		"nil tool use":     {Type: canon.BlockToolUse},
		"broken input":     {Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "t", Input: json.RawMessage(`{"a"`)}},
		"non-object input": {Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "t", Input: json.RawMessage(`"s"`)}},
	} {
		_, err := MarshalResponse(&canon.Response{Content: []canon.Block{b}})
		assert.Error(t, err, name)
	}
	_, err := MarshalResponse(nil)
	assert.Error(t, err)
}

func TestErrorBody(t *testing.T) {
	assert.Equal(t, `{"type":"error","error":{"type":"overloaded_error","message":"Kiro is busy <retry>"}}`,
		string(ErrorBody("overloaded_error", "Kiro is busy <retry>")))
}
