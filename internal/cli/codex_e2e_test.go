//go:build !windows

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
)

// codexConfig is the ~/.codex/config.toml the dashboard gives users
// (frontend/src/lib/snippets.ts), with the test's endpoint; the key comes
// from KIRODESK_API_KEY, as the snippet exports it.
func codexConfig(root string) string {
	return `model = "claude-sonnet-4-5"
model_provider = "kirodesk"

[model_providers.kirodesk]
name = "Kirodesk"
base_url = "` + root + `/v1"
env_key = "KIRODESK_API_KEY"
wire_api = "responses"
`
}

// codexOffline are the settings that keep Codex off the network beyond the
// provider, given on the command line so config.toml stays the user's:
// no usage metrics (ab.chatgpt.com), no update check, and no sync of the
// curated plugin marketplace (github.com, chatgpt.com). None of them
// changes the tools Codex declares.
var codexOffline = []string{
	"-c", "analytics.enabled=false",
	"-c", "check_for_update_on_startup=false",
	"-c", "features.plugins=false",
}

// runCodex runs `codex exec` (with flags such as --json) and a prompt in a fresh CODEX_HOME against
// the recorder in front of Kirodesk.
func runCodex(t *testing.T, e *kiroEnv, rec *clientRecorder, work, prompt string, flags ...string) agentResult {
	t.Helper()
	home := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(home, "tmp"), 0o700))
	codexHome := filepath.Join(home, ".codex")
	require.NoError(t, os.MkdirAll(codexHome, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(codexHome, "config.toml"), []byte(codexConfig(rec.URL)), 0o600))
	args := append([]string{"exec", "--strict-config", "--skip-git-repo-check", "--color", "never"}, codexOffline...)
	args = append(args, flags...)
	res := agentRun{
		Bin:  agentBinary(t, "codex", "codex"),
		Args: append(args, prompt),
		Dir:  work, Home: home,
		// Codex puts its sandbox helper beside CODEX_HOME, never under the
		// temporary folder: the test's home must not be under TMPDIR.
		Env: []string{"CODEX_HOME=" + codexHome, "KIRODESK_API_KEY=" + e.key, "TMPDIR=" + filepath.Join(home, "tmp")},
	}.run(t, newEgressGuard(t))
	rec.requireNoErrors(t)
	return res
}

// responsesTools lists the declared tools of a Responses request as
// "type:name".
func responsesTools(t *testing.T, body []byte) []string {
	t.Helper()
	var req struct {
		Tools []struct{ Type, Name string }
	}
	require.NoError(t, json.Unmarshal(body, &req))
	var out []string
	for _, tl := range req.Tools {
		out = append(out, tl.Type+":"+tl.Name)
	}
	return out
}

func TestCodexAnswersThroughKirodesk(t *testing.T) {
	e := startWithAccounts(t, 1)
	rec := newClientRecorder(t, e.serve.url)
	e.fake.SetDefaultScript(func(r fakekiro.RecordedRequest) fakekiro.Script {
		if r.Chat != nil && strings.Contains(r.Chat.LastUserContent(), "Reply with the single word pong") {
			return fakekiro.Script{fakekiro.Text("pong")}
		}
		return fakekiro.EchoScript(r)
	})
	res := runCodex(t, e, rec, t.TempDir(), "Reply with the single word pong")
	assert.Equal(t, "pong", strings.TrimSpace(res.Stdout))

	calls := rec.Calls("/v1/responses")
	require.Len(t, calls, 1)
	// Codex's default tools, a namespace and web_search among them, all
	// accepted; Kiro gets the function tools, the namespace flattened, and
	// web search as an ordinary tool that Kirodesk runs when called.
	tools := responsesTools(t, calls[0].Body)
	assert.Contains(t, tools, "function:exec_command")
	assert.Contains(t, tools, "namespace:multi_agent_v1")
	assert.Contains(t, tools, "web_search:")
	names := kiroToolsSeen(t, e)
	assert.Contains(t, names, "exec_command")
	assert.Contains(t, names, "multi_agent_v1__spawn_agent")
	assert.NotContains(t, names, "multi_agent_v1")
	assertKiroGetsWebSearch(t, e)
	assert.Empty(t, e.fake.SearchCalls(), "the model did not search")
}

