// Package tooldecl is the tool normalisation the client API translators
// share: what each kind of tool a client may declare becomes for Kiro, which
// only knows plain functions with a JSON Schema. Anthropic's client-run
// built-in tools (bash, text editor) get their known schemas; OpenAI's
// namespaces are flattened into plain names and custom (freeform) tools get
// one string parameter; tools meant to run on the server (web search) are
// noted in canon.Request.ServerTools; everything else is dropped with a
// warning. No tool list is ever refused for the kinds of tools it declares.
//
// Origins remember how a Kiro-side name maps back to the client's form, so
// that the response writers can answer a call as the item the client
// expects (a namespaced function_call, a custom_tool_call, ...).
//
// Pure functions and data only.
package tooldecl

import (
	"encoding/json"
	"fmt"
	"strings"

	"kirodesk/internal/canon"
)

// Kind is the form a tool call goes back to the client in.
type Kind int

const (
	KindFunction   Kind = iota // a function call (JSON arguments)
	KindCustom                 // a custom/freeform tool call (one raw string input)
	KindLocalShell             // an OpenAI local_shell call
)

// Origin is how the client declared a tool Kiro knows under another name or
// shape.
type Origin struct {
	Kind      Kind
	Namespace string // the OpenAI namespace it belongs to, if any
	Name      string // the client's name for it, inside Namespace
}

// Origins maps the canonical tool name (the one in canon.Tool, before the
// Kiro payload shortens long names) to the client's declaration. A name
// missing here is a plain function known to the client by the same name.
type Origins map[string]Origin

// Of returns the origin of name; a plain function when unknown.
func (o Origins) Of(name string) Origin {
	if og, ok := o[name]; ok {
		return og
	}
	return Origin{Kind: KindFunction, Name: name}
}

// NamespaceSep joins a namespace and a member's name into one tool name.
// Kiro allows letters, digits, '_' and '-' in tool names, so the separator
// must be made of those; the double underscore is what Codex itself uses
// when it flattens namespaces for APIs without them. Names longer than Kiro
// allows are shortened (with a hash) by internal/kiro/payload, which maps
// them back before the translators see them.
const NamespaceSep = "__"

// FlatName is the Kiro-side name of function name in namespace ns.
func FlatName(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + NamespaceSep + name
}

// CustomInputKey is the one parameter a custom tool is declared with.
const CustomInputKey = "input"

