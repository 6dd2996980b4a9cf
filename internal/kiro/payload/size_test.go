package payload

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
)

func textBlock(s string) canon.Block { return canon.Block{Type: canon.BlockText, Text: s} }

// What Build drops (thinking, whitespace-only texts) does not count; what
// it copies does, and never more than it copies.
func TestMinSizeCountsOnlyWhatBuildCopies(t *testing.T) {
	big := strings.Repeat("t", 50_000)
	req := &canon.Request{
		Model:  "claude-sonnet-4-5",
		System: "be brief",
		Messages: []canon.Message{
			{Role: canon.RoleUser, Content: []canon.Block{textBlock("run it"), textBlock("   \n")}},
			{Role: canon.RoleAssistant, Content: []canon.Block{
				{Type: canon.BlockThinking, Thinking: &canon.ThinkingBlock{Text: big}},
				{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "t1", Name: "bash", Input: []byte(`{"command": "ls"}`)}},
			}},
			{Role: canon.RoleUser, Content: []canon.Block{
				{Type: canon.BlockToolResult, ToolResult: &canon.ToolResult{ToolUseID: "t1", Content: []canon.Block{
					textBlock("a.go"), {Type: canon.BlockImage, Image: &canon.Image{MediaType: "image/png", Data: "iVBORw0KGgo="}},
				}}},
				textBlock("and now?"),
			}},
		},
	}
	want := len("be brief") + len("run it") + len("a.go") + len("iVBORw0KGgo=") + len("and now?")
	assert.Equal(t, want, MinSize(req))
	built, err := Build(req, Options{ConversationID: "c"})
	require.NoError(t, err)
	assert.Less(t, MinSize(req), len(built.Body))
	assert.Less(t, len(built.Body), len(big), "the thinking block was dropped, so the request can be sent")
	assert.NoError(t, CheckSize(req, len(built.Body)))
}

func TestCheckSizeRefusesWhatBuildWouldRefuse(t *testing.T) {
	req := &canon.Request{Model: "auto", Messages: []canon.Message{
		{Role: canon.RoleUser, Content: []canon.Block{textBlock(strings.Repeat("x", DefaultMaxPayloadBytes+1))}},
	}}
	err := CheckSize(req, 0)
	var re *RuleError
	require.True(t, errors.As(err, &re))
	assert.Equal(t, RulePayloadTooLarge, re.Rule)
	assert.Contains(t, re.Message, "at least 600001 bytes, above the 600000-byte limit")
	_, err = Build(req, Options{ConversationID: "c"})
	require.True(t, errors.As(err, &re))
	assert.Equal(t, RulePayloadTooLarge, re.Rule, "Build agrees")

	req.Messages[0].Content[0].Text = strings.Repeat("x", 1000)
	assert.NoError(t, CheckSize(req, 0))
}
