//go:build !windows

package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/testenv"
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

// runClaude runs `claude -p` offline against the proxy, in a fresh home.
func runClaude(t *testing.T, e *kiroEnv, workdir string, args ...string) (map[string]any, string) {
	t.Helper()
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, claudeBinary(t), args...)
	cmd.Dir = workdir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "CLAUDE_CONFIG_DIR=" + filepath.Join(home, ".claude"),
		"ANTHROPIC_BASE_URL=" + e.serve.url, "ANTHROPIC_API_KEY=" + e.key,
		"ANTHROPIC_MODEL=claude-sonnet-4-5", "ANTHROPIC_SMALL_FAST_MODEL=claude-haiku-4-5",
		"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1", "DISABLE_TELEMETRY=1", "DISABLE_ERROR_REPORTING=1", "DISABLE_AUTOUPDATER=1",
	}
	cmd.Stdin = nil
	out, err := cmd.Output()
	stderr := ""
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = string(ee.Stderr)
	}
	require.NoError(t, err, "claude failed: %s\n%s", out, stderr)
	var res map[string]any
	require.NoError(t, json.Unmarshal(out, &res), "claude printed %s", out)
	return res, stderr
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

func TestClaudeCodeRunsAToolLoop(t *testing.T) {
	e := startWithAccounts(t, 1)
	work := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(work, "secret.txt"), []byte("the launch code is 4711\n"), 0o600))
	e.fake.SetDefaultScript(func(r fakekiro.RecordedRequest) fakekiro.Script {
		if r.Chat == nil || !strings.Contains(string(r.Raw), "secret.txt") {
			return fakekiro.EchoScript(r)
		}
		if strings.Contains(string(r.Raw), "4711") { // the tool result came back
			return fakekiro.Script{fakekiro.Text("The file says the launch code is 4711.")}
		}
		input, _ := json.Marshal(map[string]string{"file_path": filepath.Join(work, "secret.txt")})
		return fakekiro.Script{fakekiro.Text("I'll read it."), fakekiro.ToolUse("tooluse_read1", "Read", string(input), 2, true)}
	})
	res, _ := runClaude(t, e, work, "-p", "What does secret.txt say?", "--allowedTools", "Read", "--output-format", "json")
	assert.Equal(t, "The file says the launch code is 4711.", res["result"])
	assert.GreaterOrEqual(t, res["num_turns"], float64(2), "a real tool round trip")
}
