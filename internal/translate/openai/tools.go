package openai

import (
	"encoding/json"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/jsontree"
	"kirodesk/internal/translate/tooldecl"
)

// Tool declarations of both OpenAI APIs. What each type becomes is decided
// in internal/translate/tooldecl; here are the two wire shapes.

// responsesTools reads a Responses tools array into r.Tools: function,
// namespace (flattened), custom and local_shell tools reach Kiro; a web
// search is noted in r.ServerTools; every other type is dropped with a
// warning. Codex declares namespace and web_search tools on every turn.
func (d *doc) responsesTools(v *jsontree.Value, r *canon.Request, origins tooldecl.Origins) error {
	seen := map[string]bool{}
	return d.eachTool(v, jsontree.Path("tools"), func(tv *jsontree.Value, tp jsontree.Path, typ string) error {
		switch {
		case typ == "function":
			t, err := d.functionDef(tv, tp, seen)
			if err != nil {
				return err
			}
			r.Tools = append(r.Tools, t)
		case typ == "custom":
			t, err := d.customDef(tv, tp, seen, "")
			if err != nil {
				return err
			}
			origins[t.Name] = tooldecl.Origin{Kind: tooldecl.KindCustom, Name: t.Name}
			r.Tools = append(r.Tools, t)
		case typ == "namespace":
			if err := d.namespace(tv, tp, r, seen, origins); err != nil {
				return err
			}
		case typ == "local_shell":
			if seen[tooldecl.LocalShellName] {
				return d.Errf(tp.Key("type"), "duplicate local_shell tool")
			}
			seen[tooldecl.LocalShellName] = true
			origins[tooldecl.LocalShellName] = tooldecl.Origin{Kind: tooldecl.KindLocalShell, Name: tooldecl.LocalShellName}
			r.Tools = append(r.Tools, canon.Tool{Name: tooldecl.LocalShellName, Description: tooldecl.LocalShellDescription, InputSchema: tooldecl.LocalShellSchema})
		case tooldecl.IsWebSearch(typ):
			tooldecl.NoteWebSearch(r, canon.ServerTool{Type: typ, Config: d.CompactRaw(tv)})
		default:
			tooldecl.Dropped(r, string(tp), typ, tooldecl.OpenAIDropReason(typ))
		}
		return nil
	})
}

// eachTool walks the tools array v at p (absent: nothing to walk): each
// element must be an object with a string "type". Chat, Responses and a
// Responses namespace's members all have this shape.
func (d *doc) eachTool(v *jsontree.Value, p jsontree.Path, fn func(tv *jsontree.Value, tp jsontree.Path, typ string) error) error {
	if !jsontree.Present(v) {
		return nil
	}
	return d.ObjectArray(v, p, "an array of tools", func(_ int, tv *jsontree.Value, tp jsontree.Path) error {
		typ, err := d.ReqString(tv, tp, "type")
		if err != nil {
			return err
		}
		return fn(tv, tp, typ)
	})
}

// namespace flattens {"type":"namespace","name","description","tools":[...]}
// into one Kiro tool per member, named tooldecl.FlatName(ns, member).
func (d *doc) namespace(v *jsontree.Value, p jsontree.Path, r *canon.Request, seen map[string]bool, origins tooldecl.Origins) error {
	f := d.Fields(v, p)
	ns, nsDesc := f.NonEmptyString("name"), f.OptString("description")
	if f.Err != nil {
		return f.Err
	}
	return d.eachTool(v.Get("tools"), p.Key("tools"), func(tv *jsontree.Value, tp jsontree.Path, typ string) error {
		var t canon.Tool
		var err error
		kind := tooldecl.KindFunction
		switch typ {
		case "function":
			// Member names are checked by the flat name they get.
			name, err := d.NonEmptyString(tv, tp, "name")
			if err != nil {
				return err
			}
			if t, err = d.functionDef(tv, tp, map[string]bool{}); err != nil {
				return err
			}
			t.Name = name
		case "custom":
			if t, err = d.customDef(tv, tp, map[string]bool{}, ns); err != nil {
				return err
			}
			kind = tooldecl.KindCustom
		default:
			tooldecl.Dropped(r, string(tp), typ, tooldecl.OpenAIDropReason(typ))
			return nil
		}
		member := t.Name
		t.Name = tooldecl.FlatName(ns, member)
		if seen[t.Name] {
			tooldecl.Dropped(r, string(tp), typ, "its flattened name "+t.Name+" is taken by another tool")
			return nil
		}
		seen[t.Name] = true
		if t.Description == "" {
			t.Description = nsDesc
		}
		origins[t.Name] = tooldecl.Origin{Kind: kind, Namespace: ns, Name: member}
		r.Tools = append(r.Tools, t)
		return nil
	})
}

