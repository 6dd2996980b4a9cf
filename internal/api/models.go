package api

import (
	"encoding/json"
	"net/http"
	"time"
)

// modelsCreated is a fixed timestamp for the listing: Kiro's catalogue has
// no dates, and a stable value keeps clients' caches quiet.
var modelsCreated = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// models answers in Anthropic's shape when the client sent
// anthropic-version (the Anthropic SDKs always do), else in OpenAI's.
func (h *Handlers) models(w http.ResponseWriter, r *http.Request) {
	cat := h.opts.Models(r.Context())
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
	}
	out := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list", Data: []model{}}
	for _, m := range cat {
		out.Data = append(out.Data, model{ID: m.ID, Object: "model", Created: modelsCreated.Unix(), OwnedBy: "anthropic"})
	}
	_ = json.NewEncoder(w).Encode(out)
}
