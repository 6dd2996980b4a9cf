package openai

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/translate/tooldecl"
	"kirodesk/internal/transtest"
)

// kiroPayload builds the Kiro body for req and returns its declared tools
// (name -> tool specification), the body as text and the name map.
func kiroPayload(t *testing.T, req *canon.Request) (map[string]transtest.KiroTool, string, map[string]string) {
	t.Helper()
	return transtest.KiroPayload(t, req)
}

const longNS = "mcp__codex_apps__calendar_with_a_rather_long_connector_name"

func codexTurn(t *testing.T) (*canon.Request, ResponsesOptions) {
	t.Helper()
	body, err := os.ReadFile("testdata/codex/tools_turn.json")
	require.NoError(t, err)
	req, ro, err := ParseResponsesRequest(body, ParseOptions{})
	require.NoError(t, err)
	return req, ro
}

// Codex's tool list (modelled on codex-rs ToolSpec: functions, the
// apply_patch custom tool, the multi_agent_v1 namespace and an MCP
// namespace, local_shell, web_search, image_generation, tool_search) and a
// history holding every kind of call item: accepted, with each tool Kiro can
// carry declared under a name it takes, and every call paired with its output.
func TestCodexToolListReachesKiro(t *testing.T) {
	req, ro := codexTurn(t)
	tools, body, names := kiroPayload(t, req)

	flatLong := longNS + "___create_event"
	require.Greater(t, len(flatLong), payload.MaxToolNameLen)
	shortLong := payload.ShortenToolName(flatLong)
	want := []string{"shell_command", "update_plan", "apply_patch", "view_image",
		"multi_agent_v1__spawn_agent", "multi_agent_v1__send_input", "multi_agent_v1__wait_agent", "multi_agent_v1__close_agent",
		shortLong, "local_shell"}
	got := make([]string, 0, len(tools))
	for n := range tools {
		got = append(got, n)
	}
	assert.ElementsMatch(t, want, got)
	assert.Equal(t, flatLong, names[shortLong], "the shortened name maps back to the flat one")

	// apply_patch: one string parameter, the grammar in the description.
	assert.JSONEq(t, string(tooldecl.CustomSchema()), string(tools["apply_patch"].Schema))
	assert.Contains(t, tools["apply_patch"].Description, "FREEFORM tool")
	assert.Contains(t, tools["apply_patch"].Description, "lark grammar:\nstart: begin_patch hunk+ end_patch")
	assert.Contains(t, string(tools["multi_agent_v1__spawn_agent"].Schema), `"message"`)
	assert.Equal(t, "Spawn a sub-agent for a well-scoped task.", tools["multi_agent_v1__spawn_agent"].Description)
	assert.JSONEq(t, string(tooldecl.LocalShellSchema), string(tools["local_shell"].Schema))

	assert.Equal(t, tooldecl.Origins{
		"apply_patch":                 {Kind: tooldecl.KindCustom, Name: "apply_patch"},
		"multi_agent_v1__spawn_agent": {Kind: tooldecl.KindFunction, Namespace: "multi_agent_v1", Name: "spawn_agent"},
		"multi_agent_v1__send_input":  {Kind: tooldecl.KindFunction, Namespace: "multi_agent_v1", Name: "send_input"},
		"multi_agent_v1__wait_agent":  {Kind: tooldecl.KindFunction, Namespace: "multi_agent_v1", Name: "wait_agent"},
		"multi_agent_v1__close_agent": {Kind: tooldecl.KindFunction, Namespace: "multi_agent_v1", Name: "close_agent"},
		flatLong:                      {Kind: tooldecl.KindFunction, Namespace: longNS, Name: "_create_event"},
		"local_shell":                 {Kind: tooldecl.KindLocalShell, Name: "local_shell"},
	}, ro.Tools)

	require.Len(t, req.ServerTools, 1)
	assert.Equal(t, "web_search", req.ServerTools[0].Type)
	assert.JSONEq(t, `{"type":"web_search","external_web_access":true}`, string(req.ServerTools[0].Config))
	warnings := strings.Join(req.Warnings, "\n")
	for _, w := range []string{`tools[8]: "image_generation" tool dropped`, `tools[9]: "tool_search" tool dropped`,
		`input[13]: "image_generation_call" input item dropped`, `input[14]: "ghost_snapshot" input item dropped`} {
		assert.Contains(t, warnings, w)
	}
	assert.Len(t, req.Warnings, 4)

	// History: each call under its Kiro name with its output; the web
	// search as text.
	assert.Contains(t, body, `"toolUseId":"call_patch","name":"apply_patch","input":{"input":"*** Begin Patch\n*** Add File: a_test.go\n+package a\n*** End Patch\n"}`)
	assert.Contains(t, body, `"toolUseId":"call_spawn","name":"multi_agent_v1__spawn_agent","input":{"message":"review a_test.go"}`)
	assert.Contains(t, body, `"toolUseId":"call_sh","name":"local_shell","input":{"command":["go","test","./..."],"workdir":"/repo","timeout_ms":60000}`)
	assert.Contains(t, body, `Success. Updated the following files:`)
	assert.Contains(t, body, `[web search for \"testify require vs assert\"]`)
	assert.Contains(t, body, `[called server tool docs/lookup with {\"q\":\"testify\"}]\n[mcp_call output: testify is a toolkit]`)
}

