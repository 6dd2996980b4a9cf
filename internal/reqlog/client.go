package reqlog

import "strings"

// Client names shown in the Logs window and used by its filter.
const (
	ClientClaudeCode   = "Claude Code"
	ClientCodex        = "Codex"
	ClientOpencode     = "opencode"
	ClientCline        = "Cline"
	ClientAnthropicSDK = "Anthropic SDK"
	ClientOpenAISDK    = "OpenAI SDK"
	ClientCurl         = "curl"
	ClientOther        = "other"
)

// clientRules are tried in order: the first whose marker is in the
// lower-cased User-Agent names the client. Tools come before the SDKs they
// are built on (Claude Code sends "claude-cli/…", Cline an SDK's agent
// with its own name added).
var clientRules = []struct{ marker, name string }{
	{"claude-cli", ClientClaudeCode},
	{"claude-code", ClientClaudeCode},
	{"codex", ClientCodex},
	{"opencode", ClientOpencode},
	{"cline", ClientCline},
	{"anthropic", ClientAnthropicSDK},
	{"openai", ClientOpenAISDK},
	{"curl/", ClientCurl},
}

// ClientName names the program behind a User-Agent; ClientOther when no
// rule knows it (or there is none).
func ClientName(userAgent string) string {
	if userAgent == "" {
		return ClientOther
	}
	ua := strings.ToLower(userAgent)
	for _, r := range clientRules {
		if strings.Contains(ua, r.marker) {
			return r.name
		}
	}
	return ClientOther
}
