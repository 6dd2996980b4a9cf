package api

import (
	"io"
	"net/http"
	"time"

	"kirodesk/internal/canon"
	"kirodesk/internal/relay"
	"kirodesk/internal/translate/openai"
)

// chatCompletions is POST /v1/chat/completions on the same relay as the
// Anthropic endpoint; errors take OpenAI's shape (server.WriteError picks
// it from the path).
func (h *Handlers) chatCompletions(w http.ResponseWriter, r *http.Request) {
	req, co, ok := parseBody(h, w, r, func(b []byte) (*canon.Request, openai.ChatOptions, error) {
		return openai.ParseChatRequest(b, openai.ParseOptions{InPlace: true})
	})
	if !ok {
		return
	}
	id, created, asked := newID("chatcmpl-"), time.Now().Unix(), h.alias(r.Context(), req)
	h.answer(w, r, req, asked,
		func(w io.Writer, flush func(), info relay.Started) eventWriter {
			return openai.NewChunkWriter(w, flush, openai.ChunkStart{ID: id, Model: asked, Created: created,
				IncludeUsage: co.IncludeUsage, InputTokens: info.InputEstimate, Tools: co.Tools})
		},
		func(resp *canon.Response, info relay.Started) ([]byte, error) {
			resp.ID = id
			return openai.MarshalChatResponse(resp, created, info.InputEstimate, co.Tools)
		})
}

// responses is POST /v1/responses (OpenAI's Responses API, as Codex uses
// it) on the same relay.
func (h *Handlers) responses(w http.ResponseWriter, r *http.Request) {
	req, ro, ok := parseBody(h, w, r, func(b []byte) (*canon.Request, openai.ResponsesOptions, error) {
		return openai.ParseResponsesRequest(b, openai.ParseOptions{InPlace: true})
	})
	if !ok {
		return
	}
	id, created, asked := newID("resp_"), time.Now().Unix(), h.alias(r.Context(), req)
	h.answer(w, r, req, asked,
		func(w io.Writer, flush func(), info relay.Started) eventWriter {
			return openai.NewResponsesWriter(w, flush, openai.ResponsesStart{ID: id, Model: asked, Created: created,
				InputTokens: info.InputEstimate, Tools: ro.Tools})
		},
		func(resp *canon.Response, info relay.Started) ([]byte, error) {
			resp.ID = id
			return openai.MarshalResponsesResponse(resp, created, info.InputEstimate, ro.Tools)
		})
}
