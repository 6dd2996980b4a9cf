package api

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"kirodesk/internal/canon"
	"kirodesk/internal/relay"
	"kirodesk/internal/server"
	"kirodesk/internal/translate/anthropic"
)

func (h *Handlers) messages(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := anthropic.ParseRequest(body)
	if err != nil {
		server.WriteError(w, r, http.StatusBadRequest, server.KindInvalidRequest, err.Error())
		return
	}
	if req.Stream {
		sink := &sseSink{w: w, model: req.Model, ping: h.opts.Ping}
		err := h.opts.Relay.Do(r.Context(), req, sink)
		sink.stop()
		if err != nil && !sink.started() {
			h.writeRelayError(w, r, err)
		}
		return
	}
	agg := &aggregate{}
	if err := h.opts.Relay.Do(r.Context(), req, agg); err != nil {
		h.writeRelayError(w, r, err)
		return
	}
	if agg.err != nil {
		server.WriteError(w, r, http.StatusBadGateway, server.KindAPI, agg.err.Error())
		return
	}
	agg.resp.ID = newID("msg_")
	agg.resp.Model = req.Model
	out, err := anthropic.MarshalResponse(&agg.resp)
	if err != nil {
		server.WriteError(w, r, http.StatusInternalServerError, server.KindAPI, "encode the answer: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

// aggregate collects a whole answer for a non-streaming request.
type aggregate struct {
	resp canon.Response
	err  error
}

func (a *aggregate) Start(relay.Started) error { return nil }

func (a *aggregate) Event(ev canon.Event) error {
	if err := a.resp.Append(ev); err != nil && a.err == nil {
		a.err = err
	}
	return nil
}

// sseSink writes Anthropic's event stream once an upstream answered, with a
// ping after each quiet interval so proxies and clients keep the line open.
type sseSink struct {
	w     http.ResponseWriter
	model string
	ping  time.Duration

	mu   sync.Mutex
	sw   *anthropic.SSEWriter
	last time.Time
	done chan struct{}
}

func (s *sseSink) started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sw != nil
}

func (s *sseSink) Start(info relay.Started) error {
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	s.w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(s.w)
	flush := func() { _ = rc.Flush() }
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sw = anthropic.NewSSEWriter(s.w, flush, anthropic.MessageStart{ID: newID("msg_"), Model: s.model, InputTokens: info.InputEstimate})
	s.last = time.Now()
	s.done = make(chan struct{})
	go s.pinger(s.done)
	return s.sw.Start()
}

func (s *sseSink) Event(ev canon.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = time.Now()
	return s.sw.Write(ev)
}

func (s *sseSink) pinger(done <-chan struct{}) {
	t := time.NewTicker(s.ping / 3)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			s.mu.Lock()
			if now.Sub(s.last) >= s.ping {
				_ = s.sw.Ping()
				s.last = now
			}
			s.mu.Unlock()
		}
	}
}

func (s *sseSink) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done != nil {
		close(s.done)
		s.done = nil
	}
}

func (h *Handlers) countTokens(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := anthropic.CountTokensRequest(body)
	if err != nil {
		server.WriteError(w, r, http.StatusBadRequest, server.KindInvalidRequest, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]int{"input_tokens": h.opts.Tokens.Request(req)})
}
