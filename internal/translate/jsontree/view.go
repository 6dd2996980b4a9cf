package jsontree

import "unsafe"

// viewMin is the length from which a string without escapes is not copied
// out of the body but read in place: the tree's long strings (prompts,
// tool results, base64 images: most of a request's bytes) share the
// body's memory, so a request costs its body once rather than twice.
//
// Parse's body must therefore not change while the tree, or any string
// taken from it, is in use; the server reads each request into a buffer of
// its own and never writes to it again. Shorter strings are copied (or are
// one of the names in common): they are most of the count and little of
// the bytes, and a model name or a conversation key kept after the
// request (request log, sticky selection) then does not hold its whole
// body in memory.
const viewMin = 128

// text is b as a string: the body's own bytes when long, else a copy.
func text(b []byte) string {
	if len(b) >= viewMin {
		return unsafe.String(&b[0], len(b))
	}
	if s, ok := common[string(b)]; ok { // no allocation for the lookup
		return s
	}
	return string(b)
}

// common are the keys and values every request repeats (field names,
// roles, block and schema types): one shared string each instead of an
// allocation per occurrence.
var common = func() map[string]string {
	m := map[string]string{}
	for _, s := range []string{
		// Anthropic Messages
		"model", "max_tokens", "messages", "system", "tools", "tool_choice", "stream", "metadata", "user_id",
		"thinking", "budget_tokens", "temperature", "top_p", "top_k", "stop_sequences", "role", "content",
		"type", "text", "user", "assistant", "tool_use", "tool_result", "tool_use_id", "is_error", "id",
		"name", "input", "input_schema", "description", "cache_control", "ephemeral", "image", "source",
		"base64", "media_type", "data", "signature", "redacted_thinking", "enabled", "adaptive", "auto",
		"any", "none", "image/png", "image/jpeg", "image/gif", "image/webp", "document", "citations",
		// OpenAI Chat Completions and Responses
		"function", "functions", "parameters", "arguments", "tool_calls", "tool_call_id", "developer",
		"tool", "strict", "max_completion_tokens", "stream_options", "include_usage", "reasoning_effort",
		"reasoning", "effort", "summary", "instructions", "input_text", "output_text", "message",
		"function_call", "function_call_output", "call_id", "output", "status", "completed", "store",
		"parallel_tool_calls", "include", "prompt_cache_key", "custom", "custom_tool_call",
		"custom_tool_call_output", "image_url", "url", "detail", "input_image", "low", "medium", "high",
		// JSON Schema
		"properties", "required", "items", "enum", "const", "default", "format", "anyOf", "oneOf", "allOf",
		"additionalProperties", "$schema", "$ref", "$defs", "definitions", "minimum", "maximum",
		"minLength", "maxLength", "minItems", "maxItems", "pattern", "title", "examples", "uri",
		"http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2020-12/schema",
		"string", "object", "array", "boolean", "number", "integer", "null",
	} {
		m[s] = s
	}
	return m
}()
