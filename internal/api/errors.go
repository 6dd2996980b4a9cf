package api

import (
	"net/http"

	"kirodesk/internal/reqlog"
	"kirodesk/internal/server"
)

// writeInternalError answers a failure no rule classified. Its text may
// hold anything (addresses, paths, a library's wording) and helps no
// client, so the client gets a fixed message with a request id, and the
// log (and the request log) gets the details under the same id.
func (h *Handlers) writeInternalError(w http.ResponseWriter, r *http.Request, status int, err error) {
	id := newID("req_")
	h.log.Error("request failed", "request_id", id, "method", r.Method, "path", r.URL.Path, "err", err)
	reqlog.SetRequestID(r.Context(), id)
	server.WriteError(w, r, status, server.KindAPI, internalErrorMessage(id))
}

func internalErrorMessage(id string) string {
	return "internal error (request id " + id + "); the details are in Kirodesk's log under that id"
}
