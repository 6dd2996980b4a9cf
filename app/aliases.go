package app

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"kirodesk/internal/store"
)

// ModelAlias is one row of the Settings view's alias table: a client's
// model name and the Kiro model that serves it.
type ModelAlias struct {
	Name   string `json:"name"`
	Target string `json:"target"`
}

// AliasProblem is one thing wrong with the alias table, for the window to
// show next to its cell in the person's language: Code says what (see
// store's Alias* codes, plus "duplicate"), Model the Kiro model a name
// already is (shadows) or the row it repeats (duplicate), Message the
// English sentence config.json's check gives.
type AliasProblem struct {
	Row     int    `json:"row"`   // index in the table; -1: the unknown-name alias
	Field   string `json:"field"` // "name" or "target"
	Code    string `json:"code"`
	Model   string `json:"model,omitempty"`
	Message string `json:"message"`
}

// aliasRows turns config.json's map into the table, by name.
func aliasRows(m map[string]string) []ModelAlias {
	out := make([]ModelAlias, 0, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		out = append(out, ModelAlias{Name: name, Target: m[name]})
	}
	return out
}

// CheckModelAliases says what is wrong with a table the window is editing,
// before it is saved: the rules of config.json (store.CheckAliasName and
// CheckAliasTarget) plus the one a map cannot show, two rows with the same
// name (apart from case). Empty: it would save.
func (a *App) CheckModelAliases(rows []ModelAlias, unknown string) []AliasProblem {
	return checkAliasRows(rows, unknown)
}

func checkAliasRows(rows []ModelAlias, unknown string) []AliasProblem {
	out := []AliasProblem{}
	seen := map[string]int{}
	for i, r := range rows {
		if err := store.CheckAliasName(r.Name); err != nil {
			out = append(out, problem(i, "name", err))
		} else if j, dup := seen[strings.ToLower(r.Name)]; dup {
			out = append(out, AliasProblem{Row: i, Field: "name", Code: "duplicate", Model: rows[j].Name,
				Message: fmt.Sprintf("%q is already in the table (row %d); each name once", r.Name, j+1)})
		} else {
			seen[strings.ToLower(r.Name)] = i
		}
		if err := store.CheckAliasTarget(r.Target); err != nil {
			out = append(out, problem(i, "target", err))
		}
	}
	if len(rows) > store.MaxAliases {
		out = append(out, AliasProblem{Row: store.MaxAliases, Field: "name", Code: store.AliasTooMany,
			Message: fmt.Sprintf("at most %d aliases", store.MaxAliases)})
	}
	if unknown != "" {
		if err := store.CheckAliasTarget(unknown); err != nil {
			out = append(out, problem(-1, "target", err))
		}
	}
	return out
}

func problem(row int, field string, err error) AliasProblem {
	p := AliasProblem{Row: row, Field: field, Code: "invalid", Message: err.Error()}
	var ae *store.AliasError
	if errors.As(err, &ae) {
		p.Code, p.Model = ae.Code, ae.Model
	}
	return p
}

// aliasMap turns the table into config.json's map, or refuses it with the
// first problem (a repeated name would otherwise vanish in the map).
func aliasMap(rows []ModelAlias) (map[string]string, error) {
	if ps := checkAliasRows(rows, ""); len(ps) > 0 {
		p := ps[0]
		if p.Row >= 0 && p.Row < len(rows) {
			return nil, fmt.Errorf("modelAliases row %d (%q): %s", p.Row+1, rows[p.Row].Name, p.Message)
		}
		return nil, fmt.Errorf("modelAliases: %s", p.Message)
	}
	m := make(map[string]string, len(rows))
	for _, r := range rows {
		m[r.Name] = r.Target
	}
	return m, nil
}
