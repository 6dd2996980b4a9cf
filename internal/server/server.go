// Package server is Kirodesk's HTTP front door: routing, the local API key,
// the Host and Origin checks that keep web pages out, body limits and error
// shapes. It holds no state beyond the current API key; the API handlers it
// routes to are registered by the caller.
package server

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kirodesk/internal/apikey"
	"kirodesk/internal/reqlog"
	"kirodesk/internal/secrets"
)

// DefaultMaxBody bounds a request body: generous for base64 images in a long
// conversation, small enough that a runaway client cannot exhaust memory.
const DefaultMaxBody = 32 << 20

// Options configure a Server.
type Options struct {
	Logger  *slog.Logger
	APIKey  secrets.Secret
	MaxBody int64 // bytes; DefaultMaxBody if zero
	// Requests, when set, receives every finished request but /health
	// (method, path, model, account, status, latency, tokens; no header or body).
	Requests *reqlog.Log
}

// Server routes requests. Safe for concurrent use.
type Server struct {
	log     *slog.Logger
	key     atomic.Pointer[secrets.Secret]
	maxBody int64
	api     *http.ServeMux // routes that need the key
	reqs    *reqlog.Log

	routesMu sync.Mutex
	routes   []string // the patterns given to Handle, in order
}

// New returns a Server that answers /health and, once routes are added with
// Handle, the API.
func New(opts Options) *Server {
	s := &Server{log: opts.Logger, maxBody: opts.MaxBody, api: http.NewServeMux(), reqs: opts.Requests}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBody
	}
	s.SetAPIKey(opts.APIKey)
	s.api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, http.StatusNotFound, KindNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return s
}

// SetAPIKey replaces the key clients must present (after a regeneration).
func (s *Server) SetAPIKey(k secrets.Secret) { s.key.Store(&k) }

// Handle registers an API route (net/http pattern syntax). Every API route
// requires the key.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.api.Handle(pattern, h)
	s.routesMu.Lock()
	s.routes = append(s.routes, pattern)
	s.routesMu.Unlock()
}

// Routes lists the patterns registered with Handle, in order (all of which
// need the key), so tests can prove that each one refuses a caller without
// it. /health, the one open route, is not among them.
func (s *Server) Routes() []string {
	s.routesMu.Lock()
	defer s.routesMu.Unlock()
	return slices.Clone(s.routes)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	var note *reqlog.Note
	if s.reqs != nil && r.URL.Path != "/health" {
		var ctx context.Context
		ctx, note = reqlog.WithNote(r.Context())
		r = r.WithContext(ctx)
	}
	s.serve(sw, r)
	if note != nil {
		s.reqs.Add(note.Entry(start, r.Method, r.URL.Path, sw.status))
	}
	s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "dur", time.Since(start))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// DNS rebinding: a page on evil.example whose name resolves to 127.0.0.1
	// reaches us with Host: evil.example. An IP literal or localhost cannot
	// be rebound, so only those are accepted.
	if !allowedHost(r.Host) {
		WriteError(w, r, http.StatusForbidden, KindPermission,
			"Host "+quote(r.Host)+" is not this machine's address: Kirodesk only answers requests sent to 127.0.0.1 or localhost")
		return
	}
	// A browser sends Origin on cross-site requests; API clients do not. No
	// CORS headers are ever sent, so a page also cannot read any answer.
	if o := r.Header.Get("Origin"); o != "" && !loopbackOrigin(o) {
		WriteError(w, r, http.StatusForbidden, KindPermission, "requests from web pages ("+quote(o)+") are not allowed")
		return
	}
	if r.URL.Path == "/health" {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			WriteError(w, r, http.StatusMethodNotAllowed, KindInvalidRequest, "use GET /health")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
		return
	}
	if !apikey.Equal(presentedKey(r), *s.key.Load()) {
		WriteError(w, r, http.StatusUnauthorized, KindAuthentication,
			"missing or wrong API key: send it as x-api-key or Authorization: Bearer (kirodesk apikey prints it)")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
	s.api.ServeHTTP(w, r)
}

func presentedKey(r *http.Request) string {
	if k := r.Header.Get("x-api-key"); k != "" {
		return k
	}
	auth := r.Header.Get("Authorization")
	if len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		return strings.TrimSpace(auth[7:])
	}
	return ""
}

func allowedHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	return net.ParseIP(host) != nil
}

func loopbackOrigin(origin string) bool {
	rest, ok := strings.CutPrefix(origin, "http://")
	if !ok {
		rest, ok = strings.CutPrefix(origin, "https://")
	}
	if !ok {
		return false
	}
	host := rest
	if h, _, err := net.SplitHostPort(rest); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streaming handlers flush through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
