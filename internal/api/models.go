package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"time"
)

// modelsCreated is a fixed timestamp for the listing: Kiro's catalogue has
// no dates, and a stable value keeps clients' caches quiet.
var modelsCreated = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// modelAlias is one model alias as /v1/models lists it.
type modelAlias struct{ Name, Target string }

// aliasOwner is what the OpenAI shape's owned_by says of an alias, its only
// free-text field; alias_for names the target beside it.
const aliasOwner = "kirodesk-alias"

// listedAliases are the model aliases, by name, for clients that pick
// their model from the list (the unknown-name alias has no name to list).
func (h *Handlers) listedAliases() []modelAlias {
	if h.opts.Settings == nil {
		return nil
	}
	m := h.opts.Settings().ModelAliases
	out := make([]modelAlias, 0, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		out = append(out, modelAlias{name, m[name]})
	}
	return out
}

// models answers in Anthropic's shape when the client sent
// anthropic-version (the Anthropic SDKs always do), else in OpenAI's. The
// model aliases follow the Kiro models, marked as aliases: the Anthropic
// display name is "gpt-4o → claude-sonnet-4.6"; in OpenAI's shape
// owned_by is "kirodesk-alias" and alias_for names the target.
func (h *Handlers) models(w http.ResponseWriter, r *http.Request) {
	cat := h.opts.Models(r.Context())
	aliases := h.listedAliases()
	// An alias named like a model of the list is not served (alias.go):
	// not listed either.
	aliases = slices.DeleteFunc(aliases, func(a modelAlias) bool { _, ok := cat.Lookup(a.Name); return ok })
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("anthropic-version") != "" {
		type model struct {
			Type        string `json:"type"`
			ID          string `json:"id"`
			DisplayName string `json:"display_name"`
			CreatedAt   string `json:"created_at"`
		}
		out := struct {
			Data    []model `json:"data"`
			HasMore bool    `json:"has_more"`
			FirstID *string `json:"first_id"`
			LastID  *string `json:"last_id"`
		}{Data: []model{}}
		for _, m := range cat {
			name := m.Name
			if name == "" {
				name = m.ID
			}
			out.Data = append(out.Data, model{Type: "model", ID: m.ID, DisplayName: name, CreatedAt: modelsCreated.Format(time.RFC3339)})
		}
		for _, a := range aliases {
			out.Data = append(out.Data, model{Type: "model", ID: a.Name, DisplayName: a.Name + " → " + a.Target,
				CreatedAt: modelsCreated.Format(time.RFC3339)})
		}
		if n := len(out.Data); n > 0 {
			out.FirstID, out.LastID = &out.Data[0].ID, &out.Data[n-1].ID
		}
		_ = json.NewEncoder(w).Encode(out)
		return
	}
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
		// AliasFor is the Kiro model an alias stands for; absent for Kiro's own.
		AliasFor string `json:"alias_for,omitempty"`
	}
	out := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list", Data: []model{}}
	for _, m := range cat {
		out.Data = append(out.Data, model{ID: m.ID, Object: "model", Created: modelsCreated.Unix(), OwnedBy: "anthropic"})
	}
	for _, a := range aliases {
		out.Data = append(out.Data, model{ID: a.Name, Object: "model", Created: modelsCreated.Unix(), OwnedBy: aliasOwner, AliasFor: a.Target})
	}
	_ = json.NewEncoder(w).Encode(out)
}
