package response

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"kirodesk/internal/canon"
	"kirodesk/internal/kiro/eventstream"
)

// Recorded upstream events, as eventstream.Reader produces them.

func text(s string) eventstream.Event {
	return eventstream.Event{Kind: eventstream.KindText, Text: s, EventType: "assistantResponseEvent"}
}

func tool(id, name, input string, stop bool) eventstream.Event {
	return eventstream.Event{Kind: eventstream.KindToolUse, EventType: "toolUseEvent",
		ToolUse: &eventstream.ToolUseFragment{ID: id, Name: name, Input: input, Stop: stop}}
}

func reasoning(s, sig string) eventstream.Event {
	return eventstream.Event{Kind: eventstream.KindReasoning, Text: s, EventType: "reasoningContentEvent",
		Reasoning: &eventstream.Reasoning{Text: s, Signature: sig}}
}

func metering(credits float64) eventstream.Event {
	return eventstream.Event{Kind: eventstream.KindMetering, Credits: credits, EventType: "meteringEvent"}
}

func contextUsage(pct float64) eventstream.Event {
	return eventstream.Event{Kind: eventstream.KindContextUsage, ContextPercent: pct, EventType: "contextUsageEvent"}
}

func tokenUsage(u eventstream.TokenUsage) eventstream.Event {
	return eventstream.Event{Kind: eventstream.KindUsage, Usage: &u, EventType: "messageMetadataEvent"}
}

func exception(typ, msg, reason string) eventstream.Event {
	return eventstream.Event{Kind: eventstream.KindException, Exception: &eventstream.Exception{Type: typ, Message: msg, Reason: reason}}
}

func ignored(eventType string) eventstream.Event {
	return eventstream.Event{Kind: eventstream.KindIgnored, EventType: eventType}
}

// play feeds evs to a new Decoder and ends the stream cleanly.
func play(opts Options, evs ...eventstream.Event) []canon.Event {
	d := NewDecoder(opts)
	var out []canon.Event
	for _, ev := range evs {
		out = d.Feed(out, ev)
	}
	return d.End(out)
}

// summary folds canonical events for assertions that do not care how the
// deltas were cut.
type summary struct {
	Text, Thinking string
	Signatures     []string
	Tools          []canon.ToolUse
	Usage          *canon.Usage
	Stop           canon.StopReason
	Err            *canon.StreamError
}

func summarize(evs []canon.Event) summary {
	var s summary
	var txt, th strings.Builder
	for _, ev := range evs {
		switch ev.Kind {
		case canon.EventText:
			txt.WriteString(ev.Text)
		case canon.EventThinking:
			th.WriteString(ev.Text)
			if ev.Signature != "" {
				s.Signatures = append(s.Signatures, ev.Signature)
			}
		case canon.EventToolUse:
			s.Tools = append(s.Tools, *ev.ToolUse)
		case canon.EventUsage:
			s.Usage = ev.Usage
		case canon.EventStop:
			s.Stop = ev.Stop
		case canon.EventError:
			s.Err = ev.Err
		}
	}
	s.Text, s.Thinking = txt.String(), th.String()
	return s
}

// checkShape verifies the invariants every event sequence must keep: exactly
// one terminal event, last; EventUsage exactly once, right before EventStop,
// and never with an error; deltas non-empty and valid UTF-8; tool inputs JSON
// objects.
func checkShape(evs []canon.Event) error {
	terminals, usages := 0, 0
	for i, ev := range evs {
		switch ev.Kind {
		case canon.EventText, canon.EventThinking:
			if ev.Text == "" && ev.Signature == "" {
				return fmt.Errorf("event %d: empty delta", i)
			}
			if !utf8.ValidString(ev.Text) {
				return fmt.Errorf("event %d: invalid UTF-8 %q", i, ev.Text)
			}
		case canon.EventToolUse:
			var obj map[string]any
			if ev.ToolUse == nil || json.Unmarshal(ev.ToolUse.Input, &obj) != nil || obj == nil {
				return fmt.Errorf("event %d: tool input is not a JSON object", i)
			}
		case canon.EventUsage:
			usages++
			if ev.Usage == nil || i+1 >= len(evs) || evs[i+1].Kind != canon.EventStop {
				return fmt.Errorf("event %d: usage not followed by stop", i)
			}
		case canon.EventStop:
			terminals++
			if i == 0 || evs[i-1].Kind != canon.EventUsage {
				return fmt.Errorf("event %d: stop without usage before it", i)
			}
		case canon.EventError:
			terminals++
			if ev.Err == nil || ev.Err.Type == "" || ev.Err.Message == "" {
				return fmt.Errorf("event %d: error without type and message", i)
			}
		default:
			return fmt.Errorf("event %d: unknown kind %d", i, ev.Kind)
		}
	}
	if terminals != 1 {
		return fmt.Errorf("%d terminal events, want 1", terminals)
	}
	if k := evs[len(evs)-1].Kind; k != canon.EventStop && k != canon.EventError {
		return errors.New("terminal event is not last")
	}
	if usages > 1 {
		return fmt.Errorf("%d usage events", usages)
	}
	return nil
}
