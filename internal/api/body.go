package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"kirodesk/internal/canon"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/server"
	"kirodesk/internal/translate/anthropic"
)

// Body limits (Options can change them, for tests).
const (
	// DefaultBodyTimeout bounds the time to receive a whole request body:
	// a body that trickles or never ends would otherwise hold its
	// connection and its buffer for ever. Loopback takes milliseconds; a
	// full body (server.DefaultMaxBody) at 2 Mbit/s still fits.
	DefaultBodyTimeout = 60 * time.Second
	// DefaultBigBody is the size from which a body waits for a turn at the
	// big-body gate before it is read and parsed. Parsing costs a few times
	// the body; Kiro takes at most ~600 kB, so bodies above this are rare.
	DefaultBigBody = 1 << 20
	// DefaultBigBodies is how many big bodies are read and parsed at once:
	// one per core of a small machine, so a burst of them costs memory in
	// proportion to this, not to the number of clients.
	DefaultBigBodies = 2
)

// gate is a counting semaphore.
type gate chan struct{}

func (g gate) enter(ctx context.Context) bool {
	select {
	case g <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (g gate) leave() { <-g }

// parseBody reads the request body (readBody) and parses it with the
// route's front end; a refusal is answered 400 in the route's error shape
// (server.WriteError picks it from the path). The body's turn at the big-body
// gate ends once it is parsed.
//
// The body is this request's alone and parse is its only reader, so each
// route's front end parses it in place (its InPlace option): long strings
// are unquoted into the body instead of into copies, and a request costs
// its size once rather than twice (jsontree's owned.go).
func parseBody[O any](h *Handlers, w http.ResponseWriter, r *http.Request, parse func([]byte) (*canon.Request, O, error)) (*canon.Request, O, bool) {
	var none O
	body, release, ok := h.readBody(w, r)
	if !ok {
		return nil, none, false
	}
	req, opts, err := parse(body)
	release() // the body is parsed: the next big one may go
	if err != nil {
		server.WriteError(w, r, http.StatusBadRequest, server.KindInvalidRequest, err.Error())
		return nil, none, false
	}
	return req, opts, true
}

// anthropicInPlace adapts an Anthropic front end to parseBody: the body
// is parsed in place, and there are no options to return.
func anthropicInPlace(parse func([]byte, anthropic.ParseOptions) (*canon.Request, error)) func([]byte) (*canon.Request, struct{}, error) {
	return func(b []byte) (*canon.Request, struct{}, error) {
		req, err := parse(b, anthropic.ParseOptions{InPlace: true})
		return req, struct{}{}, err
	}
}

// readBody reads the request body within the body timeout, answering 408,
// 413, 503 or 400 itself on failure. A body above the big-body size takes
// a turn at the gate first; the caller calls release once it has parsed
// the body (release may be called more than once).
func (h *Handlers) readBody(w http.ResponseWriter, r *http.Request) (body []byte, release func(), ok bool) {
	rc := http.NewResponseController(w)
	// Not every writer has a connection (tests' recorders): no deadline then.
	_ = rc.SetReadDeadline(time.Now().Add(h.opts.BodyTimeout))
	// The deadline must not outlive the body: the server goes on reading
	// the connection to notice a client leaving, and a deadline hit there
	// would cancel the request while it streams.
	defer func() { _ = rc.SetReadDeadline(time.Time{}) }()

	release = func() {}
	enter := func() bool {
		ctx, cancel := context.WithTimeout(r.Context(), h.opts.BodyTimeout)
		defer cancel()
		if !h.big.enter(ctx) {
			return false
		}
		// The wait is not the client's: the body gets its whole time.
		_ = rc.SetReadDeadline(time.Now().Add(h.opts.BodyTimeout))
		var once sync.Once
		release = func() { once.Do(h.big.leave) }
		return true
	}
	big := h.opts.BigBody
	var err error
	switch cl := r.ContentLength; {
	case cl >= 0 && cl <= server.DefaultMaxBody:
		if cl > big && !enter() {
			h.writeBusy(w, r)
			return nil, nil, false
		}
		// The declared length is exact (net/http holds the client to it),
		// so one buffer of that size holds the body, without the copies a
		// growing buffer makes.
		body = make([]byte, cl)
		_, err = io.ReadFull(r.Body, body)
	default:
		// Unknown length (chunked): the first part without the gate, the
		// rest, if there is more, after a turn at it.
		body, err = io.ReadAll(io.LimitReader(r.Body, big+1))
		if err == nil && int64(len(body)) > big {
			if !enter() {
				h.writeBusy(w, r)
				return nil, nil, false
			}
			var rest []byte
			rest, err = io.ReadAll(r.Body)
			body = append(body, rest...)
		}
	}
	if err != nil {
		release()
		writeBodyError(w, r, err, h.opts.BodyTimeout)
		return nil, nil, false
	}
	return body, release, true
}

// writeBodyError answers a body that could not be read.
func writeBodyError(w http.ResponseWriter, r *http.Request, err error, timeout time.Duration) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		w.Header().Set("Connection", "close")
		server.WriteError(w, r, http.StatusRequestEntityTooLarge, server.KindTooLarge, server.BodyTooLarge(tooBig.Limit))
	case errors.Is(err, os.ErrDeadlineExceeded):
		w.Header().Set("Connection", "close")
		server.WriteError(w, r, http.StatusRequestTimeout, server.KindInvalidRequest,
			"the request body did not arrive in full within "+timeout.String()+
				": it was sent too slowly or never ended (a chunked body needs its last, empty chunk)")
	default:
		server.WriteError(w, r, http.StatusBadRequest, server.KindInvalidRequest, "could not read the request body: "+err.Error())
	}
}

// writeBusy answers a big body that found no turn at the gate in time.
func (h *Handlers) writeBusy(w http.ResponseWriter, r *http.Request) {
	if r.Context().Err() != nil {
		return // the client left
	}
	w.Header().Set("Retry-After", "5")
	server.WriteError(w, r, http.StatusServiceUnavailable, server.KindOverloaded,
		"Kirodesk is busy reading "+strconv.Itoa(cap(h.big))+" other large requests; try again in a moment")
}

// sendable refuses, before the Kiro request is built, a request whose
// parts Kiro needs are already more than it takes: building costs a few
// times the request in memory, only to be refused by the same rule.
func (h *Handlers) sendable(w http.ResponseWriter, r *http.Request, req *canon.Request) bool {
	if err := payload.CheckSize(req, 0); err != nil {
		h.writeRelayError(w, r, err)
		return false
	}
	return true
}
