package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"kirodesk/internal/canon"
	"kirodesk/internal/relay"
	"kirodesk/internal/reqlog"
	"kirodesk/internal/translate/anthropic"
)

func (h *Handlers) messages(w http.ResponseWriter, r *http.Request) {
	req, _, ok := parseBody(h, w, r, anthropicInPlace(anthropic.ParseRequest))
	if !ok {
		return
	}
	id, asked := newID("msg_"), h.alias(r.Context(), req)
	h.answer(w, r, req, asked,
		func(w io.Writer, flush func(), info relay.Started) eventWriter {
			return anthropic.NewSSEWriter(w, flush, anthropic.MessageStart{ID: id, Model: asked, InputTokens: info.InputEstimate})
		},
		func(resp *canon.Response, _ relay.Started) ([]byte, error) {
			resp.ID = id
			return anthropic.MarshalResponse(resp)
		})
}

// answer runs req through the relay and writes the result in the client
// API's format: streamed through newWriter, or aggregated and encoded by
// marshal. Failures before any byte went out get a status; after that the
// writer ends the stream with its own error event. asked is the model the
// client asked for (alias.go), which the answer names.
func (h *Handlers) answer(w http.ResponseWriter, r *http.Request, req *canon.Request, asked string,
	newWriter func(w io.Writer, flush func(), info relay.Started) eventWriter,
	marshal func(resp *canon.Response, info relay.Started) ([]byte, error)) {
	h.warn(r, req.Warnings)
	if !h.sendable(w, r, req) {
		return
	}
	ctx := pinned(r)
	if req.Stream {
		sink := &streamSink{w: w, ping: h.opts.Ping, newWriter: newWriter}
		err := h.opts.Relay.Do(ctx, req, sink)
		sink.stop()
		if err != nil && !sink.started() {
			h.writeRelayError(w, r, aliasError(err, asked, req.Model))
		}
		return
	}
	agg := &aggregate{}
	if err := h.opts.Relay.Do(ctx, req, agg); err != nil {
		h.writeRelayError(w, r, aliasError(err, asked, req.Model))
		return
	}
	if agg.err != nil {
		h.writeRelayError(w, r, agg.err) // classified like a failure before the answer
		return
	}
	agg.resp.Model = asked
	out, err := marshal(&agg.resp, agg.info)
	if err != nil {
		h.writeInternalError(w, r, http.StatusInternalServerError, fmt.Errorf("encode the answer: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

// aggregate collects a whole answer for a non-streaming request.
type aggregate struct {
	resp canon.Response
	info relay.Started
	err  error
}

func (a *aggregate) Start(info relay.Started) error { a.info = info; return nil }

// Flush has nothing to send: the answer goes out whole at the end.
func (a *aggregate) Flush() error { return nil }

// Rewind forgets a broken-off answer: nothing was sent, so the relay may
// ask another account.
func (a *aggregate) Rewind() bool {
	*a = aggregate{}
	return true
}

func (a *aggregate) Event(ev canon.Event) error {
	if err := a.resp.Append(ev); err != nil && a.err == nil {
		a.err = err
	}
	return nil
}

// eventWriter is a client API's stream writer (Anthropic SSE, OpenAI chunks).
type eventWriter interface {
	Start() error
	Write(ev canon.Event) error
	Ping() error
}

// streamSink writes a client API's event stream once an upstream answered,
// with a ping after each quiet interval so proxies and clients keep the
// line open. newWriter makes the API's writer when the 200 goes out.
type streamSink struct {
	w         http.ResponseWriter
	ping      time.Duration
	newWriter func(w io.Writer, flush func(), info relay.Started) eventWriter

	mu   sync.Mutex
	rc   *http.ResponseController
	ew   eventWriter
	last time.Time
	done chan struct{}
}

func (s *streamSink) started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ew != nil
}

func (s *streamSink) Start(info relay.Started) error {
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	s.w.WriteHeader(http.StatusOK)
	s.rc = http.NewResponseController(s.w)
	s.mu.Lock()
	defer s.mu.Unlock()
	// The writer does not flush: the relay says when (Flush), so events
	// that arrived in one read leave in one write.
	s.ew = s.newWriter(s.w, nil, info)
	s.last = time.Now()
	s.done = make(chan struct{})
	go s.pinger(s.done)
	if err := s.ew.Start(); err != nil {
		return err
	}
	return s.rc.Flush() // the stream's start goes out as soon as Kiro answered
}

func (s *streamSink) Event(ev canon.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = time.Now()
	return s.ew.Write(ev)
}

func (s *streamSink) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rc.Flush()
}

func (s *streamSink) pinger(done <-chan struct{}) {
	t := time.NewTicker(s.ping / 3)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			s.mu.Lock()
			if now.Sub(s.last) >= s.ping {
				if s.ew.Ping() == nil {
					_ = s.rc.Flush()
				}
				s.last = now
			}
			s.mu.Unlock()
		}
	}
}

func (s *streamSink) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done != nil {
		close(s.done)
		s.done = nil
	}
}

func (h *Handlers) countTokens(w http.ResponseWriter, r *http.Request) {
	req, _, ok := parseBody(h, w, r, anthropicInPlace(anthropic.CountTokensRequest))
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]int{"input_tokens": h.opts.Tokens.Request(req)})
}

// warn records what the translator dropped or changed in the request
// instead of refusing it (a tool type Kiro cannot carry, say): in the log
// and in the request log's entry.
func (h *Handlers) warn(r *http.Request, warnings []string) {
	if len(warnings) == 0 {
		return
	}
	reqlog.AddWarnings(r.Context(), warnings)
	for _, w := range warnings {
		h.log.Warn("request changed", "path", r.URL.Path, "warning", w)
	}
}
