//go:build !windows

package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/testenv"
	"kirodesk/internal/websearch"
)

// claudeBinary is Claude Code installed from npm by scripts/deps.sh into
// test/claudecode (a lock file pins it; nothing is installed globally).
func claudeBinary(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../test/claudecode/node_modules/.bin/claude")
	require.NoError(t, err)
	if _, err := os.Stat(p); err != nil {
		testenv.Missing(t, fmt.Sprintf("Claude Code is not installed (%v): scripts/deps.sh installs it", err))
	}
	return p
}

// runClaude runs `claude -p` against the proxy through a recorder, and
// fails if any request Claude Code sent was refused.
func runClaude(t *testing.T, e *kiroEnv, workdir string, args ...string) (map[string]any, string) {
	t.Helper()
	rec := newClientRecorder(t, e.serve.url)
	res, stderr := runClaudeAt(t, e, rec.URL, workdir, args...)
	rec.requireNoErrors(t)
	return res, stderr
}

// runClaudeAt runs `claude -p` against base (a recorder in front of the
// proxy) like the other agents: a fresh home, stdin closed, and no network
// beyond loopback (the egress guard fails the run if it tries).
func runClaudeAt(t *testing.T, e *kiroEnv, base, workdir string, args ...string) (map[string]any, string) {
	t.Helper()
	home := t.TempDir()
	res := agentRun{
		Bin: claudeBinary(t), Args: args, Dir: workdir, Home: home, Timeout: 90 * time.Second,
		Env: []string{
			"CLAUDE_CONFIG_DIR=" + filepath.Join(home, ".claude"),
			// The dashboard's setup (frontend/src/lib/snippets.ts): the key as a bearer token.
			"ANTHROPIC_BASE_URL=" + base, "ANTHROPIC_AUTH_TOKEN=" + e.key,
			"ANTHROPIC_MODEL=claude-sonnet-4-5", "ANTHROPIC_SMALL_FAST_MODEL=claude-haiku-4-5",
			"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1", "DISABLE_TELEMETRY=1", "DISABLE_ERROR_REPORTING=1", "DISABLE_AUTOUPDATER=1",
		},
	}.run(t, newEgressGuard(t))
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.Stdout), &out), "claude printed %s\n%s", res.Stdout, res.Stderr)
	return out, res.Stderr
}

func TestClaudeCodeAnswersThroughKirodesk(t *testing.T) {
	e := startWithAccounts(t, 1)
	e.fake.SetDefaultScript(func(r fakekiro.RecordedRequest) fakekiro.Script {
		if r.Chat != nil && strings.Contains(r.Chat.LastUserContent(), "Reply with the single word pong") {
			return fakekiro.Script{fakekiro.Text("pong")}
		}
		return fakekiro.EchoScript(r)
	})
	res, _ := runClaude(t, e, t.TempDir(), "-p", "Reply with the single word pong", "--output-format", "json")
	assert.Equal(t, "pong", res["result"])
	assert.Equal(t, false, res["is_error"])
}

// The tool loop through Claude Code's shell tool (Bash), like the other
// agents': the command's output reaches the model paired with its call.
func TestClaudeCodeRunsAToolLoop(t *testing.T) {
	e := startWithAccounts(t, 1)
	work := secretWork(t)
	e.fake.SetDefaultScript(func(r fakekiro.RecordedRequest) fakekiro.Script {
		raw := string(r.Raw)
		switch {
		case r.Chat == nil || !strings.Contains(raw, "What does secret.txt say"):
			return fakekiro.EchoScript(r)
		case strings.Contains(raw, `"toolUseId":"tooluse_bash1"`) && strings.Contains(raw, "toolResults"):
			if strings.Contains(raw, "4711") { // the command's output came back
				return fakekiro.Script{fakekiro.Text("The file says the launch code is 4711.")}
			}
			return fakekiro.Script{fakekiro.Text("The command did not show the file.")}
		}
		return fakekiro.Script{fakekiro.Text("I'll read it."),
			fakekiro.ToolUse("tooluse_bash1", "Bash", `{"command":"cat secret.txt","description":"Show secret.txt"}`, 2, true)}
	})
	res, _ := runClaude(t, e, work, "-p", "What does secret.txt say?", "--allowedTools", "Bash", "--output-format", "json")
	assert.Equal(t, "The file says the launch code is 4711.", res["result"])
	assert.GreaterOrEqual(t, res["num_turns"], float64(2), "a real tool round trip")

	// Kiro saw the call and the command's output paired under its id.
	var raw string
	for _, c := range e.fake.ChatRequests() {
		if strings.Contains(string(c.Raw), "toolResults") {
			raw = string(c.Raw)
		}
	}
	assert.Contains(t, raw, `"toolUseId":"tooluse_bash1","name":"Bash"`)
	assert.Regexp(t, `"toolResults":\[\{[^]]*the launch code is 4711`, raw)
}

