package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"kirodesk/internal/reqlog"
)

// Kind is an error category; it maps onto both APIs' error types.
type Kind int

const (
	KindInvalidRequest Kind = iota
	KindAuthentication
	KindPermission
	KindNotFound
	KindTooLarge
	KindRateLimit
	KindAPI
	KindOverloaded
)

var anthropicType = map[Kind]string{
	KindInvalidRequest: "invalid_request_error",
	KindAuthentication: "authentication_error",
	KindPermission:     "permission_error",
	KindNotFound:       "not_found_error",
	KindTooLarge:       "request_too_large",
	KindRateLimit:      "rate_limit_error",
	KindAPI:            "api_error",
	KindOverloaded:     "overloaded_error",
}

var openAIType = map[Kind]string{
	KindInvalidRequest: "invalid_request_error",
	KindAuthentication: "authentication_error",
	KindPermission:     "permission_error",
	KindNotFound:       "not_found_error",
	KindTooLarge:       "invalid_request_error",
	KindRateLimit:      "rate_limit_error",
	KindAPI:            "server_error",
	KindOverloaded:     "server_error",
}

// IsOpenAIPath reports whether a path belongs to the OpenAI-compatible API,
// whose clients expect OpenAI's error shape.
func IsOpenAIPath(p string) bool {
	for _, prefix := range []string{"/v1/chat/", "/v1/responses", "/v1/completions", "/v1/embeddings"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// WriteError answers with the error shape the client's API uses: OpenAI's
// {"error":{"message","type","code"}} on OpenAI routes, Anthropic's
// {"type":"error","error":{"type","message"}} everywhere else.
func WriteError(w http.ResponseWriter, r *http.Request, status int, kind Kind, msg string) {
	WriteErrorCode(w, r, status, kind, "", msg)
}

// WriteErrorCode is WriteError with OpenAI's error code (for example
// "context_length_exceeded", which clients act on); "" sends null.
// Anthropic's shape has no code.
func WriteErrorCode(w http.ResponseWriter, r *http.Request, status int, kind Kind, code, msg string) {
	var body any
	if IsOpenAIPath(r.URL.Path) {
		e := openAIErrorBody{Message: msg, Type: openAIType[kind]}
		if code != "" {
			e.Code = &code
		}
		body = openAIError{Error: e}
	} else {
		body = anthropicError{Type: "error", Error: anthropicErrorBody{Type: anthropicType[kind], Message: msg}}
	}
	reqlog.SetError(r.Context(), msg)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

type anthropicError struct {
	Type  string             `json:"type"`
	Error anthropicErrorBody `json:"error"`
}

type anthropicErrorBody struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

type openAIError struct {
	Error openAIErrorBody `json:"error"`
}

type openAIErrorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Code    *string `json:"code"`
}