// Codex's web_search tool: the model calls it, Kirodesk runs the search
// through Kiro's MCP endpoint inside the one response, the model answers
// from the results, and Codex gets a web_search_call item and the answer.
func TestCodexSearchesTheWeb(t *testing.T) {
	e, rec := startAgentSearch(t)
	e.fake.SetDefaultScript(mixedSearchScript)
	res := runCodex(t, e, rec, t.TempDir(), agentSearchPrompt, "--json")

	var items []map[string]any
	var answer string
	for _, line := range strings.Split(res.Stdout, "\n") {
		var ev struct {
			Type string
			Item map[string]any
		}
		if json.Unmarshal([]byte(line), &ev) != nil || ev.Type != "item.completed" {
			continue
		}
		items = append(items, ev.Item)
		if ev.Item["type"] == "agent_message" {
			answer, _ = ev.Item["text"].(string)
		}
	}
	assert.Equal(t, agentSearchAnswer, answer, "codex printed:\n%s", res.Stdout)
	var searched bool
	for _, it := range items {
		if it["type"] == "web_search" {
			searched = true
			assert.Equal(t, agentSearchQuery, it["query"], "%v", it)
		}
	}
	assert.True(t, searched, "codex showed no web_search item:\n%s", res.Stdout)

	require.Len(t, rec.Calls("/v1/responses"), 1, "the search ran inside the one response")
	assertSearchReachedKiro(t, e, "tooluse_search1")
	assertKiroGetsWebSearch(t, e)
}

func TestCodexRunsAToolLoop(t *testing.T) {
	e := startWithAccounts(t, 1)
	rec := newClientRecorder(t, e.serve.url)
	work := secretWork(t)
	e.fake.SetDefaultScript(func(r fakekiro.RecordedRequest) fakekiro.Script {
		if r.Chat == nil || !strings.Contains(string(r.Raw), "secret.txt") {
			return fakekiro.EchoScript(r)
		}
		return secretTurn(string(r.Raw), "tooluse_exec1", "exec_command", `{"cmd":"cat secret.txt"}`)
	})
	res := runCodex(t, e, rec, work, "What does secret.txt say?")
	assert.Equal(t, "The file says the launch code is 4711.", strings.TrimSpace(res.Stdout))

	calls := rec.Calls("/v1/responses")
	require.Len(t, calls, 2, "one turn with the call, one with its output")
	var input struct {
		Input []map[string]any
	}
	require.NoError(t, json.Unmarshal(calls[1].Body, &input))
	var call, output map[string]any
	for _, it := range input.Input {
		switch it["type"] {
		case "function_call":
			call = it
		case "function_call_output":
			output = it
		}
	}
	require.NotNil(t, call, "Codex sends its call back: %s", calls[1].Body)
	require.NotNil(t, output, "and the command's output: %s", calls[1].Body)
	assert.Equal(t, "exec_command", call["name"])
	assert.Equal(t, "tooluse_exec1", call["call_id"])
	assert.JSONEq(t, `{"cmd":"cat secret.txt"}`, call["arguments"].(string))
	assert.Equal(t, "tooluse_exec1", output["call_id"])
	assert.Contains(t, output["output"], "the launch code is 4711")

	// Kiro saw the call and its result paired under the same id.
	chat := e.fake.ChatRequests()
	raw := string(chat[len(chat)-1].Raw)
	assert.Contains(t, raw, `"toolUseId":"tooluse_exec1","name":"exec_command"`)
	assert.Regexp(t, `"toolResults":\[\{[^]]*the launch code is 4711`, raw)
}
