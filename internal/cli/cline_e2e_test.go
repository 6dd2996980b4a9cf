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

// clineOfflineEnv keeps Cline off the network beyond the provider: no auto
// update, and E2E_TEST=true makes it skip its PostHog feature flags
// (data.cline.bot). Telemetry (otel.cline.bot) is off through
// telemetryOptOut in its global settings, written by newClineHome.
var clineOfflineEnv = []string{"CLINE_NO_AUTO_UPDATE=1", "E2E_TEST=true"}

// newClineHome is a fresh home with Cline's telemetry turned off.
func newClineHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	settings := filepath.Join(home, ".cline", "data", "settings")
	require.NoError(t, os.MkdirAll(settings, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(settings, "global-settings.json"),
		[]byte(`{"telemetryOptOut":true,"autoUpdateEnabled":false}`), 0o600))
	return home
}

// clineAuthHome is a fresh home (newClineHome) in which `cline auth` has
// run with args.
func clineAuthHome(t *testing.T, args ...string) string {
	t.Helper()
	home := newClineHome(t)
	agentRun{
		Bin:  agentBinary(t, "cline", "cline"),
		Args: append([]string{"auth"}, args...),
		Dir:  home, Home: home, Env: clineOfflineEnv,
	}.run(t, newEgressGuard(t))
	return home
}

// clineAnthropicHome configures Cline's Anthropic provider for Kirodesk.
// `cline auth` takes a base URL only for OpenAI-compatible providers (and
// ANTHROPIC_BASE_URL is not read), so the base URL is then added to the
// provider's settings in providers.json; it ends in /v1 (the AI SDK's).
func clineAnthropicHome(t *testing.T, root, key string) string {
	t.Helper()
	home := clineAuthHome(t, "--provider", "anthropic", "--apikey", key, "--modelid", "claude-sonnet-4-5")
	path := filepath.Join(home, ".cline", "data", "settings", "providers.json")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var providers struct {
		Providers map[string]struct {
			Settings map[string]any `json:"settings"`
		} `json:"providers"`
	}
	var all map[string]any
	require.NoError(t, json.Unmarshal(b, &providers))
	require.NoError(t, json.Unmarshal(b, &all))
	settings := providers.Providers["anthropic"].Settings
	require.NotNil(t, settings, "cline auth wrote %s", b)
	settings["baseUrl"] = root + "/v1"
	all["providers"].(map[string]any)["anthropic"].(map[string]any)["settings"] = settings
	b, err = json.Marshal(all)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return home
}

// clineOpenAIHome configures Cline's OpenAI-compatible provider the way the
// dashboard says: `cline auth --provider openai ... --baseurl ROOT/v1`.
func clineOpenAIHome(t *testing.T, root, key string) string {
	t.Helper()
	return clineAuthHome(t, "--provider", "openai", "--apikey", key, "--modelid", "claude-sonnet-4-5", "--baseurl", root+"/v1")
}

// runCline runs one non-interactive `cline --json` task and returns the
// text of its run_result line.
func runCline(t *testing.T, rec *clientRecorder, home, work, prompt string) string {
	t.Helper()
	res := agentRun{
		Bin:  agentBinary(t, "cline", "cline"),
		Args: []string{"--json", "-t", "50", prompt},
		Dir:  work, Home: home, Env: clineOfflineEnv,
	}.run(t, newEgressGuard(t))
	rec.requireNoErrors(t)
	for _, line := range strings.Split(res.Stdout, "\n") {
		var ev struct {
			Type, FinishReason, Text string
		}
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Type == "run_result" {
			require.Equal(t, "completed", ev.FinishReason, "cline printed:\n%s\n%s", res.Stdout, res.Stderr)
			return ev.Text
		}
	}
	t.Fatalf("cline printed no run_result:\n%s\n%s", res.Stdout, res.Stderr)
	return ""
}

// clineScript answers the prompt with pong, and runs the tool loop: a
// run_commands call to cat secret.txt, then the text with what came back.
func clineScript(r fakekiro.RecordedRequest) fakekiro.Script {
	raw := string(r.Raw)
	switch {
	case r.Chat == nil:
		return fakekiro.EchoScript(r)
	case strings.Contains(raw, "tooluse_run1") || strings.Contains(raw, "What does secret.txt say"):
		return secretTurn(raw, "tooluse_run1", "run_commands", `{"commands":["cat secret.txt"]}`)
	case strings.Contains(raw, "Reply with the single word pong"):
		return fakekiro.Script{fakekiro.Text("pong")}
	}
	return fakekiro.EchoScript(r)
}

