package clientname

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestOf(t *testing.T) {
	cases := []struct{ ua, want string }{
		{"claude-cli/1.0.98 (external, cli)", ClaudeCode},
		{"Claude-Code/2.0", ClaudeCode},
		{"codex_cli_rs/0.42.0 (Ubuntu 24.4.0; x86_64) xterm-256color", Codex},
		{"opencode/0.5.1 ai-sdk/anthropic", Opencode},
		{"Cline/3.20.0", Cline},
		{"Anthropic/Python 0.57.1", AnthropicSDK},
		{"anthropic-sdk-go/1.4.0", AnthropicSDK},
		{"OpenAI/Python 1.99.1", OpenAISDK},
		{"OpenAI/JS 5.12.0", OpenAISDK},
		{"curl/8.5.0", Curl},
		{"Mozilla/5.0 (X11; Linux x86_64)", Other},
		{"python-requests/2.32", Other},
		{"", Other},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, Of(c.ua), c.ua)
		assert.Contains(t, Names, Of(c.ua))
	}
}

func BenchmarkOf(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Of("claude-cli/1.0.98 (external, cli)")
	}
}
