package api

import (
	"encoding/json"
	"net/http"
)

// status is GET /v1/kirodesk/status: the proxy's and every account's state
// and counters, for scripts and the desktop UI. It never holds a secret:
// StatusFunc builds it from the pool's metadata only.
func (h *Handlers) status(w http.ResponseWriter, r *http.Request) {
	if h.opts.Status == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(h.opts.Status())
}