// Claude Code's WebSearch tool: the main conversation's model calls it;
// Claude Code sends its own request whose only tool is web_search_20250305
// and whose user turn is "Perform a web search for the query: ..."; there
// Kirodesk runs the search through Kiro's MCP endpoint and the model's
// answer, and sends back server_tool_use and web_search_tool_result
// blocks, from which Claude Code builds the tool's result (the links) for
// the main conversation, whose model answers from it.
func TestClaudeCodeSearchesTheWeb(t *testing.T) {
	e, rec := startAgentSearch(t)
	e.fake.SetDefaultScript(func(r fakekiro.RecordedRequest) fakekiro.Script {
		raw := string(r.Raw)
		switch {
		case r.Chat == nil:
			return fakekiro.EchoScript(r)
		case strings.Contains(raw, `"toolUseId":"tooluse_ws1"`) && strings.Contains(raw, "toolResults"):
			return answerFromSearch(raw) // the main conversation, with WebSearch's result
		case strings.Contains(r.Chat.LastUserContent(), websearch.DedicatedPrefix):
			// WebSearch's own request (its system prompt ahead of the user
			// turn), the results in that turn: say
			// what they count, citing the hit.
			if m := searchedCount.FindStringSubmatch(raw); m != nil {
				return fakekiro.Script{fakekiro.Text("Rangers counted " + m[1] + " quokkas [1].")}
			}
			return fakekiro.Script{fakekiro.Text("No results.")}
		case strings.Contains(r.Chat.LastUserContent(), agentSearchPrompt):
			return fakekiro.Script{fakekiro.Text("Let me search."),
				fakekiro.ToolUse("tooluse_ws1", "WebSearch", `{"query":"`+agentSearchQuery+`"}`, 2, true)}
		}
		return fakekiro.EchoScript(r)
	})
	res, stderr := runClaudeAt(t, e, rec.URL, t.TempDir(), "-p", agentSearchPrompt, "--allowedTools", "WebSearch", "--output-format", "json")
	rec.requireNoErrors(t)
	assert.Equal(t, agentSearchAnswer, res["result"], "stderr: %s", stderr)
	assert.Equal(t, false, res["is_error"])

	// Claude Code's dedicated request: web search its only tool.
	var dedicated []clientCall
	for _, c := range rec.Calls("/v1/messages") {
		if strings.Contains(string(c.Body), websearch.DedicatedPrefix+" "+agentSearchQuery) {
			dedicated = append(dedicated, c)
		}
	}
	require.Len(t, dedicated, 1)
	var req struct {
		Tools []struct{ Type, Name string }
	}
	require.NoError(t, json.Unmarshal(dedicated[0].Body, &req))
	require.Len(t, req.Tools, 1)
	assert.Equal(t, "web_search_20250305", req.Tools[0].Type)

	calls := e.fake.SearchCalls()
	require.Len(t, calls, 1)
	assert.Equal(t, agentSearchQuery, calls[0].Query)
	// Kiro's call for the dedicated request: no tools, the hit in its prompt.
	var sawResults bool
	for _, c := range e.fake.ChatRequests() {
		if strings.Contains(c.Chat.LastUserContent(), websearch.DedicatedPrefix) {
			assert.Nil(t, currentContext(c))
			assert.Contains(t, c.Chat.LastUserContent(), agentSearchHit.Snippet)
			sawResults = true
		}
	}
	assert.True(t, sawResults, "Kiro never got the dedicated request with the results")
	// WebSearch's result, back in the main conversation, carries the link
	// Claude Code took from the web_search_tool_result block and the text
	// with the count.
	var carried bool
	for _, c := range e.fake.ChatRequests() {
		if ctx := currentContext(c); ctx != nil {
			for _, tr := range ctx.ToolResults {
				if tr.ToolUseID == "tooluse_ws1" {
					carried = true
					assert.Contains(t, tr.Content[0].Text, agentSearchHit.URL)
					assert.Contains(t, tr.Content[0].Text, agentSearchHit.Title)
					assert.Contains(t, tr.Content[0].Text, "Rangers counted 12347 quokkas")
				}
			}
		}
	}
	assert.True(t, carried, "WebSearch's result never reached the main conversation")
	kiroToolSchemas(t, e) // no server tool leaks to Kiro
}
