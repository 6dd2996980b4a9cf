package openai

import (
	"encoding/json"
	"strings"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/jsontree"
	"kirodesk/internal/translate/tooldecl"
)

// toolItem reads the input items of tools other than plain functions:
// custom tool calls and their outputs, local shell calls and their
// outputs, and web search calls (as text). Items of hosted tools Kiro has
// no use for (image generation, code interpreter, MCP listings, ...) and
// item types this package does not know are dropped with a warning rather
// than refused: clients send back whatever an earlier answer held.
func (ip *inputParser) toolItem(iv *jsontree.Value, p jsontree.Path, typ string, r *canon.Request) error {
	switch typ {
	case "custom_tool_call":
		id, name, err := ip.callHead(iv, p)
		if err != nil {
			return err
		}
		input, err := ip.ReqString(iv, p, "input")
		if err != nil {
			return err
		}
		ip.add(r, turnAssistant, canon.RoleAssistant, canon.Block{Type: canon.BlockToolUse,
			ToolUse: &canon.ToolUse{ID: id, Name: name, Input: tooldecl.CustomInput(input)}})
	case "custom_tool_call_output", "local_shell_call_output":
		key := "call_id"
		if typ == "local_shell_call_output" && !jsontree.Present(iv.Get("call_id")) {
			key = "id" // the API's own shape names the call by id
		}
		return ip.toolResult(iv, p, key, r)
	case "local_shell_call":
		id, err := ip.OptString(iv, p, "call_id")
		if err != nil {
			return err
		}
		if id == "" {
			if id, err = ip.NonEmptyString(iv, p, "id"); err != nil {
				return err
			}
		}
		av, ap, err := ip.ReqObject(iv, p, "action")
		if err != nil {
			return err
		}
		var a tooldecl.LocalShellAction
		if err := json.Unmarshal(ip.CompactRaw(av), &a); err != nil {
			return ip.Errf(ap, "not a local shell action: %v", err)
		}
		ip.add(r, turnAssistant, canon.RoleAssistant, canon.Block{Type: canon.BlockToolUse,
			ToolUse: &canon.ToolUse{ID: id, Name: tooldecl.LocalShellName, Input: tooldecl.LocalShellInput(a)}})
	case "mcp_call":
		// A remote MCP call an earlier answer made: its call and output
		// as text, which is what the model needs of it.
		str := func(k string) string {
			if v := iv.Get(k); v != nil && v.Kind == jsontree.String {
				return v.Str
			}
			return ""
		}
		name := str("name")
		if label := str("server_label"); label != "" {
			name = label + "/" + name
		}
		text := tooldecl.ServerCallText(name, json.RawMessage(str("arguments")))
		if out := str("output"); out != "" {
			text += "\n" + tooldecl.ServerResultText("mcp_call output", json.RawMessage(out))
		}
		if e := str("error"); e != "" {
			text += "\n" + tooldecl.ServerResultText("mcp_call error", json.RawMessage(e))
		}
		ip.add(r, turnAssistant, canon.RoleAssistant, canon.Block{Type: canon.BlockText, Text: text})
	case "web_search_call":
		ip.add(r, turnAssistant, canon.RoleAssistant, canon.Block{Type: canon.BlockText, Text: ip.webSearchCallText(iv)})
	default:
		r.Warn("%s: %q input item dropped: it carries nothing Kiro can use", p, typ)
	}
	return nil
}

// webSearchCallText renders a web_search_call item by its action.
func (ip *inputParser) webSearchCallText(iv *jsontree.Value) string {
	str := func(o *jsontree.Value, k string) string {
		if o == nil || o.Kind != jsontree.Object {
			return ""
		}
		if s := o.Get(k); s != nil && s.Kind == jsontree.String {
			return s.Str
		}
		return ""
	}
	a := iv.Get("action")
	switch str(a, "type") {
	case "search":
		if q := str(a, "query"); q != "" {
			return tooldecl.SearchCallText(q)
		}
		var qs []string
		if v := a.Get("queries"); v != nil && v.Kind == jsontree.Array {
			for _, e := range v.Elems {
				if e.Kind == jsontree.String {
					qs = append(qs, e.Str)
				}
			}
		}
		return tooldecl.SearchCallText(strings.Join(qs, "; "))
	case "open_page":
		return "[opened web page " + str(a, "url") + "]"
	case "find_in_page", "find":
		return "[searched web page " + str(a, "url") + " for " + str(a, "pattern") + "]"
	}
	return "[web search]"
}

// callHead reads what every call item in the input carries: its call_id,
// and its name flattened with its namespace as the tool was declared to
// Kiro (tooldecl.FlatName).
func (ip *inputParser) callHead(iv *jsontree.Value, p jsontree.Path) (id, name string, err error) {
	f := ip.Fields(iv, p)
	id, name, ns := f.NonEmptyString("call_id"), f.NonEmptyString("name"), f.OptString("namespace")
	if f.Err != nil {
		return "", "", f.Err
	}
	return id, tooldecl.FlatName(ns, name), nil
}
