// Package server is Kirodesk's HTTP front door: routing, the local API key,
// the Host and Origin checks that keep web pages out, body limits and error
// shapes. It holds no state beyond the current API key; the API handlers it
// routes to are registered by the caller.
package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kirodesk/internal/apikey"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/reqlog"
	"kirodesk/internal/secrets"
	"kirodesk/internal/usage"
)

// DefaultMaxBody bounds a request body by what Kiro can be sent, so that a
// body bound to be refused is refused before it is read and parsed (which
// costs several times its size in memory).
//
// Kiro takes at most payload.DefaultMaxPayloadBytes (about 600 kB) per
// request. The Kiro request carries the conversation's text, tool calls,
// tool results and images (base64 on both sides) nearly byte for byte, and
// adds a little per turn; a client's body shrinks on the way only by what
// the translation drops or shortens: thinking blocks and signatures of
// earlier turns, reasoning items, unknown fields, sampling parameters,
// schema keywords, tool descriptions beyond 10,000 characters, JSON
// whitespace, and escapes Kirodesk does not use (\uXXXX for every
// non-ASCII character, which ensure_ascii clients send: 2x for CJK text,
// 3x for emoji). Sixteen times the upstream limit leaves room for all of
// these together (3x escapes with 1.5x indentation and the rest dropped
// thinking): a larger body would need more than 15/16 of itself dropped to
// fit, which no client's conversation does. Bodies under the cap that
// still cannot be sent are refused after parsing, before the Kiro request
// is built (internal/api).
const DefaultMaxBody = 16 * payload.DefaultMaxPayloadBytes

// BodyTooLarge is the message of a 413: it gives both limits, so the
// person knows the cure is a shorter conversation, not another setting.
func BodyTooLarge(limit int64) string {
	return fmt.Sprintf("the request body is larger than %d bytes, the most Kirodesk reads: Kiro itself takes at most %d bytes per request, so compact or shorten the conversation, or drop large tool results and images",
		limit, payload.DefaultMaxPayloadBytes)
}

// Options configure a Server.
type Options struct {
	Logger  *slog.Logger
	APIKey  secrets.Secret
	MaxBody int64 // bytes; DefaultMaxBody if zero
	// Requests, when set, receives every finished request but /health
	// (method, path, model, account, status, latency, tokens, sizes, the
	// User-Agent; no other header and no body).
	Requests *reqlog.Log
	// Usage, when set, counts every finished API request into the usage
	// history (account, model, client, API, status, tokens, latency).
	Usage *usage.Ledger
}

// Server routes requests. Safe for concurrent use.
type Server struct {
	log     *slog.Logger
	key     atomic.Pointer[secrets.Secret]
	maxBody int64
	api     *http.ServeMux // routes that need the key
	reqs    *reqlog.Log
	usage   *usage.Ledger

	routesMu sync.Mutex
	routes   []string // the patterns given to Handle, in order
}

// New returns a Server that answers /health and, once routes are added with
// Handle, the API.
func New(opts Options) *Server {
	s := &Server{log: opts.Logger, maxBody: opts.MaxBody, api: http.NewServeMux(), reqs: opts.Requests,
		usage: opts.Usage}
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
	sw := &statusWriter{ResponseWriter: w, start: start}
	var note *reqlog.Note
	var body *countingBody
	if (s.reqs != nil || s.usage != nil) && r.URL.Path != "/health" {
		var ctx context.Context
		ctx, note = reqlog.WithNote(r.Context())
		note.SetClient(r.UserAgent())
		r = r.WithContext(ctx)
		if r.Body != nil && r.Body != http.NoBody {
			body = &countingBody{ReadCloser: r.Body}
			r.Body = body
		}
	}
	s.serve(sw, r)
	if note != nil {
		var in int64
		if body != nil {
			in = body.n
		}
		note.SetTransfer(in, sw.written, sw.status != 0, sw.firstByte)
	}
	if note != nil && s.reqs != nil {
		s.reqs.Add(note.Entry(start, r.Method, r.URL.Path, sw.status))
	}
	if api := usage.API(r.URL.Path); note != nil && s.usage != nil && api != "" {
		s.usage.Add(usageRecord(note.Usage(), r, api, sw, start))
	}
	s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "dur", time.Since(start))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// DNS rebinding: a page on evil.example whose name resolves to 127.0.0.1
	// reaches us with Host: evil.example. An IP literal or localhost cannot
	// be rebound, so only those are accepted.
	if !allowedHost(r.Host) {
		WriteError(w, r, http.StatusForbidden, KindPermission, HostRefused(r.Host))
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
	// A declared length over the limit is refused before a byte is read;
	// a body without one (chunked) is cut off when it passes the limit.
	if r.ContentLength > s.maxBody {
		w.Header().Set("Connection", "close")
		WriteError(w, r, http.StatusRequestEntityTooLarge, KindTooLarge, BodyTooLarge(s.maxBody))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
	s.api.ServeHTTP(w, r)
}

// HostRefused is the message for a Host header that is neither an IP
// address nor localhost.
func HostRefused(host string) string {
	return "Host " + quote(host) + " is refused: Kirodesk answers only requests whose Host is an IP address (such as 127.0.0.1) or localhost, " +
		"so that a web page cannot reach it through a DNS name that points here (DNS rebinding); use one of those in the URL"
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
	host := bareHost(hostport)
	return strings.EqualFold(host, "localhost") || net.ParseIP(host) != nil
}

func loopbackOrigin(origin string) bool {
	rest, ok := strings.CutPrefix(origin, "http://")
	if !ok {
		rest, ok = strings.CutPrefix(origin, "https://")
	}
	if !ok {
		return false
	}
	host := bareHost(rest)
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// bareHost is a Host header's or an origin's host without its port or the
// brackets of an IPv6 address.
func bareHost(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	return strings.Trim(host, "[]")
}

func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}

// statusWriter notes, for the request log, the status, when it was sent
// (the first byte) and how much was written.
type statusWriter struct {
	http.ResponseWriter
	start     time.Time
	status    int
	firstByte time.Duration
	written   int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.firstByte = time.Since(w.start)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
		w.firstByte = time.Since(w.start)
	}
	n, err := w.ResponseWriter.Write(b)
	w.written += int64(n)
	return n, err
}

// countingBody counts the request body's bytes as the handler reads them.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}

// Flush lets streaming handlers flush through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// usageRecord is one finished request for the usage history.
func usageRecord(u reqlog.Usage, r *http.Request, api string, sw *statusWriter, start time.Time) usage.Record {
	rec := usage.Record{Start: start, Account: u.Account, Model: u.Model, Requested: u.RequestedModel, UserAgent: r.UserAgent(), API: api,
		Status: sw.status, Input: u.Input, Output: u.Output, CacheRead: u.CacheRead, CacheWrite: u.CacheWrite,
		Estimated: u.Estimated, Credits: u.Credits, Latency: time.Since(start)}
	if sw.status != 0 {
		rec.FirstByte = sw.firstByte
	}
	return rec
}
