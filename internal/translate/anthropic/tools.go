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
func (d *doc) tools(v *jsontree.Value, r *canon.Request) error {
	const p = jsontree.Path("tools")
	if !jsontree.Present(v) {
		return nil
	}
	r.Tools = make([]canon.Tool, 0, len(v.Elems))
	seen := make(map[string]bool, len(v.Elems))
	err := d.ObjectArray(v, p, "an array of tools", func(_ int, tv *jsontree.Value, tp jsontree.Path) error {
		f := d.Fields(tv, tp)
		typ, name := f.OptString("type"), f.OptString("name")
		if f.Err != nil {
			return f.Err
		}
		if typ != "" && typ != "custom" {
			switch b, ok := tooldecl.AnthropicBuiltin(typ); {
			case ok:
				if err := d.claimName(tp, name, seen); err != nil {
					return err
				}
				r.Tools = append(r.Tools, canon.Tool{Name: name, Description: b.Description, InputSchema: b.Schema})
			case tooldecl.IsWebSearch(typ):
				st := canon.ServerTool{Type: typ, Name: name, Config: d.raw(tv)}
				if mv := tv.Get("max_uses"); jsontree.Present(mv) {
					if n, ok := mv.Int(); ok && n > 0 && n <= 1<<31-1 {
						st.MaxUses = int(n)
					}
				}
				tooldecl.NoteWebSearch(r, st)
			default:
				tooldecl.Dropped(r, string(tp), typ, tooldecl.AnthropicDropReason(typ))
			}
			return nil
		}
		if _, err := d.ReqString(tv, tp, "name"); err != nil {
			return err
		}
		if err := d.claimName(tp, name, seen); err != nil {
			return err
		}
		desc := f.OptString("description")
		sv, sp := f.ReqValue("input_schema")
		if f.Err != nil {
			return f.Err
		}
		schema, err := d.RawObject(sv, sp)
		if err != nil {
			return err
		}
		st, err := d.ReqString(sv, sp, "type")
		if err != nil {
			return err
		}
		if st != "object" {
			return d.Errf(sp.Key("type"), `must be "object", got %q`, st)
		}
		r.Tools = append(r.Tools, canon.Tool{Name: name, Description: desc, InputSchema: schema})
		return nil
	})
	if len(r.Tools) == 0 {
		r.Tools = nil
	}
	return err
}

// raw returns v's bytes, compacted.
func (d *doc) raw(v *jsontree.Value) json.RawMessage {
	return jsontree.Compact(d.Body, v)
}

// serverToolBlock renders the history blocks of server tools (the calls
// and results of web search, web fetch, code execution and the MCP
// connector in an earlier answer) as text; see tooldecl/history.go for
// why. ok is false for any other block type.
func (d *doc) serverToolBlock(v *jsontree.Value, p jsontree.Path, typ string) (text string, ok bool, err error) {
	switch {
	case typ == "server_tool_use" || typ == "mcp_tool_use":
		name, err := d.ReqString(v, p, "name")
		if err != nil {
			return "", true, err
		}
		var input json.RawMessage
		if iv := v.Get("input"); jsontree.Present(iv) {
			input = d.raw(iv)
		}
		if sn, _ := d.OptString(v, p, "server_name"); sn != "" {
			name = sn + "/" + name
		}
		return tooldecl.ServerCallText(name, input), true, nil
	case typ == "web_search_tool_result":
		return d.searchResult(v.Get("content")), true, nil
	case strings.HasSuffix(typ, "_tool_result") && typ != "tool_result":
		var content json.RawMessage
		if cv := v.Get("content"); jsontree.Present(cv) {
			content = d.raw(cv)
		}
		return tooldecl.ServerResultText(typ, content), true, nil
	case typ == "search_result":
		// A client-side search tool's result: its title, source and texts.
		title, _ := d.OptString(v, p, "title")
		source, _ := d.OptString(v, p, "source")
		parts := []string{}
		if cv := v.Get("content"); jsontree.Present(cv) && cv.Kind == jsontree.Array {
			for _, e := range cv.Elems {
				if e.Kind == jsontree.Object {
					if t := e.Get("text"); t != nil && t.Kind == jsontree.String {
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
func (d *doc) searchResult(cv *jsontree.Value) string {
	str := func(o *jsontree.Value, k string) string {
		if s := o.Get(k); s != nil && s.Kind == jsontree.String {
			return s.Str
		}
		return ""
	}
	switch {
	case cv == nil:
		return tooldecl.SearchResultsText(nil)
	case cv.Kind == jsontree.Object:
		return tooldecl.SearchErrorText(str(cv, "error_code"))
	case cv.Kind != jsontree.Array:
		return tooldecl.SearchResultsText(nil)
	}
	var rs []tooldecl.SearchResult
	for _, e := range cv.Elems {
		if e.Kind != jsontree.Object {
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

// claimName checks a tool's name and records it in seen, refusing a second
// use.
func (d *doc) claimName(p jsontree.Path, name string, seen map[string]bool) error {
	if refusal := tooldecl.ClaimName(name, 128, "tool", seen); refusal != "" {
		return d.Errf(p.Key("name"), "%s", refusal)
	}
	return nil
}