// customDef reads a custom (freeform) tool: the Responses shape carries
// name, description and format flat; the Chat shape nests them in "custom".
// In a namespace (ns set) the name is not checked here: the flat name is
// what Kiro sees. Kiro gets a tool with one string parameter.
func (d *doc) customDef(v *jsontree.Value, p jsontree.Path, seen map[string]bool, ns string) (canon.Tool, error) {
	name, err := d.NonEmptyString(v, p, "name")
	if err != nil {
		return canon.Tool{}, err
	}
	if ns == "" {
		if err := d.claimName(p, name, "tool", seen); err != nil {
			return canon.Tool{}, err
		}
	}
	desc, err := d.OptString(v, p, "description")
	if err != nil {
		return canon.Tool{}, err
	}
	var ftype, syntax, def string
	if fv := v.Get("format"); jsontree.Present(fv) {
		fp := p.Key("format")
		if err := d.Object(fv, fp); err != nil {
			return canon.Tool{}, err
		}
		if ftype, err = d.OptString(fv, fp, "type"); err != nil {
			return canon.Tool{}, err
		}
		// Responses: format.{syntax,definition}; Chat: format.grammar.{syntax,definition}.
		gv, gp := fv, fp
		if g := fv.Get("grammar"); jsontree.Present(g) && g.Kind == jsontree.Object {
			gv, gp = g, fp.Key("grammar")
		}
		if syntax, err = d.OptString(gv, gp, "syntax"); err != nil {
			return canon.Tool{}, err
		}
		if def, err = d.OptString(gv, gp, "definition"); err != nil {
			return canon.Tool{}, err
		}
	}
	return canon.Tool{Name: name, Description: tooldecl.CustomDescription(desc, ftype, syntax, def), InputSchema: tooldecl.CustomSchema()}, nil
}

// responsesToolChoice reads "auto", "none", "required" or
// {"type":"function","name":...}; the Responses API puts the name beside the
// type, not in a nested function object. Choices of hosted tools (which
// Kiro has no equivalent for) and allowed_tools lists are taken as "auto",
// with a warning.
func (d *doc) responsesToolChoice(v *jsontree.Value, r *canon.Request) (*canon.ToolChoice, error) {
	const p = jsontree.Path("tool_choice")
	tc, typ, object, err := d.toolChoiceMode(v, r.Tools, `{"type":"function","name":...}`)
	if !object {
		return tc, err
	}
	if typ != "function" && typ != "custom" {
		r.Warn("tool_choice %q taken as \"auto\"", typ)
		return &canon.ToolChoice{Type: "auto"}, nil
	}
	f := d.Fields(v, p)
	name, ns := f.NonEmptyString("name"), f.OptString("namespace")
	if f.Err != nil {
		return nil, f.Err
	}
	return d.chosenTool(p.Key("name"), tooldecl.FlatName(ns, name), r.Tools)
}

// customCall reads a Chat custom tool call,
// {"id","type":"custom","custom":{"name","input"}}, as a tool_use whose
// input wraps the raw string.
func (mp *messageParser) customCall(cv *jsontree.Value, p jsontree.Path, id string) (canon.Block, error) {
	fv, fp, err := mp.ReqObject(cv, p, "custom")
	if err != nil {
		return canon.Block{}, err
	}
	f := mp.Fields(fv, fp)
	name, input := f.NonEmptyString("name"), f.ReqString("input")
	if f.Err != nil {
		return canon.Block{}, f.Err
	}
	return canon.Block{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: id, Name: name, Input: tooldecl.CustomInput(input)}}, nil
}

// emptySchema is the parameters of a function declared without any.
var emptySchema = json.RawMessage(`{"type":"object","properties":{}}`)

// tools reads a Chat tools array into r.Tools: function and custom tools
// reach Kiro; any other type is dropped with a warning.
func (d *doc) tools(v *jsontree.Value, r *canon.Request, origins tooldecl.Origins) error {
	seen := map[string]bool{}
	return d.eachTool(v, jsontree.Path("tools"), func(tv *jsontree.Value, tp jsontree.Path, typ string) error {
		if typ != "function" && typ != "custom" {
			tooldecl.Dropped(r, string(tp), typ, tooldecl.OpenAIDropReason(typ))
			return nil
		}
		fv, fp, err := d.ReqObject(tv, tp, typ)
		if err != nil {
			return err
		}
		var t canon.Tool
		if typ == "custom" {
			t, err = d.customDef(fv, fp, seen, "")
			origins[t.Name] = tooldecl.Origin{Kind: tooldecl.KindCustom, Name: t.Name}
		} else {
			t, err = d.functionDef(fv, fp, seen)
		}
		if err != nil {
			return err
		}
		r.Tools = append(r.Tools, t)
		return nil
	})
}

