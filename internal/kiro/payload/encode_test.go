package payload

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/testenv"
)

// requireSameAsEncodingJSON assembles req and checks that appendPayload
// writes exactly encoding/json's bytes for it (what Build wrote before
// appendPayload).
func requireSameAsEncodingJSON(t *testing.T, name string, p *wirePayload) {
	t.Helper()
	got, err := appendPayload(nil, p)
	require.NoError(t, err, name)
	if want := testenv.EncodingJSON(t, p); !bytes.Equal(got, want) {
		t.Fatalf("%s: appendPayload differs from encoding/json:\n%s", name, firstDiff(string(got), string(want)))
	}
}

// TestAppendPayloadMatchesEncodingJSON: for every golden request, the
// benchmark's agent session and every fuzz seed, the hand-written encoder
// writes byte for byte what encoding/json wrote.
func TestAppendPayloadMatchesEncodingJSON(t *testing.T) {
	checked := 0
	for _, tc := range goldenCases {
		opts := tc.opts
		opts.ConversationID = testConversationID
		p, _, _, err := assemble(loadRequest(t, tc.name), opts)
		if err != nil {
			continue // a rule the case exists for, found before the encoding
		}
		requireSameAsEncodingJSON(t, tc.name, p)
		checked++
	}
	p, _, _, err := assemble(benchRequest(), Options{ConversationID: "c", ProfileARN: "arn:aws:x"})
	require.NoError(t, err)
	requireSameAsEncodingJSON(t, "benchRequest", p)

	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzBuild", "*"))
	require.NoError(t, err)
	for _, f := range files {
		if p, _, _, err := assemble(fuzzRequest(readSeed(t, f)), Options{ConversationID: "fuzz"}); err == nil {
			requireSameAsEncodingJSON(t, f, p)
			checked++
		}
	}
	assert.Greater(t, checked, 20, "too few requests compared")
}

// TestAppendPayloadEdges: shapes the builder does not make today but the
// wire types allow (nil result content, raw values with space, no
// profile ARN, a user turn and an assistant turn in one entry).
func TestAppendPayloadEdges(t *testing.T) {
	p := &wirePayload{ConversationState: wireConversationState{
		ConversationID: "c\u2028", ChatTriggerType: "MANUAL", AgentTaskType: "vibe",
		History: []wireHistoryEntry{
			{UserInputMessage: &wireUserInputMessage{Content: "a\x00b\x7f<&>", UserInputMessageContext: &wireUserInputMessageContext{
				ToolResults: []wireToolResult{{ToolUseID: "t", Status: "success"}, {ToolUseID: "u", Content: []wireToolResultContent{}}},
			}}, AssistantResponseMessage: &wireAssistantResponseMessage{Content: "x", ToolUses: []wireToolUse{{Input: json.RawMessage(" { \"a\" : [1, 2] } ")}, {}}}},
			{},
		},
	}}
	requireSameAsEncodingJSON(t, "edges", p)

	_, err := appendPayload(nil, &wirePayload{ConversationState: wireConversationState{History: []wireHistoryEntry{
		{AssistantResponseMessage: &wireAssistantResponseMessage{ToolUses: []wireToolUse{{Input: json.RawMessage("{ nope")}}}},
	}}})
	assert.Error(t, err, "a raw value that is not JSON is an error, as in encoding/json")
}
