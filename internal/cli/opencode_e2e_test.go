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

// opencodeOpenAIConfig is the ~/.config/opencode/opencode.json the
// dashboard gives users (frontend/src/lib/snippets.ts), with the test's
// endpoint; opencodeAnthropicConfig points opencode's own Anthropic
// provider at Kirodesk instead (its base URL ends in /v1).
func opencodeOpenAIConfig(root string) string {
	return `{
  "$schema": "https://opencode.ai/config.json",
  "provider": {
    "kirodesk": {
      "npm": "@ai-sdk/openai-compatible",
      "name": "Kirodesk",
      "options": { "baseURL": "` + root + `/v1", "apiKey": "{env:KIRODESK_API_KEY}" },
      "models": { "claude-sonnet-4-5": { "name": "Claude Sonnet 4.5" } }
    }
  },
  "model": "kirodesk/claude-sonnet-4-5"
}`
}

func opencodeAnthropicConfig(root string) string {
	return `{
  "$schema": "https://opencode.ai/config.json",
  "provider": {
    "anthropic": {
      "options": {
        "baseURL": "` + root + `/v1",
        "apiKey": "{env:KIRODESK_API_KEY}"
      }
    }
  },
  "model": "anthropic/claude-sonnet-4-5"
}
`
}

// opencodeOfflineEnv keeps opencode off the network: no update check, no
// models.dev catalogue, no sharing, no LSP downloads, no default plugins.
var opencodeOfflineEnv = []string{
	"OPENCODE_DISABLE_AUTOUPDATE=1", "OPENCODE_DISABLE_MODELS_FETCH=1", "OPENCODE_DISABLE_SHARE=1",
	"OPENCODE_DISABLE_LSP_DOWNLOAD=1", "OPENCODE_DISABLE_DEFAULT_PLUGINS=1",
}

// runOpencode runs `opencode run --format json` in a fresh home whose
// config folder holds config. opencode installs @opencode-ai/plugin into
// every config folder in the background unless the folder's package files
// and node_modules already have it: the folder gets test/opencode's (the
// lock file pins the plugin package), so nothing is fetched.
func runOpencode(t *testing.T, e *kiroEnv, rec *clientRecorder, config, work, prompt string) string {
	t.Helper()
	home := t.TempDir()
	dir := filepath.Join(home, ".config", "opencode")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "opencode.json"), []byte(config), 0o600))
	installed, err := filepath.Abs("../../test/opencode")
	require.NoError(t, err)
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(installed, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o600))
	}
	bin := agentBinary(t, "opencode", "opencode")
	require.NoError(t, os.Symlink(filepath.Join(installed, "node_modules"), filepath.Join(dir, "node_modules")))
	res := agentRun{
		Bin:  bin,
		Args: []string{"run", "--format", "json", prompt},
		Dir:  work, Home: home,
		Env: append([]string{"KIRODESK_API_KEY=" + e.key}, opencodeOfflineEnv...),
	}.run(t, newEgressGuard(t))
	rec.requireNoErrors(t)
	var text []string
	for _, line := range strings.Split(res.Stdout, "\n") {
		var ev struct {
			Type string
			Part struct{ Type, Text string }
		}
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Type == "text" {
			text = append(text, ev.Part.Text)
		}
	}
	require.NotEmpty(t, text, "opencode printed:\n%s\n%s", res.Stdout, res.Stderr)
	return strings.Join(text, "\n")
}

// opencodeScript answers the prompt with pong, and runs the tool loop: a
// bash call to cat secret.txt, then the text with what came back. Other
// requests (the session title) get an echo.
func opencodeScript(r fakekiro.RecordedRequest) fakekiro.Script {
	raw := string(r.Raw)
	switch {
	case r.Chat == nil || !strings.Contains(raw, `"name":"bash"`):
		return fakekiro.Script{fakekiro.Text("A title")}
	case strings.Contains(raw, "tooluse_bash1") || strings.Contains(raw, "What does secret.txt say"):
		return secretTurn(raw, "tooluse_bash1", "bash", `{"command":"cat secret.txt","description":"Show secret.txt"}`)
	case strings.Contains(raw, "Reply with the single word pong"):
		return fakekiro.Script{fakekiro.Text("pong")}
	}
	return fakekiro.EchoScript(r)
}

func testOpencodeProvider(t *testing.T, path string, config func(root string) string) {
	e := startWithAccounts(t, 1)
	rec := newClientRecorder(t, e.serve.url)
	e.fake.SetDefaultScript(opencodeScript)

	t.Run("prompt", func(t *testing.T) {
		text := runOpencode(t, e, rec, config(rec.URL), t.TempDir(), "Reply with the single word pong")
		assert.Equal(t, "pong", strings.TrimSpace(text))
		require.NotEmpty(t, rec.Calls(path))
		names := kiroToolsSeen(t, e)
		assert.Contains(t, names, "bash")
		assert.Contains(t, names, "read")
	})
	t.Run("tool loop", func(t *testing.T) {
		work := secretWork(t)
		before := len(rec.Calls(path))
		text := runOpencode(t, e, rec, config(rec.URL), work, "What does secret.txt say?")
		assert.Contains(t, text, "The file says the launch code is 4711.")
		var last string
		for _, c := range rec.Calls(path)[before:] {
			if strings.Contains(string(c.Body), "tooluse_bash1") {
				last = string(c.Body)
			}
		}
		require.NotEmpty(t, last, "opencode sent the call's output back")
		assert.Contains(t, last, "the launch code is 4711")
		chat := e.fake.ChatRequests()
		var raw string
		for _, c := range chat {
			if strings.Contains(string(c.Raw), "toolResults") {
				raw = string(c.Raw)
			}
		}
		assert.Contains(t, raw, `"toolUseId":"tooluse_bash1","name":"bash"`)
		assert.Regexp(t, `"toolResults":\[\{[^]]*the launch code is 4711`, raw)
	})
}

func TestOpencodeOpenAICompatibleThroughKirodesk(t *testing.T) {
	testOpencodeProvider(t, "/v1/chat/completions", opencodeOpenAIConfig)
}

func TestOpencodeAnthropicThroughKirodesk(t *testing.T) {
	testOpencodeProvider(t, "/v1/messages", opencodeAnthropicConfig)
}
