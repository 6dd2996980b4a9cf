package openai

import (
	"encoding/json"
	"strings"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/tooldecl"
)

// toolItem reads the input items of tools other than plain functions:
// custom tool calls and their outputs, local shell calls and their
// outputs, and web search calls (as text). Items of hosted tools Kiro has
// no use for (image generation, code interpreter, MCP listings, ...) and
// item types this package does not know are dropped with a warning rather
// than refused: clients send back whatever an earlier answer held.
func (ip *inputParser) toolItem(iv *value, p fieldPath, typ string, r *canon.Request) error {
	switch typ {
	case "custom_tool_call":
		id, name, err := ip.callHead(iv, p)
		if err != nil {
			return err
		}
		input, err := ip.reqString(iv, p, "input")
		if err != nil {
			return err
		}
		ip.add(r, turnAssistant, canon.RoleAssistant, canon.Block{Type: canon.BlockToolUse,
			ToolUse: &canon.ToolUse{ID: id, Name: name, Input: tooldecl.CustomInput(input)}})
	case "custom_tool_call_output", "local_shell_call_output":
		key := "call_id"
		if typ == "local_shell_call_output" && !present(iv.Get("call_id")) {
			key = "id" // the API's own shape names the call by id
		}
		id, err := ip.nonEmptyString(iv, p, key)
		if err != nil {
			return err
		}
		content, err := ip.toolOutput(iv, p)
		if err != nil {
			return err
		}
		ip.add(r, turnToolResults, canon.RoleUser, canon.Block{Type: canon.BlockToolResult, ToolResult: &canon.ToolResult{ToolUseID: id, Content: content}})
	case "local_shell_call":
		id, err := ip.optString(iv, p, "call_id")
		if err != nil {
			return err
		}
		if id == "" {
			if id, err = ip.nonEmptyString(iv, p, "id"); err != nil {
				return err
			}
		}
		ap := p.key("action")
		av := iv.Get("action")
		if !present(av) {
			return ip.required(ap)
		}
		if err := ip.object(av, ap); err != nil {
			return err
		}
		var a tooldecl.LocalShellAction
		if err := json.Unmarshal(ip.compactRaw(av), &a); err != nil {
			return ip.errf(ap, "not a local shell action: %v", err)
		}
		ip.add(r, turnAssistant, canon.RoleAssistant, canon.Block{Type: canon.BlockToolUse,
			ToolUse: &canon.ToolUse{ID: id, Name: tooldecl.LocalShellName, Input: tooldecl.LocalShellInput(a)}})
	case "mcp_call":
		// A remote MCP call an earlier answer made: its call and output
		// as text, which is what the model needs of it.
		str := func(k string) string {
			if v := iv.Get(k); v != nil && v.Kind == jsonString {
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
func (ip *inputParser) webSearchCallText(iv *value) string {
	str := func(o *value, k string) string {
		if o == nil || o.Kind != jsonObject {
			return ""
		}
		if s := o.Get(k); s != nil && s.Kind == jsonString {
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
		if v := a.Get("queries"); v != nil && v.Kind == jsonArray {
			for _, e := range v.Elems {
				if e.Kind == jsonString {
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
func (ip *inputParser) callHead(iv *value, p fieldPath) (id, name string, err error) {
	if id, err = ip.nonEmptyString(iv, p, "call_id"); err != nil {
		return "", "", err
	}
	if name, err = ip.nonEmptyString(iv, p, "name"); err != nil {
		return "", "", err
	}
	ns, err := ip.optString(iv, p, "namespace")
	if err != nil {
		return "", "", err
	}
	return id, tooldecl.FlatName(ns, name), nil
}
