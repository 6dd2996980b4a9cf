package server

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/reqlog"
	"kirodesk/internal/secrets"
)

func TestTheRequestLogHasSizesFirstByteClientAndError(t *testing.T) {
	log := reqlog.New(10, nil)
	s := New(Options{APIKey: secrets.New(key), MaxBody: 1024, Requests: log})
	s.Handle("POST /v1/messages", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(15 * time.Millisecond)
		var buf [64]byte
		n, _ := r.Body.Read(buf[:])
		_, _ = w.Write(buf[:n])
		_, _ = w.Write([]byte("!!"))
	}))
	w := do(s, "POST", "/v1/messages", map[string]string{"x-api-key": key, "User-Agent": "OpenAI/Python 2.3.0"}, "hello")
	require.Equal(t, 200, w.Code)
	do(s, "POST", "/v1/messages", map[string]string{"User-Agent": "curl/8.5.0"}, "hi") // no key

	got := log.Since(0)
	require.Len(t, got, 2)
	ok, refused := got[0], got[1]
	assert.Equal(t, int64(5), ok.BytesIn)
	assert.Equal(t, int64(7), ok.BytesOut)
	assert.GreaterOrEqual(t, ok.FirstByteMs, int64(15))
	assert.Equal(t, reqlog.ClientOpenAISDK, ok.Client)
	assert.Empty(t, ok.Error)

	assert.Equal(t, 401, refused.Status)
	assert.Equal(t, reqlog.ClientCurl, refused.Client)
	assert.Contains(t, refused.Error, "missing or wrong API key")
	assert.Positive(t, refused.BytesOut)
	assert.Zero(t, refused.BytesIn, "the body of a refused request is not read")
}
