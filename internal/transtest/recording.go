package transtest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
)

// Step is one call of a recorded stream (testdata/stream): Start, Ping,
// or Write of one event.
type Step struct {
	Start     bool    `json:"start"`
	Ping      bool    `json:"ping"`
	Text      *string `json:"text"`
	Thinking  *string `json:"thinking"`
	Signature string  `json:"signature"`
	ToolUse   *struct {
		ID    string          `json:"id"`
		Name  string          `json:"name"`
		Input json.RawMessage `json:"input"`
	} `json:"tool_use"`
	Usage *struct {
		InputTokens              int `json:"input_tokens"`
		OutputTokens             int `json:"output_tokens"`
		CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
		CacheReadInputTokens     int `json:"cache_read_input_tokens"`
		WebSearchRequests        int `json:"web_search_requests"`
	} `json:"usage"`
	ServerToolUse    *canon.ServerToolUse    `json:"server_tool_use"`
	ServerToolResult *canon.ServerToolResult `json:"server_tool_result"`
	Citation         *canon.Citation         `json:"citation"`
	Stop             *string                 `json:"stop"`
	Error            *canon.StreamError      `json:"error"`
}

// Event is the event a Write step writes; false for Start and Ping.
func (s Step) Event() (canon.Event, bool) {
	switch {
	case s.Text != nil:
		return canon.Event{Kind: canon.EventText, Text: *s.Text}, true
	case s.Thinking != nil:
		return canon.Event{Kind: canon.EventThinking, Text: *s.Thinking, Signature: s.Signature}, true
	case s.ToolUse != nil:
		return canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: s.ToolUse.ID, Name: s.ToolUse.Name, Input: s.ToolUse.Input}}, true
	case s.Usage != nil:
		u := canon.Usage{InputTokens: s.Usage.InputTokens, OutputTokens: s.Usage.OutputTokens,
			CacheCreationInputTokens: s.Usage.CacheCreationInputTokens, CacheReadInputTokens: s.Usage.CacheReadInputTokens,
			WebSearchRequests: s.Usage.WebSearchRequests}
		return canon.Event{Kind: canon.EventUsage, Usage: &u}, true
	case s.ServerToolUse != nil:
		return canon.Event{Kind: canon.EventServerToolUse, ServerToolUse: s.ServerToolUse}, true
	case s.ServerToolResult != nil:
		return canon.Event{Kind: canon.EventServerToolResult, ServerToolResult: s.ServerToolResult}, true
	case s.Citation != nil:
		return canon.Event{Kind: canon.EventCitation, Citation: s.Citation}, true
	case s.Stop != nil:
		return canon.Event{Kind: canon.EventStop, Stop: canon.StopReason(*s.Stop)}, true
	case s.Error != nil:
		return canon.Event{Kind: canon.EventError, Err: s.Error}, true
	}
	return canon.Event{}, false
}

// Player is a stream writer as the recordings drive it.
type Player interface {
	Writer
	Ping() error
}

// Replay feeds steps to w. It only asserts, so it may run in a handler's
// goroutine.
func Replay(t *testing.T, w Player, steps []Step) {
	for i, s := range steps {
		switch {
		case s.Start:
			assert.NoError(t, w.Start(), "step %d", i)
		case s.Ping:
			assert.NoError(t, w.Ping(), "step %d", i)
		default:
			ev, ok := s.Event()
			require.True(t, ok, "step %d is empty", i)
			assert.NoError(t, w.Write(ev), "step %d", i)
		}
	}
}

// Aggregate is the canon.Response the steps' events add up to, with the
// error Append returned, if any.
func Aggregate(steps []Step, id, model string) (canon.Response, error) {
	want := canon.Response{ID: id, Model: model}
	var streamErr error
	for _, s := range steps {
		if ev, ok := s.Event(); ok {
			if err := want.Append(ev); err != nil {
				streamErr = err
			}
		}
	}
	return want, streamErr
}
