package anthropic

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/transtest"
)

// kiroTools builds the Kiro payload for req and returns its declared tools
// (name -> input schema) and the whole body as text.
func kiroTools(t *testing.T, req *canon.Request) (map[string]json.RawMessage, string) {
	t.Helper()
	tools, body, _ := transtest.KiroPayload(t, req)
	out := map[string]json.RawMessage{}
	for name, tl := range tools {
		out[name] = tl.Schema
	}
	return out, body
}

func parseFile(t *testing.T, name string) *canon.Request {
	t.Helper()
	body, err := os.ReadFile("testdata/requests/" + name + ".json")
	require.NoError(t, err)
	req, err := ParseRequest(body, ParseOptions{})
	require.NoError(t, err)
	return req
}

// Cline's Anthropic provider declares web_search_20250305 first among its
// ordinary tools on every request: the ordinary tools reach Kiro, the
// search is noted for the server and warned about.
func TestClineToolListWithWebSearch(t *testing.T) {
	req := parseFile(t, "cline_web_search")
	tools, _ := kiroTools(t, req)
	assert.Len(t, tools, 4)
	for _, n := range []string{"execute_command", "read_file", "replace_in_file", "attempt_completion"} {
		assert.Contains(t, tools, n)
	}
	assert.NotContains(t, tools, "web_search")
	require.Len(t, req.ServerTools, 1)
	assert.Equal(t, canon.ServerTool{Type: "web_search_20250305", Name: "web_search", MaxUses: 5,
		Config: json.RawMessage(`{"type":"web_search_20250305","name":"web_search","max_uses":5}`)}, req.ServerTools[0])
	assert.Empty(t, req.Warnings, "the relay runs the search (internal/websearch)")
}

// Claude Code's WebSearch request has web_search as its only tool: the
// translated request has no tools; the relay runs the search.
func TestClaudeCodeWebSearchRequest(t *testing.T) {
	req := parseFile(t, "claude_code_websearch")
	assert.Nil(t, req.Tools)
	tools, body := kiroTools(t, req)
	assert.Empty(t, tools)
	assert.NotContains(t, body, `"tools"`)
	assert.Contains(t, body, "Perform a web search for the query: go 1.26 release notes")
	require.Len(t, req.ServerTools, 1)
	assert.Equal(t, 8, req.ServerTools[0].MaxUses)
	assert.Empty(t, req.Warnings)
}

// bash and text editor tools reach Kiro under the declared names with their
// known schemas; server tools and unknown types are dropped with warnings;
// server tool blocks in history become text, so Kiro sees no tool call
// without its result.
func TestBuiltinToolsAndServerHistory(t *testing.T) {
	req := parseFile(t, "builtin_and_server_tools")
	tools, body := kiroTools(t, req)
	require.Len(t, tools, 3)
	assert.JSONEq(t, `{"type":"object","properties":{"command":{"type":"string","description":"The bash command to run."},"restart":{"type":"boolean","description":"Restart the shell instead of running a command."}}}`, string(tools["bash"]))
	var editor struct {
		Properties map[string]struct {
			Type string
			Enum []string
		}
		Required []string
	}
	require.NoError(t, json.Unmarshal(tools["str_replace_based_edit_tool"], &editor))
	assert.Equal(t, []string{"view", "create", "str_replace", "insert", "undo_edit"}, editor.Properties["command"].Enum)
	for _, k := range []string{"path", "file_text", "old_str", "new_str", "insert_line", "view_range"} {
		assert.Contains(t, editor.Properties, k)
	}
	assert.Equal(t, "integer", editor.Properties["insert_line"].Type)
	assert.Equal(t, "array", editor.Properties["view_range"].Type)
	assert.Contains(t, tools, "lookup")

	assert.Len(t, req.Warnings, 6)
	for _, typ := range []string{"computer_20250124", "code_execution_20250825", "web_fetch_20250910", "mcp_toolset", "shiny_new_tool_20270101", "mcp_servers"} {
		found := false
		for _, w := range req.Warnings {
			found = found || bytes.Contains([]byte(w), []byte(typ))
		}
		assert.True(t, found, "no warning names %s: %q", typ, req.Warnings)
	}

	// History: calls and results as text of the assistant turn, in order.
	assert.Contains(t, body, `[web search for \"go 1.26 release notes\"]`)
	assert.Contains(t, body, `1. Go 1.26 Release Notes — https://go.dev/doc/go1.26 — February 2026`)
	assert.Contains(t, body, `2. Go blog — https://go.dev/blog/go1.26 — Go 1.26 ships the green tea collector by default.`)
	assert.NotContains(t, body, "EqgfCioIARgBIiQ3YTk0", "an encrypted blob is not text for the model")
	assert.Contains(t, body, `[web search failed: max_uses_exceeded]`)
	assert.Contains(t, body, `[called server tool web_fetch with {\"url\":\"https://go.dev/doc/go1.26\"}]`)
	assert.NotContains(t, body, "srvtoolu_", "server tool ids must not become Kiro tool uses")
	assert.Contains(t, body, `"toolUseId":"toolu_1"`)
	assert.Contains(t, body, `[search result: Go — https://go.dev — The Go programming language]`)
}

// A call of a built-in tool comes back as a tool_use block with the name
// the client declared.
func TestBuiltinToolCallAnswer(t *testing.T) {
	var out bytes.Buffer
	w := NewSSEWriter(&out, nil, MessageStart{ID: "msg_1", Model: "claude-sonnet-4-5"})
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "toolu_9", Name: "str_replace_based_edit_tool",
		Input: json.RawMessage(`{"command":"view","path":"/tmp/a.go"}`)}}))
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventStop, Stop: canon.StopToolUse}))
	assert.Contains(t, out.String(), `"content_block":{"type":"tool_use","id":"toolu_9","name":"str_replace_based_edit_tool","input":{}}`)
	assert.Contains(t, out.String(), `"partial_json":"{\"command\":\"view\",\"path\":\"/tmp/a.go\"}"`)
}
