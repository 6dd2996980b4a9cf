package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/secrets"
)

const key = "kd-test-key"

func newTestServer() *Server {
	s := New(Options{APIKey: secrets.New(key), MaxBody: 1024})
	s.Handle("POST /v1/messages", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			WriteError(w, r, http.StatusRequestEntityTooLarge, KindTooLarge, "body too large")
			return
		}
		_, _ = w.Write(b)
	}))
	return s
}

func do(s http.Handler, method, target string, hdr map[string]string, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Host = "127.0.0.1:8990"
	for k, v := range hdr {
		if k == "Host" {
			r.Host = v
			continue
		}
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func TestHealthNeedsNoKey(t *testing.T) {
	w := do(newTestServer(), "GET", "/health", nil, "")
	assert.Equal(t, 200, w.Code)
	assert.JSONEq(t, `{"status":"ok"}`, w.Body.String())
	assert.Empty(t, w.Header().Get("Access-Control-Allow-Origin"))
}

func TestEverythingElseNeedsTheKey(t *testing.T) {
	s := newTestServer()
	cases := []struct {
		name   string
		hdr    map[string]string
		status int
	}{
		{"no key", nil, 401},
		{"wrong x-api-key", map[string]string{"x-api-key": "kd-wrong"}, 401},
		{"wrong bearer", map[string]string{"Authorization": "Bearer kd-wrong"}, 401},
		{"prefix of the key", map[string]string{"x-api-key": key[:5]}, 401},
		{"basic auth", map[string]string{"Authorization": "Basic " + key}, 401},
		{"x-api-key", map[string]string{"x-api-key": key}, 200},
		{"bearer", map[string]string{"Authorization": "Bearer " + key}, 200},
		{"bearer lower case", map[string]string{"Authorization": "bearer " + key}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := do(s, "POST", "/v1/messages", tc.hdr, `{}`)
			assert.Equal(t, tc.status, w.Code, w.Body.String())
		})
	}
	w := do(s, "GET", "/v1/anything", nil, "")
	assert.Equal(t, 401, w.Code, "unknown routes do not reveal themselves without the key")
	w = do(s, "GET", "/v1/anything", map[string]string{"x-api-key": key}, "")
	assert.Equal(t, 404, w.Code)
}

func TestErrorShapes(t *testing.T) {
	s := newTestServer()
	w := do(s, "POST", "/v1/messages", nil, "")
	var anth struct {
		Type  string `json:"type"`
		Error struct{ Type, Message string }
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &anth))
	assert.Equal(t, "error", anth.Type)
	assert.Equal(t, "authentication_error", anth.Error.Type)
	assert.Contains(t, anth.Error.Message, "kirodesk apikey")
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))

	w = do(s, "POST", "/v1/chat/completions", nil, "")
	assert.Equal(t, 401, w.Code)
	assert.JSONEq(t, `{"error":{"message":"missing or wrong API key: send it as x-api-key or Authorization: Bearer (kirodesk apikey prints it)","type":"authentication_error","code":null}}`, w.Body.String())
}

func TestForeignHostIsRefused(t *testing.T) {
	s := newTestServer()
	for host, want := range map[string]int{
		"127.0.0.1:8990": 200, "localhost:8990": 200, "LOCALHOST": 200, "[::1]:8990": 200, "10.1.2.3:8990": 200,
		"evil.example:8990": 403, "evil.example": 403, "127.0.0.1.nip.io": 403, "": 403,
	} {
		w := do(s, "GET", "/health", map[string]string{"Host": host}, "")
		assert.Equal(t, want, w.Code, "Host %q", host)
	}
	w := do(s, "GET", "/health", map[string]string{"Host": "evil.example"}, "")
	assert.Contains(t, w.Body.String(), "permission_error")
	var e struct{ Error struct{ Message string } }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
	assert.Equal(t, `Host "evil.example" is refused: Kirodesk answers only requests whose Host is an IP address (such as 127.0.0.1) or localhost, `+
		`so that a web page cannot reach it through a DNS name that points here (DNS rebinding); use one of those in the URL`, e.Error.Message,
		"the message states the rule the check applies (10.1.2.3 passes too)")
}

