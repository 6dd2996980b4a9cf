package canon

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tape is a Renderer that records the calls it gets, and fails writing
// once broken is set.
type tape struct {
	calls  []string
	broken error
}

func (t *tape) add(s string) error {
	if t.broken != nil {
		return t.broken
	}
	t.calls = append(t.calls, s)
	return nil
}

func (t *tape) Begin() error                          { return t.add("begin") }
func (t *tape) Ping() error                           { return t.add("ping") }
func (t *tape) Text(s string) error                   { return t.add("text " + s) }
func (t *tape) Thinking(s, sig string) error          { return t.add("thinking " + s + "/" + sig) }
func (t *tape) ToolUse(tu *ToolUse) error             { return t.add("tool " + tu.Name) }
func (t *tape) Citation(c *Citation) error            { return t.add("cite " + c.URL) }
func (t *tape) Broken() error                         { return t.broken }
func (t *tape) Fail(typ, msg string) error            { return t.add("fail " + typ + ": " + msg) }
func (t *tape) ServerToolUse(su *ServerToolUse) error { return t.add("search " + su.Query) }
func (t *tape) ServerToolResult(sr *ServerToolResult) error {
	return t.add("results " + sr.ToolUseID)
}
func (t *tape) End(r StopReason, u *Usage, sawTool bool) error {
	out := -1
	if u != nil {
		out = u.OutputTokens
	}
	return t.add(fmt.Sprintf("end %s usage=%d tool=%v", r, out, sawTool))
}

var errEnded = errors.New("ended")

func TestWalkerRendersEachKindInOrder(t *testing.T) {
	r := &tape{}
	w := NewWalker("test", errEnded, r)
	require.NoError(t, w.Ping(), "a ping before the start writes nothing")
	for _, ev := range []Event{
		{Kind: EventText, Text: ""}, // empty deltas are dropped
		{Kind: EventThinking, Text: "hm"},
		{Kind: EventThinking, Signature: "sig"},
		{Kind: EventThinking},
		{Kind: EventText, Text: "a"},
		{Kind: EventServerToolUse, ServerToolUse: &ServerToolUse{ID: "s1", Query: "q"}},
		{Kind: EventServerToolResult, ServerToolResult: &ServerToolResult{ToolUseID: "s1"}},
		{Kind: EventCitation, Citation: &Citation{URL: "u"}},
		{Kind: EventUsage, Usage: &Usage{OutputTokens: 1}},
		{Kind: EventToolUse, ToolUse: &ToolUse{Name: "f"}},
		{Kind: EventUsage, Usage: &Usage{OutputTokens: 7}},
	} {
		require.NoError(t, w.Write(ev))
	}
	require.NoError(t, w.Ping())
	require.NoError(t, w.Write(Event{Kind: EventStop, Stop: StopToolUse}))
	assert.Equal(t, []string{"begin", "thinking hm/", "thinking /sig", "text a", "search q", "results s1", "cite u",
		"tool f", "ping", "end tool_use usage=7 tool=true"}, r.calls)

	for _, call := range []func() error{w.Start, w.Ping, func() error { return w.Write(Event{Kind: EventText, Text: "x"}) }} {
		assert.ErrorIs(t, call(), errEnded)
	}
}

func TestWalkerEndsWithoutUsageOrTools(t *testing.T) {
	r := &tape{}
	w := NewWalker("test", errEnded, r)
	require.NoError(t, w.Start())
	require.NoError(t, w.Start(), "Start twice opens once")
	require.NoError(t, w.Write(Event{Kind: EventStop}))
	assert.Equal(t, []string{"begin", "end  usage=-1 tool=false"}, r.calls)
}

func TestWalkerFailsBeforeTheStartWithoutOpening(t *testing.T) {
	r := &tape{}
	w := NewWalker("test", errEnded, r)
	require.NoError(t, w.Write(Event{Kind: EventError}))
	assert.Equal(t, []string{"fail api_error: the response failed"}, r.calls, "defaults for a bare error, no opening")
	assert.ErrorIs(t, w.Write(Event{Kind: EventError}), errEnded)

	r = &tape{}
	w = NewWalker("test", errEnded, r)
	require.NoError(t, w.Write(Event{Kind: EventText, Text: "a"}))
	require.NoError(t, w.Write(Event{Kind: EventError, Err: &StreamError{Type: "overloaded_error", Message: "busy"}}))
	assert.Equal(t, []string{"begin", "text a", "fail overloaded_error: busy"}, r.calls)
}

func TestWalkerRefusesEventsWithoutTheirValue(t *testing.T) {
	w := NewWalker("test", errEnded, &tape{})
	for kind, field := range map[EventKind]string{EventToolUse: "ToolUse", EventServerToolUse: "ServerToolUse",
		EventServerToolResult: "ServerToolResult", EventCitation: "Citation", EventUsage: "Usage"} {
		err := w.Write(Event{Kind: kind})
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "test: Event"), err.Error())
		assert.True(t, strings.HasSuffix(err.Error(), " without "+field), err.Error())
	}
	assert.EqualError(t, w.Write(Event{Kind: 99}), "test: unknown event kind 99")
	require.NoError(t, w.Write(Event{Kind: EventStop}), "refused events do not end the stream")
}

func TestWalkerWriteErrorIsSticky(t *testing.T) {
	r := &tape{}
	w := NewWalker("test", errEnded, r)
	require.NoError(t, w.Start())
	gone := errors.New("client went away")
	r.broken = gone
	assert.ErrorIs(t, w.Write(Event{Kind: EventText, Text: "a"}), gone)
	assert.ErrorIs(t, w.Ping(), gone)
	assert.ErrorIs(t, w.Write(Event{Kind: EventStop}), gone)
	assert.ErrorIs(t, w.Write(Event{Kind: EventError}), gone)
	assert.Equal(t, []string{"begin"}, r.calls)
}

// A tool call the renderer refuses (bad input) is not counted as seen.
type refusing struct{ tape }

func (r *refusing) ToolUse(*ToolUse) error { return errors.New("bad input") }

func TestWalkerCountsOnlyRenderedToolCalls(t *testing.T) {
	r := &refusing{}
	w := NewWalker("test", errEnded, r)
	require.Error(t, w.Write(Event{Kind: EventToolUse, ToolUse: &ToolUse{Name: "f"}}))
	require.NoError(t, w.Write(Event{Kind: EventStop}))
	assert.Equal(t, []string{"begin", "end  usage=-1 tool=false"}, r.calls)
}
