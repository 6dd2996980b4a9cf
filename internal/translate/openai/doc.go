// Package openai translates between OpenAI's wire formats (Chat Completions
// in chat.go; the Responses API in responses.go, described there) and the
// canonical request and response in internal/canon. Each API has its own
// front end mapping only its fields; common.go and messages.go hold what
// both read alike. It does not import the Anthropic translator: what the two
// client APIs share is below both (internal/translate/jsontree's field
// readers, tooldecl, wire, and canon's stream walker).
//
// Direction client -> Kiro: ParseChatRequest turns a POST
// /v1/chat/completions body into a *canon.Request plus the ChatOptions that
// shape the response (stream_options.include_usage, remote images to fetch).
// It parses strictly (invalid JSON, invalid UTF-8, wrong types and nesting
// deeper than 64 are rejected with the position) and every *RequestError
// names the offending field in Message and, alone, in Param, for OpenAI's
// error "param". System and developer messages are hoisted into
// canon.Request.System, in order, joined with blank lines; tool messages
// become tool_result blocks of a user turn (consecutive ones share a turn).
// Fields Kiro cannot honour (n > 1, logprobs, audio, file parts, the
// deprecated functions API, remote images unless enabled) are refused with a
// message saying so. Tools are the exception (tools.go and
// internal/translate/tooldecl): function and custom tools (Chat), plus
// namespaces, local_shell and web search (Responses) are accepted, and any
// other tool type is dropped with a warning in canon.Request.Warnings;
// custom tool calls go back in their own shape (ChatOptions.Tools,
// ResponsesOptions.Tools); sampling fields (temperature, top_p,
// penalties, seed, stop, logit_bias) are type-checked and ignored;
// response_format json_object/json_schema is honoured on a best-effort basis
// by an instruction appended to the system prompt; unknown top-level fields
// are ignored, as new API features appear faster than this package changes.
//
// Direction Kiro -> client: ChunkWriter turns a canon.Event sequence into
// chat.completion.chunk server-sent events, one Write per event, flushing
// after each (a canon.Walker over this format's Renderer); MarshalChatResponse renders an aggregated canon.Response as a
// chat.completion; ErrorBody renders the error envelope.
//
// Everything here is pure apart from the io.Writer handed to NewChunkWriter.
// A ChunkWriter serialises its own calls, so a keep-alive ticker may call
// Ping from another goroutine while the response loop calls Write.
package openai
