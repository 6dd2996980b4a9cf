package anthropic

import (
	"encoding/json"
	"strings"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/jsontree"
	"kirodesk/internal/translate/tooldecl"
)

// tools reads the tools array into r.Tools. Custom tools are checked
// strictly (a broken schema is the client's bug); the built-in bash and
// text editor tools get their known schemas; a web search is noted in
// r.ServerTools; every other type is dropped with a warning, never refused,
// as clients send server tools on every request whether or not they are used.
func (d *doc) tools(v *value, r *canon.Request) error {
	const p = fieldPath("tools")
	if !present(v) {
		return nil
	}
	if v.Kind != jsonArray {
		return d.typeErr(p, v, "an array of tools")
	}
	r.Tools = make([]canon.Tool, 0, len(v.Elems))
	seen := make(map[string]bool, len(v.Elems))
	for i, tv := range v.Elems {
		tp := p.idx(i)
		if err := d.object(tv, tp); err != nil {
			return err
		}
		typ, err := d.optString(tv, tp, "type")
		if err != nil {
			return err
		}
		name, err := d.optString(tv, tp, "name")
		if err != nil {
			return err
		}
		if typ != "" && typ != "custom" {
			switch b, ok := tooldecl.AnthropicBuiltin(typ); {
			case ok:
				if !tooldecl.ValidName(name, 128) {
					return d.errf(tp.key("name"), "%q is not a valid tool name; use 1 to 128 letters, digits, '_' or '-'", name)
				}
				if seen[name] {
					return d.errf(tp.key("name"), "duplicate tool name %q; tool names must be unique", name)
				}
				seen[name] = true
				r.Tools = append(r.Tools, canon.Tool{Name: name, Description: b.Description, InputSchema: b.Schema})
			case tooldecl.IsWebSearch(typ):
				st := canon.ServerTool{Type: typ, Name: name, Config: d.raw(tv)}
				if mv := tv.Get("max_uses"); present(mv) {
					if n, ok := mv.Int(); ok && n > 0 && n <= 1<<31-1 {
						st.MaxUses = int(n)
					}
				}
				tooldecl.NoteWebSearch(r, st)
			default:
				tooldecl.Dropped(r, string(tp), typ, tooldecl.AnthropicDropReason(typ))
			}
			continue
		}
		if _, err := d.reqString(tv, tp, "name"); err != nil {
			return err
		}
		if !tooldecl.ValidName(name, 128) {
			return d.errf(tp.key("name"), "%q is not a valid tool name; use 1 to 128 letters, digits, '_' or '-'", name)
		}
		if seen[name] {
			return d.errf(tp.key("name"), "duplicate tool name %q; tool names must be unique", name)
		}
		seen[name] = true
		desc, err := d.optString(tv, tp, "description")
		if err != nil {
			return err
		}
		sp := tp.key("input_schema")
		sv := tv.Get("input_schema")
		if !present(sv) {
			return d.required(sp)
		}
		schema, err := d.rawObject(sv, sp)
		if err != nil {
			return err
		}
		st, err := d.reqString(sv, sp, "type")
		if err != nil {
			return err
		}
		if st != "object" {
			return d.errf(sp.key("type"), `must be "object", got %q`, st)
		}
		r.Tools = append(r.Tools, canon.Tool{Name: name, Description: desc, InputSchema: schema})
	}
	if len(r.Tools) == 0 {
		r.Tools = nil
	}
	return nil
}

// raw returns v's bytes, compacted.
func (d *doc) raw(v *value) json.RawMessage {
	return jsontree.Compact(d.body, v)
}

// serverToolBlock renders the history blocks of server tools (the calls
// and results of web search, web fetch, code execution and the MCP
// connector in an earlier answer) as text; see tooldecl/history.go for
// why. ok is false for any other block type.
func (d *doc) serverToolBlock(v *value, p fieldPath, typ string) (text string, ok bool, err error) {
	switch {
	case typ == "server_tool_use" || typ == "mcp_tool_use":
		name, err := d.reqString(v, p, "name")
		if err != nil {
			return "", true, err
		}
		var input json.RawMessage
		if iv := v.Get("input"); present(iv) {
			input = d.raw(iv)
		}
		if sn, _ := d.optString(v, p, "server_name"); sn != "" {
			name = sn + "/" + name
		}
		return tooldecl.ServerCallText(name, input), true, nil
	case typ == "web_search_tool_result":
		return d.searchResult(v.Get("content")), true, nil
	case strings.HasSuffix(typ, "_tool_result") && typ != "tool_result":
		var content json.RawMessage
		if cv := v.Get("content"); present(cv) {
			content = d.raw(cv)
		}
		return tooldecl.ServerResultText(typ, content), true, nil
	case typ == "search_result":
		// A client-side search tool's result: its title, source and texts.
		title, _ := d.optString(v, p, "title")
		source, _ := d.optString(v, p, "source")
		parts := []string{}
		if cv := v.Get("content"); present(cv) && cv.Kind == jsonArray {
			for _, e := range cv.Elems {
				if e.Kind == jsonObject {
					if t := e.Get("text"); t != nil && t.Kind == jsonString {
						parts = append(parts, t.Str)
					}
				}
			}
		}
		return tooldecl.SearchResultText(title, source, strings.Join(parts, " ")), true, nil
	}
	return "", false, nil
}

// searchResult renders a web_search_tool_result's content: a list of
// web_search_result blocks or one web_search_tool_result_error.
func (d *doc) searchResult(cv *value) string {
	str := func(o *value, k string) string {
		if s := o.Get(k); s != nil && s.Kind == jsonString {
			return s.Str
		}
		return ""
	}
	switch {
	case cv == nil:
		return tooldecl.SearchResultsText(nil)
	case cv.Kind == jsonObject:
		return tooldecl.SearchErrorText(str(cv, "error_code"))
	case cv.Kind != jsonArray:
		return tooldecl.SearchResultsText(nil)
	}
	var rs []tooldecl.SearchResult
	for _, e := range cv.Elems {
		if e.Kind != jsonObject {
			continue
		}
		if str(e, "type") == "web_search_tool_result_error" {
			return tooldecl.SearchErrorText(str(e, "error_code"))
		}
		r := tooldecl.SearchResult{Title: str(e, "title"), URL: str(e, "url"), Age: str(e, "page_age")}
		if ec := str(e, "encrypted_content"); tooldecl.LooksLikeText(ec) {
			r.Snippet = ec
		}
		rs = append(rs, r)
	}
	return tooldecl.SearchResultsText(rs)
}
