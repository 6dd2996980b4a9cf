//go:build !windows

package cli

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro/payload"
)

// postRaw sends body to path with the API key, and headers given as name,
// value pairs, and returns the status and the whole answer.
func postRaw(t *testing.T, e *kiroEnv, path, body string, headers ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", e.serve.url+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e.key)
	req.Header.Set("anthropic-version", "2023-06-01")
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// kiroToolNames lists the tools the last request to fake Kiro declared.
func kiroToolNames(t *testing.T, e *kiroEnv) []string {
	t.Helper()
	chat := e.fake.ChatRequests()
	require.NotEmpty(t, chat)
	return toolsDeclared(t, chat[len(chat)-1].Raw)
}

// toolsDeclared lists the tool names a Kiro chat request body declares.
func toolsDeclared(t *testing.T, raw []byte) []string {
	t.Helper()
	var body struct {
		ConversationState struct {
			CurrentMessage struct {
				UserInputMessage struct {
					UserInputMessageContext *struct {
						Tools []struct{ ToolSpecification struct{ Name string } }
					}
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(raw, &body))
	var names []string
	if c := body.ConversationState.CurrentMessage.UserInputMessage.UserInputMessageContext; c != nil {
		for _, tl := range c.Tools {
			names = append(names, tl.ToolSpecification.Name)
		}
	}
	return names
}

const e2eLongNS = "mcp__codex_apps__calendar_with_a_rather_long_connector_name"

// Codex declares a namespace, a custom apply_patch tool and web_search on
// every turn (it got a 400 for them before): the turn goes through, and
// Kiro's calls come back as the items Codex parses, with the namespace and
// the raw patch text, also for a namespace member whose flat name Kiro
// only takes shortened.
func TestCodexToolsThroughServe(t *testing.T) {
	e := startWithAccounts(t, 1)
	body := `{"model":"claude-sonnet-4-5","instructions":"You are Codex.","stream":true,"store":false,
	"input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"patch it and spawn a reviewer"}]}],
	"tools":[
	  {"type":"function","name":"shell_command","description":"Runs a shell command.","strict":false,"parameters":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"],"additionalProperties":false}},
	  {"type":"custom","name":"apply_patch","description":"Edit files.","format":{"type":"grammar","syntax":"lark","definition":"start: begin_patch hunk+ end_patch"}},
	  {"type":"web_search","external_web_access":false},
	  {"type":"namespace","name":"multi_agent_v1","description":"Sub-agents.","tools":[{"type":"function","name":"spawn_agent","description":"Spawn.","strict":false,"parameters":{"type":"object","properties":{"message":{"type":"string"}},"required":["message"]}}]},
	  {"type":"namespace","name":"` + e2eLongNS + `","description":"Plan events","tools":[{"type":"function","name":"_create_event","description":"Create.","strict":false,"parameters":{"type":"object","properties":{"title":{"type":"string"}}}}]}
	],"tool_choice":"auto","parallel_tool_calls":true}`
	patch := "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch\n"
	patchInput, err := json.Marshal(map[string]string{"input": patch})
	require.NoError(t, err)
	shortLong := payload.ShortenToolName(e2eLongNS + "___create_event")
	e.fake.Enqueue(fakekiro.Script{
		fakekiro.ToolUse("tooluse_patch", "apply_patch", string(patchInput), 4, true),
		fakekiro.ToolUse("tooluse_spawn", "multi_agent_v1__spawn_agent", `{"message":"review a.txt"}`, 2, true),
		fakekiro.ToolUse("tooluse_cal", shortLong, `{"title":"standup"}`, 1, true),
		fakekiro.Usage(eventstreamUsage(30, 9)),
	})
	status, out := postRaw(t, e, "/v1/responses", body)
	require.Equal(t, http.StatusOK, status, out)
	// web_search is declared to Kiro as a tool that Kirodesk runs (internal/websearch).
	assert.ElementsMatch(t, []string{"shell_command", "apply_patch", "multi_agent_v1__spawn_agent", shortLong, "web_search"}, kiroToolNames(t, e))

	var completed struct {
		Response struct {
			Status string
			Output []map[string]any
		}
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	var types []string
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			var ev struct{ Type string }
			require.NoError(t, json.Unmarshal([]byte(data), &ev))
			types = append(types, ev.Type)
			if ev.Type == "response.completed" {
				require.NoError(t, json.Unmarshal([]byte(data), &completed))
			}
		}
	}
	assert.Contains(t, types, "response.custom_tool_call_input.delta")
	assert.Contains(t, types, "response.custom_tool_call_input.done")
	require.Equal(t, "completed", completed.Response.Status, out)
	require.Len(t, completed.Response.Output, 3)
	o := completed.Response.Output
	assert.Equal(t, "custom_tool_call", o[0]["type"])
	assert.Equal(t, "apply_patch", o[0]["name"])
	assert.Equal(t, patch, o[0]["input"])
	assert.Equal(t, "tooluse_patch", o[0]["call_id"])
	assert.Equal(t, "function_call", o[1]["type"])
	assert.Equal(t, "spawn_agent", o[1]["name"])
	assert.Equal(t, "multi_agent_v1", o[1]["namespace"])
	assert.JSONEq(t, `{"message":"review a.txt"}`, o[1]["arguments"].(string))
	assert.Equal(t, "_create_event", o[2]["name"])
	assert.Equal(t, e2eLongNS, o[2]["namespace"])

	// The next turn sends the calls back with their outputs: Kiro gets
	// each paired with its result under the names it knows.
	next := strings.Replace(body, `"input":[`, `"input":[
	  {"type":"custom_tool_call","call_id":"tooluse_patch","name":"apply_patch","input":`+mustJSONString(t, patch)+`},
	  {"type":"function_call","call_id":"tooluse_spawn","name":"spawn_agent","namespace":"multi_agent_v1","arguments":"{\"message\":\"review a.txt\"}"},
	  {"type":"custom_tool_call_output","call_id":"tooluse_patch","output":"Success."},
	  {"type":"function_call_output","call_id":"tooluse_spawn","output":"agent-1"},
	  {"type":"web_search_call","status":"completed","action":{"type":"search","query":"lark grammar"}},`, 1)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("Done.")})
	status, out = postRaw(t, e, "/v1/responses", next)
	require.Equal(t, http.StatusOK, status, out)
	chat := e.fake.ChatRequests()
	raw := string(chat[len(chat)-1].Raw)
	assert.Contains(t, raw, `"toolUseId":"tooluse_patch","name":"apply_patch","input":{"input":`)
	assert.Contains(t, raw, `"toolUseId":"tooluse_spawn","name":"multi_agent_v1__spawn_agent"`)
	assert.Contains(t, raw, "Success.")
	assert.Contains(t, raw, `[web search for \"lark grammar\"]`)
}

func mustJSONString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	require.NoError(t, err)
	return string(b)
}

