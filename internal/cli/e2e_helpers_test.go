package cli

import (
	"testing"

	"kirodesk/internal/kiro/eventstream"
)

func eventstreamUsage(in, out int) eventstream.TokenUsage {
	return eventstream.TokenUsage{UncachedInput: in, Output: out, Total: in + out}
}

// withAndWithoutServe runs test twice: once where no instance serves the
// folder (the command does the work itself), and once with withServe set,
// where the test starts `kirodesk serve` on it first (the command then asks
// the running instance).
func withAndWithoutServe(t *testing.T, test func(t *testing.T, withServe bool)) {
	for _, withServe := range []bool{false, true} {
		name := "without an instance"
		if withServe {
			name = "through the running instance"
		}
		t.Run(name, func(t *testing.T) { test(t, withServe) })
	}
}
