package eventstream

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ToolCallStatus says whether an assembled tool call can be handed to a client.
type ToolCallStatus int

const (
	// ToolCallComplete: stop:true arrived and the input is valid JSON.
	ToolCallComplete ToolCallStatus = iota
	// ToolCallTruncated: the stream ended before stop:true. Kiro cuts large
	// tool inputs (about 9 KB) this way; the input is whatever arrived.
	ToolCallTruncated
	// ToolCallInvalidInput: stop:true arrived but the concatenated input is
	// not a valid JSON object.
	ToolCallInvalidInput
)

func (s ToolCallStatus) String() string {
	switch s {
	case ToolCallComplete:
		return "complete"
	case ToolCallTruncated:
		return "truncated"
	case ToolCallInvalidInput:
		return "invalid input"
	}
	return fmt.Sprintf("ToolCallStatus(%d)", int(s))
}

// ToolCall is one assembled tool call.
type ToolCall struct {
	ID     string
	Name   string
	Input  string // concatenated fragments; "{}" when none carried text
	Status ToolCallStatus
}

// Err returns nil for a complete call, else a *ToolInputError describing it.
func (c ToolCall) Err() error {
	if c.Status == ToolCallComplete {
		return nil
	}
	return &ToolInputError{ID: c.ID, Name: c.Name, Status: c.Status, InputBytes: len(c.Input)}
}

// ToolInputError reports a tool call whose input cannot be trusted, so the
// caller can tell the client instead of forwarding broken JSON.
type ToolInputError struct {
	ID, Name   string
	Status     ToolCallStatus
	InputBytes int
}

func (e *ToolInputError) Error() string {
	switch e.Status {
	case ToolCallTruncated:
		return fmt.Sprintf("tool call %s (%s): input truncated by upstream after %d bytes", e.Name, e.ID, e.InputBytes)
	default:
		return fmt.Sprintf("tool call %s (%s): input is not valid JSON (%d bytes)", e.Name, e.ID, e.InputBytes)
	}
}

// ToolCalls assembles toolUseEvent fragments. Fragments of several calls may
// interleave; each call's input is concatenated in arrival order. The zero
// value is ready to use; it is not safe for concurrent use.
type ToolCalls struct {
	order []string
	calls map[string]*toolCall
}

type toolCall struct {
	name  string
	input strings.Builder
	done  bool
}

// Add feeds one fragment. When the fragment carries stop:true it returns the
// finished call and true. Fragments for a call that already stopped are
// ignored (nil, false): some hosts repeat the final frame.
func (t *ToolCalls) Add(f ToolUseFragment) (done *ToolCall, finished bool) {
	if t.calls == nil {
		t.calls = map[string]*toolCall{}
	}
	c, ok := t.calls[f.ID]
	if !ok {
		c = &toolCall{}
		t.calls[f.ID] = c
		t.order = append(t.order, f.ID)
	}
	if c.done {
		return nil, false
	}
	if c.name == "" {
		c.name = f.Name
	}
	c.input.WriteString(f.Input)
	if !f.Stop {
		return nil, false
	}
	c.done = true
	tc := t.result(f.ID, c)
	return &tc, true
}

// Pending reports whether some call has fragments but no stop yet.
func (t *ToolCalls) Pending() bool {
	for _, c := range t.calls {
		if !c.done {
			return true
		}
	}
	return false
}

// Finish returns every call seen, in order of first fragment, with its
// status: calls that never got stop:true are ToolCallTruncated.
func (t *ToolCalls) Finish() []ToolCall {
	out := make([]ToolCall, 0, len(t.order))
	for _, id := range t.order {
		out = append(out, t.result(id, t.calls[id]))
	}
	return out
}

func (t *ToolCalls) result(id string, c *toolCall) ToolCall {
	in := c.input.String()
	tc := ToolCall{ID: id, Name: c.name, Input: in}
	if strings.TrimSpace(in) == "" {
		tc.Input = "{}"
	}
	switch {
	case !c.done:
		tc.Status = ToolCallTruncated
	case !json.Valid([]byte(tc.Input)) || !strings.HasPrefix(strings.TrimSpace(tc.Input), "{"):
		// A tool's input is a JSON object; anything else would be rejected by clients.
		tc.Status = ToolCallInvalidInput
	}
	return tc
}
