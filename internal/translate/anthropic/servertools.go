package anthropic

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/wire"
)

// Server tool blocks (web search), shared by the streaming and
// non-streaming writers. Kirodesk runs the search itself (the relay's
// server tool loop); these render the canonical events as Anthropic's
// own server tools answer them.

type serverToolUseBlockJSON struct {
	Type  string          `json:"type"`
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

type webSearchToolResultJSON struct {
	Type      string `json:"type"`
	ToolUseID string `json:"tool_use_id"`
	Content   any    `json:"content"`
}

type webSearchResultJSON struct {
	Type             string  `json:"type"`
	Title            string  `json:"title"`
	URL              string  `json:"url"`
	EncryptedContent string  `json:"encrypted_content"`
	PageAge          *string `json:"page_age"`
}

type webSearchErrorJSON struct {
	Type      string `json:"type"`
	ErrorCode string `json:"error_code"`
}

type citationJSON struct {
	Type           string `json:"type"`
	URL            string `json:"url"`
	Title          string `json:"title"`
	EncryptedIndex string `json:"encrypted_index"`
	CitedText      string `json:"cited_text"`
}

type citationsDelta struct {
	Type     string       `json:"type"`
	Citation citationJSON `json:"citation"`
}

type textCitedBlockJSON struct {
	Type      string         `json:"type"`
	Text      string         `json:"text"`
	Citations []citationJSON `json:"citations,omitempty"`
}

type serverToolUsageJSON struct {
	WebSearchRequests int `json:"web_search_requests"`
	WebFetchRequests  int `json:"web_fetch_requests"` // always 0: Kirodesk fetches nothing
}

func serverToolUseInput(su *canon.ServerToolUse) json.RawMessage {
	b, _ := wire.Marshal(map[string]string{"query": su.Query}) // a string always encodes
	return b
}

func serverToolUseBlock(su *canon.ServerToolUse, input json.RawMessage) serverToolUseBlockJSON {
	return serverToolUseBlockJSON{Type: "server_tool_use", ID: su.ID, Name: su.Name, Input: input}
}

func webSearchResultBlock(sr *canon.ServerToolResult) webSearchToolResultJSON {
	out := webSearchToolResultJSON{Type: "web_search_tool_result", ToolUseID: sr.ToolUseID}
	if sr.ErrorCode != "" {
		out.Content = webSearchErrorJSON{Type: "web_search_tool_result_error", ErrorCode: sr.ErrorCode}
		return out
	}
	results := make([]webSearchResultJSON, 0, len(sr.Results))
	for _, r := range sr.Results {
		var age *string
		if r.PageAge != "" {
			a := r.PageAge
			age = &a
		}
		// The snippet travels as encrypted_content, as the peers do: the
		// client sends it back opaque, and the history translator reads it.
		results = append(results, webSearchResultJSON{Type: "web_search_result", Title: r.Title, URL: r.URL,
			EncryptedContent: r.Snippet, PageAge: age})
	}
	out.Content = results
	return out
}

func citationOf(c canon.Citation, n int) citationJSON {
	return citationJSON{Type: "web_search_result_location", URL: c.URL, Title: c.Title,
		EncryptedIndex: base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(n))), CitedText: c.CitedText}
}

// ServerToolUse writes a server tool call as a whole block.
func (s *sseRenderer) ServerToolUse(su *canon.ServerToolUse) error {
	return s.wholeBlock(serverToolUseBlock(su, json.RawMessage("{}")), string(serverToolUseInput(su)))
}

// ServerToolResult writes a search's outcome: the result block arrives
// whole in its content_block_start.
func (s *sseRenderer) ServerToolResult(sr *canon.ServerToolResult) error {
	return s.wholeBlock(webSearchResultBlock(sr), "")
}

// Citation attaches a citation to the open text block (opening one if
// none is open, as a citation always belongs to text).
func (s *sseRenderer) Citation(c *canon.Citation) error {
	if err := s.openBlock(blockText); err != nil {
		return err
	}
	s.citations++
	return s.delta(s.index, citationsDelta{Type: "citations_delta", Citation: citationOf(*c, s.citations)})
}
