package reqlog

import "kirodesk/internal/clientname"

// Client names shown in the Logs window and used by its filter: the same
// names the usage history keeps (internal/clientname, one rule table).
const (
	ClientClaudeCode   = clientname.ClaudeCode
	ClientCodex        = clientname.Codex
	ClientOpencode     = clientname.Opencode
	ClientCline        = clientname.Cline
	ClientAnthropicSDK = clientname.AnthropicSDK
	ClientOpenAISDK    = clientname.OpenAISDK
	ClientCurl         = clientname.Curl
	ClientOther        = clientname.Other
)

// ClientName names the program behind a User-Agent; ClientOther when no
// rule knows it (or there is none).
func ClientName(userAgent string) string { return clientname.Of(userAgent) }
