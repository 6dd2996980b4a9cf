package api

import (
	"io"
	"net/http"
	"time"

	"kirodesk/internal/relay"
	"kirodesk/internal/server"
	"kirodesk/internal/translate/openai"
)

// chatCompletions is POST /v1/chat/completions on the same relay as the
// Anthropic endpoint; errors take OpenAI's shape (server.WriteError picks
// it from the path).
func (h *Handlers) chatCompletions(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	req, co, err := openai.ParseChatRequest(body, openai.ParseOptions{})
	if err != nil {
		server.WriteError(w, r, http.StatusBadRequest, server.KindInvalidRequest, err.Error())
		return
	}
	id, created := newID("chatcmpl-"), time.Now().Unix()
	if req.Stream {
		sink := &streamSink{w: w, ping: h.opts.Ping,
			newWriter: func(w io.Writer, flush func(), info relay.Started) eventWriter {
				return openai.NewChunkWriter(w, flush, openai.ChunkStart{ID: id, Model: req.Model, Created: created,
					IncludeUsage: co.IncludeUsage, InputTokens: info.InputEstimate})
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
	out, err := openai.MarshalChatResponse(&agg.resp, created, agg.info.InputEstimate)
	if err != nil {
		server.WriteError(w, r, http.StatusInternalServerError, server.KindAPI, "encode the answer: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}
