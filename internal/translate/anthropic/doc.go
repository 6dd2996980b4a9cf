// Package anthropic translates between the Anthropic Messages API wire format
// and the canonical request and response in internal/canon.
//
// Direction client -> Kiro: ParseRequest (POST /v1/messages) and
// CountTokensRequest (POST /v1/messages/count_tokens) turn a request body into
// a *canon.Request. They parse strictly (invalid JSON, invalid UTF-8, wrong
// types and nesting deeper than 64 are rejected with the position) and name
// the offending field in every *RequestError, which the server answers as a
// 400 invalid_request_error. Fields Kiro cannot honour (url image sources,
// documents) are refused with a message saying so, never dropped silently.
// Tools are the exception (tools.go, internal/translate/tooldecl): clients
// declare server tools on every request, so a tool type Kiro cannot carry is
// dropped with a warning in canon.Request.Warnings, and server tool blocks
// in history become text; sampling fields (temperature, top_p, top_k,
// stop_sequences) are type-checked and ignored; unknown top-level fields are
// ignored, as new API features appear faster than this package changes.
//
// Direction Kiro -> client: SSEWriter turns a canon.Event sequence into
// Anthropic's server-sent events, one Write per event, flushing after each
// (a canon.Walker over this format's Renderer);
// MarshalResponse renders an aggregated canon.Response as the non-streaming
// Messages response; ErrorBody renders the error envelope.
//
// Everything here is pure apart from the io.Writer handed to NewSSEWriter. An
// SSEWriter serialises its own calls, so a ping ticker may call Ping from
// another goroutine while the response loop calls Write.
package anthropic
