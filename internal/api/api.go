// Package api holds the HTTP handlers of the client-facing APIs. Handlers
// translate (internal/translate/*), apply the model aliases (alias.go),
// hand the canonical request to the relay, and write the answer; they
// read the settings through Options.Settings and never write the store
// nor touch the keychain.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/pool"
	"kirodesk/internal/relay"
	"kirodesk/internal/server"
	"kirodesk/internal/store"
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
	// Usage answers GET /v1/kirodesk/usage?since=…&until=…&by=… (the
	// words of `kirodesk usage`); an error is the caller's mistake.
	Usage func(ctx context.Context, since, until, by string) (any, error)
	// Models lists what /v1/models shows; nil means the built-in catalogue.
	Models func(ctx context.Context) payload.ModelCatalog
	// Settings returns the settings in effect, read per request for the
	// model aliases (alias.go); nil means no aliases.
	Settings func() *store.Config
	// Body limits (body.go); zero means the default.
	BodyTimeout time.Duration
	BigBody     int64
	BigBodies   int
}

// Handlers serves the API routes.
type Handlers struct {
	opts Options
	log  *slog.Logger
	big  gate // turns for reading and parsing big bodies
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
	if opts.BodyTimeout <= 0 {
		opts.BodyTimeout = DefaultBodyTimeout
	}
	if opts.BigBody <= 0 {
		opts.BigBody = DefaultBigBody
	}
	if opts.BigBodies <= 0 {
		opts.BigBodies = DefaultBigBodies
	}
	return &Handlers{opts: opts, log: opts.Logger, big: make(gate, opts.BigBodies)}
}

// Register adds the routes to the server (which checks the key first).
func (h *Handlers) Register(s *server.Server) {
	s.Handle("POST /v1/messages", http.HandlerFunc(h.messages))
	s.Handle("POST /v1/messages/count_tokens", http.HandlerFunc(h.countTokens))
	s.Handle("GET /v1/models", http.HandlerFunc(h.models))
	s.Handle("POST /v1/chat/completions", http.HandlerFunc(h.chatCompletions))
	s.Handle("POST /v1/responses", http.HandlerFunc(h.responses))
	s.Handle("GET /v1/kirodesk/status", http.HandlerFunc(h.status))
	s.Handle("GET /v1/kirodesk/usage", http.HandlerFunc(h.usage))
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
	h.writeInternalError(w, r, http.StatusBadGateway, err)
}

// PinHeader names the one account that must serve a request (its id, as
// `kirodesk accounts list` and the Accounts window show it). The playground
// sends it to try one account; the request is then never served by
// another, and is refused (400) when the account is not set up or is
// turned off. The server reaches the handlers only with the API key, so
// only a client holding the key can pin.
const PinHeader = "X-Kirodesk-Account"

// pinned returns the request's context, pinned to an account when it
// asked for one (an empty header asks for nothing).
func pinned(r *http.Request) context.Context {
	if id := strings.TrimSpace(r.Header.Get(PinHeader)); id != "" {
		return pool.Pin(r.Context(), id)
	}
	return r.Context()
}

func newID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
