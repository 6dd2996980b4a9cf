package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"kirodesk/internal/server"
	"kirodesk/internal/usage"
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

// usage is GET /v1/kirodesk/usage: the usage history, grouped as asked
// (since, until, by: the words of `kirodesk usage`), with the quota
// forecasts. Counts and names only.
func (h *Handlers) usage(w http.ResponseWriter, r *http.Request) {
	if h.opts.Usage == nil {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	rep, err := h.opts.Usage(r.Context(), q.Get("since"), q.Get("until"), q.Get("by"))
	var bad *usage.QueryError
	switch {
	case errors.As(err, &bad):
		server.WriteError(w, r, http.StatusBadRequest, server.KindInvalidRequest, bad.Error())
		return
	case err != nil:
		// Reading the usage file failed: the client gets a request id,
		// the log the details (a path, the disk's words).
		h.writeInternalError(w, r, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rep)
}
