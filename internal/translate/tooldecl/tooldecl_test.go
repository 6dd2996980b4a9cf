package tooldecl

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"kirodesk/internal/canon"
)

func TestOriginsOf(t *testing.T) {
	o := Origins{"ns__f": {Kind: KindFunction, Namespace: "ns", Name: "f"}}
	assert.Equal(t, Origin{Kind: KindFunction, Namespace: "ns", Name: "f"}, o.Of("ns__f"))
	assert.Equal(t, Origin{Kind: KindFunction, Name: "plain"}, o.Of("plain"))
	assert.Equal(t, Origin{Kind: KindFunction, Name: "x"}, Origins(nil).Of("x"))
	assert.Equal(t, "ns__f", FlatName("ns", "f"))
	assert.Equal(t, "f", FlatName("", "f"))
}

func TestIsWebSearch(t *testing.T) {
	for _, typ := range []string{"web_search_20250305", "web_search_20260209", "web_search", "web_search_preview", "web_search_preview_2025_03_11"} {
		assert.True(t, IsWebSearch(typ), typ)
	}
	for _, typ := range []string{"web_fetch_20250910", "function", "custom", "bash_20250124"} {
		assert.False(t, IsWebSearch(typ), typ)
	}
}

func TestAnthropicBuiltinAndDropReasons(t *testing.T) {
	b, ok := AnthropicBuiltin("bash_20241022")
	assert.True(t, ok)
	assert.Contains(t, string(b.Schema), `"restart"`)
	b, ok = AnthropicBuiltin("text_editor_20250429")
	assert.True(t, ok)
	assert.Contains(t, string(b.Schema), `"undo_edit"`)
	_, ok = AnthropicBuiltin("computer_20250124")
	assert.False(t, ok)
	assert.Contains(t, AnthropicDropReason("computer_20251124"), "computer use")
	assert.Equal(t, "unknown tool type", AnthropicDropReason("brand_new_20300101"))
	assert.Contains(t, OpenAIDropReason("code_interpreter"), "code interpreter")
	assert.Equal(t, "unknown tool type", OpenAIDropReason("holodeck"))
	for _, s := range []json.RawMessage{bashTool.Schema, textEditorTool.Schema, LocalShellSchema, CustomSchema()} {
		assert.True(t, json.Valid(s), string(s))
	}
}

func TestCustomDescription(t *testing.T) {
	assert.Equal(t, "d", CustomDescription("d", "text", "", ""))
	assert.Equal(t, "d", CustomDescription("d", "grammar", "lark", " "))
	assert.Equal(t, "d\n\nPass the whole input as the \"input\" string; it must match this regex grammar:\n^a+$",
		CustomDescription("d", "grammar", "regex", "^a+$"))
	assert.True(t, strings.HasPrefix(CustomDescription("", "grammar", "", "g"), "Pass the whole input"))
}

func TestLocalShellRoundTrip(t *testing.T) {
	ms := int64(500)
	in := LocalShellInput(LocalShellAction{Type: "exec", Command: []string{"ls", "-l"}, WorkingDirectory: "/w", TimeoutMs: &ms})
	assert.JSONEq(t, `{"command":["ls","-l"],"workdir":"/w","timeout_ms":500}`, string(in))
	a := LocalShellActionOf(in)
	assert.Equal(t, LocalShellAction{Type: "exec", Command: []string{"ls", "-l"}, WorkingDirectory: "/w", TimeoutMs: &ms, Env: map[string]string{}}, a)
	// A command written as one string runs through sh -c.
	assert.Equal(t, []string{"sh", "-c", "echo hi | wc -c"}, LocalShellActionOf(json.RawMessage(`{"command":"echo hi | wc -c"}`)).Command)
	assert.Equal(t, []string{}, LocalShellActionOf(json.RawMessage(`{}`)).Command)
}

func TestNoteWebSearch(t *testing.T) {
	r := &canon.Request{}
	NoteWebSearch(r, canon.ServerTool{Type: "web_search_20250305", MaxUses: 3})
	assert.Equal(t, []canon.ServerTool{{Type: "web_search_20250305", Name: "web_search", MaxUses: 3}}, r.ServerTools)
	assert.Empty(t, r.Warnings, "the relay runs it: nothing to warn about")
}

func TestHistoryTexts(t *testing.T) {
	assert.Equal(t, `[web search for "go \"generics\""]`, ServerCallText("web_search", json.RawMessage(`{"query":"go \"generics\""}`)))
	assert.Equal(t, `[called server tool web_fetch with {"url":"u"}]`, ServerCallText("web_fetch", json.RawMessage(`{"url":"u"}`)))
	assert.Equal(t, `[called server tool code_execution]`, ServerCallText("code_execution", json.RawMessage(`{}`)))
	assert.Equal(t, "[web search results: none]", SearchResultsText(nil))
	assert.Equal(t, "[web search failed: unavailable]", SearchErrorText("unavailable"))
	long := SearchResultsText([]SearchResult{{Title: "t", URL: "u", Snippet: strings.Repeat("é", 5000)}})
	assert.LessOrEqual(t, len(long), maxResultText+len("…"))
	assert.True(t, strings.HasSuffix(long, "…"))
	assert.True(t, utf8.ValidString(long), "cut on a character boundary")
	assert.Equal(t, "[web_fetch_tool_result]", ServerResultText("web_fetch_tool_result", nil))
	assert.Equal(t, "[search result: Go — https://go.dev — The Go language]", SearchResultText("Go", "https://go.dev", "The Go language"))
	assert.False(t, LooksLikeText("EqgfCioIARgBIiQ3YTk0"))
	assert.True(t, LooksLikeText("Go 1.26 ships"))
}
