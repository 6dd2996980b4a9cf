package anthropic

import (
	"io"
	"testing"

	"kirodesk/internal/transtest"
)

// BenchmarkSSEWriter is one whole agent's turn written as an Anthropic stream.
func BenchmarkSSEWriter(b *testing.B) {
	transtest.BenchWriter(b, func() transtest.Writer {
		return NewSSEWriter(io.Discard, nil, MessageStart{ID: "msg_01", Model: "claude-sonnet-4-5", InputTokens: 12000})
	})
}
