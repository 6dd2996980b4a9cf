package openai

import (
	"io"
	"testing"

	"kirodesk/internal/transtest"
)

// BenchmarkChunkWriter is one whole agent's turn written as a Chat Completions stream.
func BenchmarkChunkWriter(b *testing.B) {
	transtest.BenchWriter(b, func() transtest.Writer {
		return NewChunkWriter(io.Discard, nil, ChunkStart{ID: "chatcmpl-01", Model: "claude-sonnet-4-5", Created: 1, IncludeUsage: true, InputTokens: 12000})
	})
}

// BenchmarkResponsesWriter is one whole agent's turn written as a Responses stream.
func BenchmarkResponsesWriter(b *testing.B) {
	transtest.BenchWriter(b, func() transtest.Writer {
		return NewResponsesWriter(io.Discard, nil, ResponsesStart{ID: "resp_01", Model: "claude-sonnet-4-5", Created: 1, InputTokens: 12000})
	})
}
