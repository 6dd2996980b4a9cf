// Package transtest holds what the client-API translators' tests share: a
// representative canonical answer for the stream writers' benchmarks, the
// golden-file and recording helpers of internal/translate/anthropic and
// internal/translate/openai. Test code only imports it.
package transtest

import (
	"encoding/json"
	"strings"

	"kirodesk/internal/canon"
)

// Answer is an agent's turn as the Kiro decoder yields it: reasoning in
// small deltas, a reply in many text deltas, two tool calls, usage, stop.
func Answer() []canon.Event {
	var evs []canon.Event
	for i := range 20 {
		ev := canon.Event{Kind: canon.EventThinking, Text: "Weighing the options, step " + strings.Repeat("x", i%7) + ". "}
		if i == 19 {
			ev.Signature = "sig-abcdef0123456789"
		}
		evs = append(evs, ev)
	}
	for i := range 200 {
		evs = append(evs, canon.Event{Kind: canon.EventText, Text: "Here is a piece <of> the answer & more " + strings.Repeat("y", i%11) + "\n"})
	}
	evs = append(evs,
		canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "toolu_01", Name: "read_file", Input: json.RawMessage(`{"path": "/src/main.go", "lines": [1, 200]}`)}},
		canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "toolu_02", Name: "run", Input: json.RawMessage(`{"cmd":"go test ./..."}`)}},
		canon.Event{Kind: canon.EventUsage, Usage: &canon.Usage{InputTokens: 12000, OutputTokens: 900, CacheReadInputTokens: 4000}},
		canon.Event{Kind: canon.EventStop, Stop: canon.StopToolUse},
	)
	return evs
}

// Writer is what every stream writer of the translators offers.
type Writer interface {
	Start() error
	Write(canon.Event) error
}
