package tooldecl

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Server tool calls and results that clients send back in history (the
// blocks of an earlier answer) have no Kiro form: Kiro knows only calls of
// declared tools, each answered in the next user turn. They go to Kiro as
// text of the turn they were in, which keeps what the model learnt from
// them and cannot leave a tool call without its result.

// maxResultText is where the text of one server tool result is cut.
const maxResultText = 4000

// SearchResult is one hit of a web search, as far as history carries it.
type SearchResult struct {
	Title   string
	URL     string
	Snippet string
	Age     string
}

// ServerCallText renders a server tool call (Anthropic server_tool_use or
// mcp_tool_use, Responses web_search_call): a web search as its query,
// anything else as its name and input.
func ServerCallText(name string, input json.RawMessage) string {
	if name == "web_search" {
		var q struct {
			Query string `json:"query"`
		}
		if json.Unmarshal(input, &q) == nil && q.Query != "" {
			return SearchCallText(q.Query)
		}
	}
	in := strings.TrimSpace(string(input))
	if in == "" || in == "{}" || in == "null" {
		return "[called server tool " + name + "]"
	}
	return "[called server tool " + name + " with " + clip(in, maxResultText) + "]"
}

// SearchCallText renders a web search call by its query.
func SearchCallText(query string) string {
	return "[web search for " + strconv.Quote(query) + "]"
}

// SearchResultsText renders a web search's results, numbered:
// "[web search results: 1. title — url — snippet ...]".
func SearchResultsText(results []SearchResult) string {
	if len(results) == 0 {
		return "[web search results: none]"
	}
	var b strings.Builder
	b.WriteString("[web search results:")
	for i, r := range results {
		b.WriteString("\n")
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(". ")
		parts := make([]string, 0, 4)
		for _, p := range []string{r.Title, r.URL, r.Age, r.Snippet} {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		b.WriteString(strings.Join(parts, " — "))
		if b.Len() > maxResultText {
			break
		}
	}
	b.WriteString("]")
	return clip(b.String(), maxResultText)
}

// SearchResultText renders a client search tool's search_result block
// (title, source and text), which Kiro has no block for.
func SearchResultText(title, source, text string) string {
	parts := make([]string, 0, 3)
	for _, p := range []string{title, source, text} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return clip("[search result: "+strings.Join(parts, " — ")+"]", maxResultText)
}

// SearchErrorText renders a failed web search.
func SearchErrorText(code string) string {
	if code == "" {
		code = "unknown error"
	}
	return "[web search failed: " + code + "]"
}

// ServerResultText renders the result of another server tool by its block
// type and content (compact JSON), cut to a readable length.
func ServerResultText(typ string, content json.RawMessage) string {
	c := strings.TrimSpace(string(content))
	if c == "" || c == "null" {
		return "[" + typ + "]"
	}
	return "[" + typ + ": " + clip(c, maxResultText) + "]"
}

// LooksLikeText reports whether an opaque field (a web search result's
// encrypted_content) holds readable text rather than an encrypted blob:
// Anthropic's are long base64 strings without spaces, while a proxy that
// runs the search itself may put the snippet there.
func LooksLikeText(s string) bool {
	return strings.ContainsRune(strings.TrimSpace(s), ' ')
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}
