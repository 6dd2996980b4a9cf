// Package api holds the HTTP handlers of the client-facing APIs. Handlers
// translate (internal/translate/*), hand the canonical request to the relay,
// and write the answer; they never touch the store or the keychain.
package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/relay"
	"kirodesk/internal/server"
	"kirodesk/internal/tokens"
)

// maxPresize bounds the buffer a Content-Length alone can make readBody
// allocate.
const maxPresize = 8 << 20

// DefaultPing is the silence after which a stream gets a keep-alive ping.
const DefaultPing = 15 * time.Second

// Options configure the handlers.
type Options struct {
	Relay  *relay.Relay
	Tokens *tokens.Counter
	Logger *slog.Logger
	Ping   time.Duration
	// Status returns what GET /v1/kirodesk/status shows (no secrets).
	Status func() any
	// Models lists what /v1/models shows; nil means the built-in catalogue.
	Models func(ctx context.Context) payload.ModelCatalog
}

// Handlers serves the API routes.
type Handlers struct {
	opts Options
	log  *slog.Logger
}

// New returns the handlers.
func New(opts Options) *Handlers {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Ping <= 0 {
		opts.Ping = DefaultPing
	}
	if opts.Tokens == nil {
		opts.Tokens = &tokens.Counter{}
	}
	if opts.Models == nil {
		opts.Models = func(context.Context) payload.ModelCatalog { return payload.BuiltinModels() }
	}
	return &Handlers{opts: opts, log: opts.Logger}
}

// Register adds the routes to the server (which checks the key first).
func (h *Handlers) Register(s *server.Server) {
	s.Handle("POST /v1/messages", http.HandlerFunc(h.messages))
	s.Handle("POST /v1/messages/count_tokens", http.HandlerFunc(h.countTokens))
	s.Handle("GET /v1/models", http.HandlerFunc(h.models))
	s.Handle("POST /v1/chat/completions", http.HandlerFunc(h.chatCompletions))
	s.Handle("POST /v1/responses", http.HandlerFunc(h.responses))
	s.Handle("GET /v1/kirodesk/status", http.HandlerFunc(h.status))
}

// readBody reads a limited body, answering 413 or 400 itself on failure.
// The buffer is sized from Content-Length (bounded; the server's
// MaxBytesReader enforces the real limit), so a 500 KB request is read
// into one allocation rather than a dozen doublings and copies.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 {
		buf.Grow(int(min(n, maxPresize)) + bytes.MinRead) // MinRead: room for the read that sees EOF
	}
	_, err := buf.ReadFrom(r.Body)
	b := buf.Bytes()
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		server.WriteError(w, r, http.StatusRequestEntityTooLarge, server.KindTooLarge,
			fmt.Sprintf("the request body is larger than %d bytes", tooBig.Limit))
		return nil, false
	}
	if err != nil {
		server.WriteError(w, r, http.StatusBadRequest, server.KindInvalidRequest, "could not read the request body: "+err.Error())
		return nil, false
	}
	return b, true
}

// writeRelayError answers a failure that happened before any byte was sent.
func (h *Handlers) writeRelayError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client left; nobody to answer
	}
	if a, ok := classifyRelayError(err); ok {
		a.write(w, r)
		return
	}
	h.log.Warn("request failed", "err", err)
	server.WriteError(w, r, http.StatusBadGateway, server.KindAPI, err.Error())
}

func newID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