// Cline's Anthropic provider sends web_search_20250305 among its tools,
// and Claude Code's WebSearch sends it alone: both are answered (they got
// a 400 before), the first with the other tools, the second without any.
func TestAnthropicServerToolsThroughServe(t *testing.T) {
	e := startWithAccounts(t, 1)
	cline := `{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"read a.go"}],
	"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":5},
	  {"name":"read_file","description":"Read a file.","input_schema":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}},
	  {"type":"text_editor_20250728","name":"str_replace_based_edit_tool"}]}`
	e.fake.Enqueue(fakekiro.Script{fakekiro.ToolUse("tooluse_r", "str_replace_based_edit_tool", `{"command":"view","path":"a.go"}`, 2, true)})
	status, out := postRaw(t, e, "/v1/messages", cline)
	require.Equal(t, http.StatusOK, status, out)
	assert.ElementsMatch(t, []string{"read_file", "str_replace_based_edit_tool", "web_search"}, kiroToolNames(t, e))
	assert.Contains(t, out, `"type":"tool_use","id":"tooluse_r","name":"str_replace_based_edit_tool"`)

	websearch := `{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,
	"messages":[{"role":"user","content":"Perform a web search for the query: kirodesk"}],
	"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":8}]}`
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("Here is what I found.")})
	status, out = postRaw(t, e, "/v1/messages", websearch)
	require.Equal(t, http.StatusOK, status, out)
	assert.Empty(t, kiroToolNames(t, e))
	assert.Contains(t, out, "Here is what I found.")
	assert.Contains(t, out, `"type":"web_search_tool_result"`)
}