// sseItems returns the SSE events' types in order and the items of the
// output_item.done events.
func sseItems(t *testing.T, stream string) ([]string, []map[string]any) {
	t.Helper()
	var types []string
	var items []map[string]any
	sc := bufio.NewScanner(strings.NewReader(stream))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var ev struct {
			Type string
			Item map[string]any
		}
		require.NoError(t, json.Unmarshal([]byte(data), &ev))
		types = append(types, ev.Type)
		if ev.Type == "response.output_item.done" {
			items = append(items, ev.Item)
		}
	}
	return types, items
}

// Kiro's calls go back to Codex as the items its tools were declared as:
// a namespaced function_call, a custom_tool_call with the raw input, a
// local_shell_call, in the stream and in the whole response alike.
func TestCodexToolCallsGoBack(t *testing.T) {
	_, ro := codexTurn(t)
	patch := "*** Begin Patch\n*** Update File: a.go\n@@\n-old\n+new \"quoted\"\n*** End Patch\n"
	events := []canon.Event{
		{Kind: canon.EventText, Text: "Spawning."},
		{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "tooluse_a", Name: "multi_agent_v1__spawn_agent", Input: json.RawMessage(`{"message":"review"}`)}},
		{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "tooluse_b", Name: "apply_patch", Input: tooldecl.CustomInput(patch)}},
		{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "tooluse_c", Name: "local_shell", Input: json.RawMessage(`{"command":["ls","-la"],"workdir":"/repo"}`)}},
		{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "tooluse_d", Name: longNS + "___create_event", Input: json.RawMessage(`{"title":"standup"}`)}},
		{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "tooluse_e", Name: "shell_command", Input: json.RawMessage(`{"command":"pwd"}`)}},
		{Kind: canon.EventStop, Stop: canon.StopToolUse},
	}
	var out bytes.Buffer
	rw := NewResponsesWriter(&out, nil, ResponsesStart{ID: "resp_x", Model: "gpt-5.1-codex", Created: 1, Tools: ro.Tools})
	var resp canon.Response
	for _, ev := range events {
		require.NoError(t, rw.Write(ev))
		require.NoError(t, resp.Append(ev))
	}
	types, items := sseItems(t, out.String())
	require.Len(t, items, 6)

	wantItems := []string{
		`{"id":"fc_x_1","type":"function_call","status":"completed","arguments":"{\"message\":\"review\"}","call_id":"tooluse_a","name":"spawn_agent","namespace":"multi_agent_v1"}`,
		`{"id":"ctc_x_2","type":"custom_tool_call","status":"completed","call_id":"tooluse_b","name":"apply_patch","input":` + mustJSON(t, patch) + `}`,
		`{"id":"lsh_x_3","type":"local_shell_call","status":"completed","call_id":"tooluse_c","action":{"type":"exec","command":["ls","-la"],"working_directory":"/repo","env":{}}}`,
		`{"id":"fc_x_4","type":"function_call","status":"completed","arguments":"{\"title\":\"standup\"}","call_id":"tooluse_d","name":"_create_event","namespace":"` + longNS + `"}`,
		`{"id":"fc_x_5","type":"function_call","status":"completed","arguments":"{\"command\":\"pwd\"}","call_id":"tooluse_e","name":"shell_command"}`,
	}
	for i, want := range wantItems {
		got, err := json.Marshal(items[i+1])
		require.NoError(t, err)
		assert.JSONEq(t, want, string(got), "item %d", i+1)
	}
	// The custom call's events: added with empty input, the input as a
	// delta, done with the whole input.
	assert.Contains(t, strings.Join(types, " "), "response.output_item.added response.custom_tool_call_input.delta response.custom_tool_call_input.done response.output_item.done")
	assert.Contains(t, out.String(), `"type":"response.custom_tool_call_input.done","sequence_number":`)
	assert.Contains(t, out.String(), `"input":`+mustJSON(t, patch))
	// The local shell call has no delta events: added, then done.
	assert.Contains(t, strings.Join(types, " "), "response.custom_tool_call_input.done response.output_item.done response.output_item.added response.output_item.done response.output_item.added response.function_call_arguments.delta")

	resp.ID = "resp_x"
	whole, err := MarshalResponsesResponse(&resp, 1, 0, ro.Tools)
	require.NoError(t, err)
	var r struct{ Output []json.RawMessage }
	require.NoError(t, json.Unmarshal(whole, &r))
	require.Len(t, r.Output, 6)
	for i, want := range wantItems {
		assert.JSONEq(t, want, string(r.Output[i+1]), "whole response item %d", i+1)
	}
}

