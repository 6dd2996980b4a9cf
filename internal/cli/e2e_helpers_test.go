package cli

import "kirodesk/internal/kiro/eventstream"

func eventstreamUsage(in, out int) eventstream.TokenUsage {
	return eventstream.TokenUsage{UncachedInput: in, Output: out, Total: in + out}
}
