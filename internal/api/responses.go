package api

import (
	"io"
	"net/http"
	"time"

	"kirodesk/internal/relay"
	"kirodesk/internal/server"
	"kirodesk/internal/translate/openai"
)

// responses is POST /v1/responses (OpenAI's Responses API, as Codex uses
// it) on the same relay.
func (h *Handlers) responses(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	req, _, err := openai.ParseResponsesRequest(body, openai.ParseOptions{})
	if err != nil {
		server.WriteError(w, r, http.StatusBadRequest, server.KindInvalidRequest, err.Error())
		return
	}
	id, created := newID("resp_"), time.Now().Unix()
	if req.Stream {
		sink := &streamSink{w: w, ping: h.opts.Ping,
			newWriter: func(w io.Writer, flush func(), info relay.Started) eventWriter {
				return openai.NewResponsesWriter(w, flush, openai.ResponsesStart{ID: id, Model: req.Model, Created: created,
					InputTokens: info.InputEstimate})
			}}
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
	agg.resp.ID, agg.resp.Model = id, req.Model
	out, err := openai.MarshalResponsesResponse(&agg.resp, created, agg.info.InputEstimate)
	if err != nil {
		server.WriteError(w, r, http.StatusInternalServerError, server.KindAPI, "encode the answer: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}