// CustomSchema is the input schema of a custom (freeform) tool: one string.
func CustomSchema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{"input":{"type":"string","description":"The tool's whole input, as raw text in the format the tool description gives."}},"required":["input"]}`)
}

// CustomDescription adds the input format of a custom tool to its
// description: the model only sees the schema's single string, so the
// grammar a client gives (Codex's apply_patch sends a Lark grammar) is the
// one place that says what the string must look like.
func CustomDescription(desc, formatType, syntax, definition string) string {
	if formatType != "grammar" || strings.TrimSpace(definition) == "" {
		return desc
	}
	if syntax == "" {
		syntax = "grammar"
	}
	note := "Pass the whole input as the \"input\" string; it must match this " + syntax + " grammar:\n" + definition
	if desc == "" {
		return note
	}
	return desc + "\n\n" + note
}

// CustomInput wraps a custom tool call's raw input as the tool_use input
// Kiro sees.
func CustomInput(input string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{CustomInputKey: input})
	return b
}

// CustomInputOf unwraps a custom tool call's raw input from what the model
// sent: the "input" string, or, when the model put something else there,
// the JSON itself, so the client gets the call rather than nothing.
func CustomInputOf(in json.RawMessage) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(in, &m); err == nil {
		var s string
		if raw, ok := m[CustomInputKey]; ok && json.Unmarshal(raw, &s) == nil {
			return s
		}
		if len(m) == 1 {
			// One member under another name: its value is the input.
			for _, raw := range m {
				if json.Unmarshal(raw, &s) == nil {
					return s
				}
			}
		}
	}
	return string(in)
}

// LocalShellName is the tool name OpenAI's local_shell tool gets for Kiro.
const LocalShellName = "local_shell"

// LocalShellSchema is the input of a local_shell call, after the exec
// action of OpenAI's local_shell_call items.
var LocalShellSchema = json.RawMessage(`{"type":"object","properties":{"command":{"type":"array","items":{"type":"string"},"description":"The command and its arguments, as for execvp."},"workdir":{"type":"string","description":"The working directory to run the command in."},"timeout_ms":{"type":"integer","description":"How long the command may run, in milliseconds."}},"required":["command"]}`)

// LocalShellDescription describes the local_shell tool to the model.
const LocalShellDescription = "Runs a shell command on the user's machine and returns its output."

// LocalShellAction is the exec action of a local_shell_call.
type LocalShellAction struct {
	Type             string            `json:"type"`
	Command          []string          `json:"command"`
	TimeoutMs        *int64            `json:"timeout_ms,omitempty"`
	WorkingDirectory string            `json:"working_directory,omitempty"`
	Env              map[string]string `json:"env"`
	User             string            `json:"user,omitempty"`
}

// LocalShellInput turns an exec action into the tool_use input Kiro sees.
func LocalShellInput(a LocalShellAction) json.RawMessage {
	b, _ := json.Marshal(struct {
		Command   []string `json:"command"`
		Workdir   string   `json:"workdir,omitempty"`
		TimeoutMs *int64   `json:"timeout_ms,omitempty"`
	}{a.Command, a.WorkingDirectory, a.TimeoutMs})
	return b
}

// LocalShellActionOf turns the model's local_shell input back into an exec
// action. A command given as one string becomes ["sh", "-c", it]; the
// model sees an array in the schema but sometimes writes a string.
func LocalShellActionOf(in json.RawMessage) LocalShellAction {
	var v struct {
		Command   json.RawMessage `json:"command"`
		Workdir   string          `json:"workdir"`
		TimeoutMs *int64          `json:"timeout_ms"`
	}
	_ = json.Unmarshal(in, &v)
	a := LocalShellAction{Type: "exec", WorkingDirectory: v.Workdir, TimeoutMs: v.TimeoutMs, Env: map[string]string{}}
	var s string
	if json.Unmarshal(v.Command, &a.Command) != nil && json.Unmarshal(v.Command, &s) == nil {
		a.Command = []string{"sh", "-c", s}
	}
	if a.Command == nil {
		a.Command = []string{}
	}
	return a
}

// IsWebSearch reports whether a declared tool type is a web search the
// server is meant to run: Anthropic's dated web_search_YYYYMMDD, OpenAI's
// web_search and web_search_preview (and their dated variants).
func IsWebSearch(typ string) bool {
	return strings.HasPrefix(typ, "web_search")
}

// NoteWebSearch records a web search declaration on r; the relay's server
// tool runner (internal/websearch) runs it.
func NoteWebSearch(r *canon.Request, st canon.ServerTool) {
	if st.Name == "" {
		st.Name = "web_search"
	}
	r.ServerTools = append(r.ServerTools, st)
}

// Dropped warns that a tool was left out of the request.
func Dropped(r *canon.Request, where, typ, why string) {
	r.Warn("%s: %q tool dropped: %s", where, typ, why)
}

// ClaimName checks a declared name (what: "tool" or "function", as the
// client's API calls it; max: 128 for Anthropic, 64 for OpenAI) and records
// it in seen. A bad name or a second use is refused: the reason, else "".
func ClaimName(name string, max int, what string, seen map[string]bool) (refusal string) {
	if !ValidName(name, max) {
		return fmt.Sprintf("%q is not a valid %s name; use 1 to %d letters, digits, '_' or '-'", name, what, max)
	}
	if seen[name] {
		return fmt.Sprintf("duplicate %s name %q; %s names must be unique", what, name, what)
	}
	seen[name] = true
	return ""
}

// ValidName reports whether s is a tool name both APIs accept: 1 to max
// letters, digits, '_' or '-' (Anthropic allows 128, OpenAI 64).
func ValidName(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
