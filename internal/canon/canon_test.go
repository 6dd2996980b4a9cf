package canon

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResponseAppendMergesDeltasIntoBlocks(t *testing.T) {
	var r Response
	for _, ev := range []Event{
		{Kind: EventThinking, Text: "let me "},
		{Kind: EventThinking, Text: "think", Signature: "sig"},
		{Kind: EventText, Text: "Hello, "},
		{Kind: EventText, Text: "world"},
		{Kind: EventToolUse, ToolUse: &ToolUse{ID: "t1", Name: "read", Input: json.RawMessage(`{"path":"a"}`)}},
		{Kind: EventText, Text: "after the tool"},
		{Kind: EventUsage, Usage: &Usage{InputTokens: 10, OutputTokens: 5}},
		{Kind: EventStop, Stop: StopToolUse},
	} {
		require.NoError(t, r.Append(ev))
	}
	require.Len(t, r.Content, 4)
	assert.Equal(t, "let me think", r.Content[0].Thinking.Text)
	assert.Equal(t, "sig", r.Content[0].Thinking.Signature)
	assert.Equal(t, "Hello, world", r.Content[1].Text)
	assert.Equal(t, "read", r.Content[2].ToolUse.Name)
	assert.Equal(t, "after the tool", r.Content[3].Text, "text after a tool call is a new block")
	assert.Equal(t, StopToolUse, r.Stop)
	assert.Equal(t, 10, r.Usage.InputTokens)

	err := r.Append(Event{Kind: EventError, Err: &StreamError{Type: "api_error", Message: "reset"}})
	assert.EqualError(t, err, "api_error: reset")
}

func TestTextOf(t *testing.T) {
	assert.Equal(t, "a\nb", TextOf([]Block{{Type: BlockText, Text: "a"}, {Type: BlockImage}, {Type: BlockText, Text: "b"}}))
}
