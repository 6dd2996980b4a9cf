package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestReadBody: the body comes back whole whether Content-Length is
// right, absent or claims more than the limit, and a body over the
// server's limit is answered 413.
func TestReadBody(t *testing.T) {
	body := strings.Repeat("0123456789", 1000)
	for _, cl := range []int64{int64(len(body)), -1, 1 << 40} {
		r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(body))
		r.ContentLength = cl
		w := httptest.NewRecorder()
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		got, ok := readBody(w, r)
		assert.True(t, ok, "Content-Length %d", cl)
		assert.Equal(t, body, string(got), "Content-Length %d", cl)
	}

	r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(body))
	w := httptest.NewRecorder()
	r.Body = http.MaxBytesReader(w, r.Body, 100)
	_, ok := readBody(w, r)
	assert.False(t, ok)
	assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
	assert.Contains(t, w.Body.String(), "larger than 100 bytes")
}