func TestWebPageOriginIsRefused(t *testing.T) {
	s := newTestServer()
	hdr := map[string]string{"x-api-key": key, "Origin": "https://evil.example"}
	w := do(s, "POST", "/v1/messages", hdr, `{}`)
	assert.Equal(t, 403, w.Code)
	assert.Empty(t, w.Header().Get("Access-Control-Allow-Origin"))
	w = do(s, "OPTIONS", "/v1/messages", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, "")
	assert.Equal(t, 403, w.Code, "no preflight is ever granted")
	assert.Empty(t, w.Header().Get("Access-Control-Allow-Origin"))

	hdr["Origin"] = "http://localhost:5173"
	w = do(s, "POST", "/v1/messages", hdr, `{}`)
	assert.Equal(t, 200, w.Code, "a page on this machine is the person's own")
}

func TestBodyIsLimited(t *testing.T) {
	s := newTestServer()
	w := do(s, "POST", "/v1/messages", map[string]string{"x-api-key": key}, strings.Repeat("x", 2048))
	assert.Equal(t, 413, w.Code)
	w = do(s, "POST", "/v1/messages", map[string]string{"x-api-key": key}, strings.Repeat("x", 1000))
	assert.Equal(t, 200, w.Code)
}

// readCounter records whether a body was read at all.
type readCounter struct{ n int }

func (c *readCounter) Read(p []byte) (int, error) { c.n++; return 0, io.EOF }

// A declared length over the limit is refused before a byte is read, with
// a message that gives the limit and Kiro's.
func TestDeclaredLengthOverTheLimitIsRefusedUnread(t *testing.T) {
	s := newTestServer()
	body := &readCounter{}
	r := httptest.NewRequest("POST", "/v1/messages", body)
	r.Host = "127.0.0.1:8990"
	r.ContentLength = 1025
	r.Header.Set("x-api-key", key)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	assert.Equal(t, 413, w.Code)
	assert.Equal(t, 0, body.n, "the body was not read")
	assert.Equal(t, "close", w.Header().Get("Connection"))
	assert.Contains(t, w.Body.String(), "request_too_large")
	assert.Contains(t, w.Body.String(), "larger than 1024 bytes, the most Kirodesk reads: Kiro itself takes at most 600000 bytes")

	r = httptest.NewRequest("POST", "/v1/messages", &readCounter{})
	r.Host, r.ContentLength = "127.0.0.1:8990", 1025
	w = httptest.NewRecorder()
	s.ServeHTTP(w, r)
	assert.Equal(t, 401, w.Code, "without the key nothing about the body is said")
}

func TestDefaultMaxBodyIsAMultipleOfKirosLimit(t *testing.T) {
	assert.Equal(t, 9_600_000, DefaultMaxBody)
	assert.Equal(t, int64(DefaultMaxBody), New(Options{}).maxBody)
}

func TestRegeneratedKeyReplacesTheOldOne(t *testing.T) {
	s := newTestServer()
	s.SetAPIKey(secrets.New("kd-new"))
	assert.Equal(t, 401, do(s, "POST", "/v1/messages", map[string]string{"x-api-key": key}, `{}`).Code)
	assert.Equal(t, 200, do(s, "POST", "/v1/messages", map[string]string{"x-api-key": "kd-new"}, `{}`).Code)
}

func TestHealthRejectsOtherMethods(t *testing.T) {
	assert.Equal(t, 405, do(newTestServer(), "POST", "/health", nil, "").Code)
}

func TestRoutesListsHandledPatterns(t *testing.T) {
	s := newTestServer()
	s.Handle("GET /v1/models", http.NotFoundHandler())
	assert.Equal(t, []string{"POST /v1/messages", "GET /v1/models"}, s.Routes())
	r := s.Routes()
	r[0] = "changed"
	assert.Equal(t, "POST /v1/messages", s.Routes()[0], "Routes returns a copy")
}
