package transtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

// SDKServer is the server an official SDK's client is pointed at: it takes
// POST path, and handle parses the body (checking what it must) and
// answers. A non-nil refusal from handle, which then has not answered, is
// sent as a 400 JSON error, as the proxy would.
func SDKServer(t *testing.T, path string, handle func(w http.ResponseWriter, body []byte) (refusal []byte)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if !assert.NoError(t, err) || !assert.Equal(t, path, r.URL.Path) {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		if refusal := handle(w, body); refusal != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(refusal)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}
