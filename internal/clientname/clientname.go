// Package clientname tells which client sent a request from its User-Agent,
// so usage can be split by client (Claude Code, Codex, ...). It keeps only
// one of a few fixed names: a User-Agent can carry anything, and nothing of
// it beyond the name is worth keeping.
package clientname

import "strings"

// The names Of returns.
const (
	ClaudeCode   = "Claude Code"
	Codex        = "Codex"
	Opencode     = "opencode"
	Cline        = "Cline"
	AnthropicSDK = "Anthropic SDK"
	OpenAISDK    = "OpenAI SDK"
	Curl         = "curl"
	Other        = "other"
)

// Names lists every name Of can return, in display order.
var Names = []string{ClaudeCode, Codex, Opencode, Cline, AnthropicSDK, OpenAISDK, Curl, Other}

// rules are checked in order: the first whose marker the lower-cased
// User-Agent contains wins. Specific tools come before the SDKs they are
// built on (Claude Code sends "claude-cli/…", Codex "codex_cli_rs/…", and
// both may also name an SDK).
var rules = []struct{ marker, name string }{
	{"claude-cli", ClaudeCode},
	{"claude-code", ClaudeCode},
	{"claude code", ClaudeCode},
	{"codex", Codex},
	{"opencode", Opencode},
	{"cline", Cline},
	{"anthropic", AnthropicSDK}, // anthropic-sdk-python, Anthropic/JS
	{"openai", OpenAISDK},       // OpenAI/Python, OpenAI/JS, openai-go
	{"curl/", Curl},
}

// Of returns the client a User-Agent names, or Other.
func Of(userAgent string) string {
	if userAgent == "" {
		return Other
	}
	ua := strings.ToLower(userAgent)
	for _, r := range rules {
		if strings.Contains(ua, r.marker) {
			return r.name
		}
	}
	return Other
}