// A model that ignores the single-string schema still gets its call to
// the client: the JSON it wrote becomes the input.
func TestCustomInputOfOddShapes(t *testing.T) {
	assert.Equal(t, "x", tooldecl.CustomInputOf(json.RawMessage(`{"input":"x"}`)))
	assert.Equal(t, "y", tooldecl.CustomInputOf(json.RawMessage(`{"patch":"y"}`)))
	assert.Equal(t, `{"a":1,"b":2}`, tooldecl.CustomInputOf(json.RawMessage(`{"a":1,"b":2}`)))
}

// Chat Completions: custom tools are declared with one string parameter
// and their calls go out as {"type":"custom","custom":{name,input}}, both
// ways; web_search_options is tolerated; other tool types are dropped.
func TestChatCustomToolsAndWebSearchOptions(t *testing.T) {
	body := `{"model":"gpt-5","stream":true,"web_search_options":{"search_context_size":"low"},
	"tool_choice":{"type":"custom","custom":{"name":"apply_patch"}},
	"tools":[{"type":"custom","custom":{"name":"apply_patch","description":"Edit files.","format":{"type":"grammar","grammar":{"syntax":"lark","definition":"start: /.+/"}}}},
	  {"type":"function","function":{"name":"read","parameters":{"type":"object","properties":{"path":{"type":"string"}}}}},
	  {"type":"file_search","file_search":{}}],
	"messages":[{"role":"user","content":"fix it"},
	  {"role":"assistant","tool_calls":[{"id":"call_1","type":"custom","custom":{"name":"apply_patch","input":"*** Begin Patch\n*** End Patch"}}]},
	  {"role":"tool","tool_call_id":"call_1","content":"Done"}]}`
	req, co, err := ParseChatRequest([]byte(body), ParseOptions{})
	require.NoError(t, err)
	tools, kbody, _ := kiroPayload(t, req)
	assert.Len(t, tools, 2)
	assert.JSONEq(t, string(tooldecl.CustomSchema()), string(tools["apply_patch"].Schema))
	assert.Contains(t, tools["apply_patch"].Description, "Edit files.\n\nPass the whole input as the \"input\" string; it must match this lark grammar:\nstart: /.+/")
	assert.Contains(t, kbody, `"toolUseId":"call_1","name":"apply_patch","input":{"input":"*** Begin Patch\n*** End Patch"}`)
	assert.Equal(t, tooldecl.Origins{"apply_patch": {Kind: tooldecl.KindCustom, Name: "apply_patch"}}, co.Tools)
	assert.Equal(t, &canon.ToolChoice{Type: "tool", Name: "apply_patch"}, req.ToolChoice)
	require.Len(t, req.ServerTools, 1)
	assert.Equal(t, "web_search_options", req.ServerTools[0].Type)
	warnings := strings.Join(req.Warnings, "\n")
	assert.Contains(t, warnings, `tools[2]: "file_search" tool dropped`)
	assert.NotContains(t, warnings, "web search", "the relay runs it")

	ev := canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "tooluse_p", Name: "apply_patch", Input: tooldecl.CustomInput("*** Begin Patch\n*** End Patch\n")}}
	var out bytes.Buffer
	cw := NewChunkWriter(&out, nil, ChunkStart{ID: "chatcmpl-1", Model: "gpt-5", Created: 1, Tools: co.Tools})
	require.NoError(t, cw.Write(ev))
	require.NoError(t, cw.Write(canon.Event{Kind: canon.EventStop, Stop: canon.StopToolUse}))
	assert.Contains(t, out.String(), `"tool_calls":[{"index":0,"id":"tooluse_p","type":"custom","custom":{"name":"apply_patch","input":"*** Begin Patch\n*** End Patch\n"}}]`)
	assert.Contains(t, out.String(), `"finish_reason":"tool_calls"`)

	var resp canon.Response
	require.NoError(t, resp.Append(ev))
	whole, err := MarshalChatResponse(&resp, 1, 0, co.Tools)
	require.NoError(t, err)
	assert.Contains(t, string(whole), `"tool_calls":[{"id":"tooluse_p","type":"custom","custom":{"name":"apply_patch","input":"*** Begin Patch\n*** End Patch\n"}}]`)
}