// functionDef reads a function's name, description, strict flag and
// parameters: the "function" object of a Chat tool, or a Responses tool
// itself (which carries the same fields flat). seen catches duplicates.
func (d *doc) functionDef(v *jsontree.Value, p jsontree.Path, seen map[string]bool) (canon.Tool, error) {
	name, err := d.ReqString(v, p, "name")
	if err != nil {
		return canon.Tool{}, err
	}
	if err := d.claimName(p, name, "function", seen); err != nil {
		return canon.Tool{}, err
	}
	f := d.Fields(v, p)
	desc := f.OptString("description")
	f.OptBool("strict") // checked, not used
	if f.Err != nil {
		return canon.Tool{}, f.Err
	}
	schema := emptySchema
	if sv := v.Get("parameters"); jsontree.Present(sv) {
		sp := p.Key("parameters")
		if err := d.Object(sv, sp); err != nil {
			return canon.Tool{}, err
		}
		// {} is how some clients say "no parameters"; Kiro wants an
		// object schema. A schema without "type" is passed on as is.
		if len(sv.Keys) > 0 {
			if st := sv.Get("type"); st != nil && (st.Kind != jsontree.String || st.Str != "object") {
				return canon.Tool{}, d.Errf(sp.Key("type"), `must be "object"`)
			}
			schema = d.CompactRaw(sv)
		}
	}
	return canon.Tool{Name: name, Description: desc, InputSchema: schema}, nil
}

func (d *doc) toolChoice(v *jsontree.Value, tools []canon.Tool) (*canon.ToolChoice, error) {
	const p = jsontree.Path("tool_choice")
	tc, typ, object, err := d.toolChoiceMode(v, tools, `{"type":"function","function":{"name":...}}`)
	if !object {
		return tc, err
	}
	switch typ {
	case "function", "custom":
	default:
		return nil, d.Errf(p.Key("type"), `%q is not supported; use "function" or "custom"`, typ)
	}
	fv, fp, err := d.ReqObject(v, p, typ)
	if err != nil {
		return nil, err
	}
	name, err := d.NonEmptyString(fv, fp, "name")
	if err != nil {
		return nil, err
	}
	return d.chosenTool(fp.Key("name"), name, tools)
}

// toolChoiceMode reads what both APIs' tool_choice share: a mode given as
// a string ("auto", "none", "required"), or the type of the object form
// (objectForm is how that form looks, for the error), which the caller
// reads on (object true).
func (d *doc) toolChoiceMode(v *jsontree.Value, tools []canon.Tool, objectForm string) (tc *canon.ToolChoice, typ string, object bool, err error) {
	const p = jsontree.Path("tool_choice")
	if !jsontree.Present(v) {
		return nil, "", false, nil
	}
	switch v.Kind {
	case jsontree.String:
		switch v.Str {
		case "auto", "none":
			return &canon.ToolChoice{Type: v.Str}, "", false, nil
		case "required":
			if len(tools) == 0 {
				return nil, "", false, d.Errf(p, `"required" needs at least one tool in tools`)
			}
			return &canon.ToolChoice{Type: "any"}, "", false, nil
		default:
			return nil, "", false, d.Errf(p, `%q is not valid; use "auto", "none", "required" or %s`, v.Str, objectForm)
		}
	case jsontree.Object:
	default:
		return nil, "", false, d.TypeErr(p, v, "a string or an object")
	}
	typ, err = d.ReqString(v, p, "type")
	return nil, typ, err == nil, err
}

// chosenTool is the choice of the declared tool name, named at p.
func (d *doc) chosenTool(p jsontree.Path, name string, tools []canon.Tool) (*canon.ToolChoice, error) {
	for _, t := range tools {
		if t.Name == name {
			return &canon.ToolChoice{Type: "tool", Name: name}, nil
		}
	}
	return nil, d.Errf(p, "%q is not one of the functions in tools", name)
}

// claimName checks a declared name (what: "tool" or "function", as the
// client's API calls it) and records it in seen, refusing a second use.
func (d *doc) claimName(p jsontree.Path, name, what string, seen map[string]bool) error {
	if refusal := tooldecl.ClaimName(name, 64, what, seen); refusal != "" {
		return d.Errf(p.Key("name"), "%s", refusal)
	}
	return nil
}
