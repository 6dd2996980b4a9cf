package fakekiro

import (
	"net/http"
	"strings"
)

// ApproveDevice approves the pending device authorization with userCode,
// as the person does on the verification page. It reports whether such an
// authorization was waiting.
func (s *Server) ApproveDevice(userCode string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.devices {
		if !d.done && strings.EqualFold(d.userCode, strings.TrimSpace(userCode)) {
			d.approved = true
			return true
		}
	}
	return false
}

// approvePage is POST /device with user_code (form or query): the "Allow"
// button of the verification page.
func (s *Server) approvePage(w http.ResponseWriter, r *http.Request) {
	if !s.ApproveDevice(r.FormValue("user_code")) {
		http.Error(w, "no pending authorization with that code", http.StatusNotFound)
		return
	}
	_, _ = w.Write([]byte("Request approved. You can close this page.\n"))
}