// testClineProvider runs a prompt and a tool loop through one of Cline's
// providers; path is the route it uses, declared a tool type it must send,
// webSearch whether it declares web search (which Kiro then gets as an
// ordinary tool).
func testClineProvider(t *testing.T, path, declared string, webSearch bool, setup func(t *testing.T, root, key string) string) {
	e := startWithAccounts(t, 1)
	rec := newClientRecorder(t, e.serve.url)
	e.fake.SetDefaultScript(clineScript)

	t.Run("prompt", func(t *testing.T) {
		home := setup(t, rec.URL, e.key)
		assert.Equal(t, "pong", strings.TrimSpace(runCline(t, rec, home, t.TempDir(), "Reply with the single word pong")))
		calls := rec.Calls(path)
		require.NotEmpty(t, calls)
		assert.Contains(t, string(calls[0].Body), declared)
		names := kiroToolsSeen(t, e)
		assert.Contains(t, names, "run_commands")
		assert.Contains(t, names, "read_files")
		if webSearch {
			assertKiroGetsWebSearch(t, e)
		} else {
			assert.NotContains(t, names, "web_search")
			kiroToolSchemas(t, e) // nothing leaks either
		}
		assert.Empty(t, e.fake.SearchCalls(), "the model did not search")
	})
	t.Run("tool loop", func(t *testing.T) {
		home := setup(t, rec.URL, e.key)
		work := secretWork(t)
		before := len(rec.Calls(path))
		text := runCline(t, rec, home, work, "What does secret.txt say?")
		assert.Equal(t, "The file says the launch code is 4711.", strings.TrimSpace(text))
		calls := rec.Calls(path)[before:]
		require.GreaterOrEqual(t, len(calls), 2, "one turn with the call, one with its output")
		last := string(calls[len(calls)-1].Body)
		assert.Contains(t, last, "tooluse_run1")
		assert.Contains(t, last, "the launch code is 4711")
		chat := e.fake.ChatRequests()
		raw := string(chat[len(chat)-1].Raw)
		assert.Contains(t, raw, `"toolUseId":"tooluse_run1","name":"run_commands"`)
		assert.Regexp(t, `"toolResults":\[\{[^]]*the launch code is 4711`, raw)
	})
}

// Cline's Anthropic provider declares web_search_20250305 among its tools
// (it got a 400 for it before): accepted, and given to Kiro as an ordinary
// web_search tool that Kirodesk runs.
func TestClineAnthropicThroughKirodesk(t *testing.T) {
	testClineProvider(t, "/v1/messages", `"type":"web_search_20250305"`, true, clineAnthropicHome)
}

func TestClineOpenAICompatibleThroughKirodesk(t *testing.T) {
	testClineProvider(t, "/v1/chat/completions", `"name":"run_commands"`, false, clineOpenAIHome)
}

// Cline's Anthropic provider with a search: the model calls web_search,
// Kirodesk runs it through Kiro's MCP endpoint inside the one response and
// sends Cline the server tool blocks, and the model's answer, built from
// the results, is Cline's result.
func TestClineAnthropicSearchesTheWeb(t *testing.T) {
	e, rec := startAgentSearch(t)
	e.fake.SetDefaultScript(mixedSearchScript)
	home := clineAnthropicHome(t, rec.URL, e.key)
	text := runCline(t, rec, home, t.TempDir(), agentSearchPrompt)
	// Cline's result is the response's text blocks joined: what the model
	// said before its search and its answer after it.
	assert.Equal(t, "Let me search."+agentSearchAnswer, strings.TrimSpace(text))

	calls := rec.Calls("/v1/messages")
	require.Len(t, calls, 1, "the search ran inside the one response; Cline had nothing to run")
	assert.Contains(t, string(calls[0].Body), `"type":"web_search_20250305"`)
	assertSearchReachedKiro(t, e, "tooluse_search1")
	assertKiroGetsWebSearch(t, e)
}
