package tooldecl

import (
	"encoding/json"
	"strings"
)

// Builtin is a client-run tool whose schema the API defines rather than
// the client: Anthropic's bash and text editor tools. Kiro gets it as an
// ordinary tool with that schema, under the name the client declared, so
// the client receives tool_use blocks it knows how to execute.
type Builtin struct {
	Description string
	Schema      json.RawMessage
}

var (
	bashTool = Builtin{
		Description: "Run commands in a bash shell. The shell keeps its state (working directory, environment) between calls. Set restart to true to start a fresh shell.",
		Schema:      json.RawMessage(`{"type":"object","properties":{"command":{"type":"string","description":"The bash command to run."},"restart":{"type":"boolean","description":"Restart the shell instead of running a command."}}}`),
	}
	textEditorTool = Builtin{
		Description: "View, create and edit text files. view shows a file with line numbers (or a directory listing), optionally only view_range [first, last]; create writes file_text to a new file; str_replace replaces the one exact occurrence of old_str with new_str; insert adds new_str after line insert_line; undo_edit reverts the last edit of path.",
		Schema: json.RawMessage(`{"type":"object","properties":{` +
			`"command":{"type":"string","enum":["view","create","str_replace","insert","undo_edit"],"description":"The operation to perform."},` +
			`"path":{"type":"string","description":"Absolute path of the file or directory."},` +
			`"file_text":{"type":"string","description":"For create: the content of the new file."},` +
			`"old_str":{"type":"string","description":"For str_replace: the exact text to replace; it must occur once."},` +
			`"new_str":{"type":"string","description":"For str_replace: the replacement; for insert: the text to insert."},` +
			`"insert_line":{"type":"integer","description":"For insert: the line after which new_str goes (0 for the top)."},` +
			`"view_range":{"type":"array","items":{"type":"integer"},"description":"For view: [first, last] line numbers; last -1 means the end."}` +
			`},"required":["command","path"]}`),
	}
)

// AnthropicBuiltin returns the Builtin for an Anthropic tool type such as
// bash_20250124 or text_editor_20250728 (dated versions come and go; the
// schema has stayed the same).
func AnthropicBuiltin(typ string) (Builtin, bool) {
	switch {
	case strings.HasPrefix(typ, "bash_"):
		return bashTool, true
	case strings.HasPrefix(typ, "text_editor_"):
		return textEditorTool, true
	}
	return Builtin{}, false
}

// Why an Anthropic server or special tool type is dropped, by prefix.
var anthropicDropped = []struct{ prefix, why string }{
	{"computer_", "computer use is not available through Kiro"},
	{"code_execution_", "Anthropic's code execution sandbox is not available through Kiro"},
	{"web_fetch_", "web fetch is not available through Kiro"},
	{"mcp_toolset", "the MCP connector is not available through Kiro"},
	{"tool_search_tool_", "tool search is not available through Kiro"},
	{"memory_", "the memory tool is not supported by Kirodesk yet"},
}

// AnthropicDropReason says why a tool type Kiro cannot carry is left out.
func AnthropicDropReason(typ string) string {
	for _, d := range anthropicDropped {
		if strings.HasPrefix(typ, d.prefix) {
			return d.why
		}
	}
	return "unknown tool type"
}

// Why an OpenAI tool type is dropped.
var openAIDropped = map[string]string{
	"mcp":                  "remote MCP servers are not available through Kiro",
	"file_search":          "file search (vector stores) is not available through Kiro",
	"image_generation":     "image generation is not available through Kiro",
	"code_interpreter":     "the code interpreter is not available through Kiro",
	"computer_use_preview": "computer use is not available through Kiro",
	"computer_use":         "computer use is not available through Kiro",
	"tool_search":          "tool search is not supported by Kirodesk",
}

// OpenAIDropReason says why an OpenAI tool type Kiro cannot carry is left out.
func OpenAIDropReason(typ string) string {
	if why, ok := openAIDropped[typ]; ok {
		return why
	}
	return "unknown tool type"
}
