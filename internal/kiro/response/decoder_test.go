package response

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/kiro/eventstream"
)

func usageEv(u canon.Usage) canon.Event { return canon.Event{Kind: canon.EventUsage, Usage: &u} }
func stopEv(r canon.StopReason) canon.Event {
	return canon.Event{Kind: canon.EventStop, Stop: r}
}
func textEv(s string) canon.Event { return canon.Event{Kind: canon.EventText, Text: s} }
func thinkEv(s, sig string) canon.Event {
	return canon.Event{Kind: canon.EventThinking, Text: s, Signature: sig}
}
func toolEv(id, name, input string) canon.Event {
	return canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: id, Name: name, Input: []byte(input)}}
}
func errEv(typ, msg string) canon.Event {
	return canon.Event{Kind: canon.EventError, Err: &canon.StreamError{Type: typ, Message: msg}}
}

// TestRecordedSequences plays recorded upstream sequences and checks the
// exact canonical events.
func TestRecordedSequences(t *testing.T) {
	longName := "mcp__some_server__a_tool_with_a_very_long_name_that_kiro_would_refuse_x"
	names := map[string]string{"mcp__some_server__a_tool_with_a_very_long__3f2a9c": longName, "read": "read"}

	for _, tc := range []struct {
		name string
		opts Options
		in   []eventstream.Event
		want []canon.Event
	}{
		{
			name: "plain text with estimated usage",
			opts: Options{EstimateInput: 120, ContextWindow: 200_000},
			in:   []eventstream.Event{text("Hello, "), text("wörld"), metering(0.02), metering(0.05), contextUsage(1.5), ignored("followupPromptEvent")},
			want: []canon.Event{textEv("Hello, "), textEv("wörld"),
				usageEv(canon.Usage{InputTokens: 3000, OutputTokens: 4, Credits: 0.05, Estimated: true}), stopEv(canon.StopEndTurn)},
		},
		{
			name: "thinking block streams then text",
			opts: Options{Thinking: true},
			in:   []eventstream.Event{text("<thinking>"), text("step 1\n"), text("step 2</thin"), text("king>\n\n"), text("Answer")},
			want: []canon.Event{thinkEv("step 1\n", ""), thinkEv("step 2", ""), textEv("Answer"),
				usageEv(canon.Usage{OutputTokens: 5, Estimated: true}), stopEv(canon.StopEndTurn)},
		},
		{
			name: "thinking off passes tags through",
			in:   []eventstream.Event{text("<thinking>"), text("hmm</thinking>"), text("\n\nok")},
			want: []canon.Event{textEv("<thinking>"), textEv("hmm</thinking>"), textEv("\n\nok"),
				usageEv(canon.Usage{OutputTokens: 7, Estimated: true}), stopEv(canon.StopEndTurn)},
		},
		{
			name: "native reasoning with signature",
			opts: Options{Thinking: true},
			in: []eventstream.Event{reasoning("Let me ", ""), reasoning("see.", "sig-1"), text("Done."),
				tokenUsage(eventstream.TokenUsage{UncachedInput: 10, Output: 7})},
			want: []canon.Event{thinkEv("Let me ", ""), thinkEv("see.", "sig-1"), textEv("Done."),
				usageEv(canon.Usage{InputTokens: 10, OutputTokens: 7}), stopEv(canon.StopEndTurn)},
		},
		{
			name: "interleaved tool calls with name mapping",
			opts: Options{ToolNames: names, Thinking: true},
			in: []eventstream.Event{
				text("Reading <"), // held? no: not at the start, streams
				tool("t1", "read", "", false),
				tool("t2", "mcp__some_server__a_tool_with_a_very_long__3f2a9c", "", false),
				tool("t1", "read", `{"path":`, false),
				tool("t2", "mcp__some_server__a_tool_with_a_very_long__3f2a9c", `{"q":"日本`, false),
				tool("t1", "read", `"/etc/hosts"}`, false),
				tool("t2", "mcp__some_server__a_tool_with_a_very_long__3f2a9c", `語"}`, true),
				tool("t1", "read", "", true),
				tool("t1", "read", "junk after stop", true), // repeated final frame: ignored
				tool("t3", "unknown_tool", "", true),        // no input at all: {}
				metering(0.3),
			},
			want: []canon.Event{textEv("Reading <"),
				toolEv("t2", longName, `{"q":"日本語"}`),
				toolEv("t1", "read", `{"path":"/etc/hosts"}`),
				toolEv("t3", "unknown_tool", `{}`),
				usageEv(canon.Usage{OutputTokens: 13, Credits: 0.3, Estimated: true}), stopEv(canon.StopToolUse)},
		},
		{
			name: "held tag start flushed before a tool call",
			opts: Options{Thinking: true},
			in:   []eventstream.Event{text(" <thi"), tool("t1", "x", `{}`, true), text("nking>")},
			want: []canon.Event{textEv(" <thi"), toolEv("t1", "x", `{}`), textEv("nking>"),
				usageEv(canon.Usage{OutputTokens: 4, Estimated: true}), stopEv(canon.StopToolUse)},
		},
		{
			name: "truncated tool call",
			opts: Options{ToolNames: map[string]string{"write_sh": "write_file"}},
			in: []eventstream.Event{text("Writing."), tool("t1", "write_sh", "", false),
				tool("t1", "write_sh", `{"path":"a.txt","content":"`, false), tool("t1", "write_sh", strings.Repeat("x", 9000), false),
				metering(1)},
			want: []canon.Event{textEv("Writing."), errEv("api_error",
				"Kiro cut off the input of tool write_file (t1) after 9027 bytes: the response ended before the call was complete, "+
					"so the call was not passed on; Kiro limits tool inputs to about 9 KB, so ask for the work in smaller pieces (for example, write a large file in parts)")},
		},
		{
			name: "stopped tool call with invalid JSON",
			in:   []eventstream.Event{tool("t1", "w", `{"a":`, false), tool("t1", "w", "", true), tool("t2", "ok", `{}`, true)},
			want: []canon.Event{toolEv("t2", "ok", `{}`), errEv("api_error",
				"Kiro cut off the input of tool w (t1) after 5 bytes: the input it sent is not a valid JSON object, "+
					"so the call was not passed on; Kiro limits tool inputs to about 9 KB, so ask for the work in smaller pieces (for example, write a large file in parts)")},
		},
		{
			name: "content length exception is max_tokens",
			in: []eventstream.Event{text("A very long"), exception("ContentLengthExceededException", "Response exceeded the content length", ""),
				tokenUsage(eventstream.TokenUsage{UncachedInput: 5, CacheRead: 100, CacheWrite: 20, Output: 4096})},
			want: []canon.Event{textEv("A very long"),
				usageEv(canon.Usage{InputTokens: 5, CacheReadInputTokens: 100, CacheCreationInputTokens: 20, OutputTokens: 4096}),
				stopEv(canon.StopMaxTokens)},
		},
		{
			name: "content length by reason",
			in:   []eventstream.Event{text("x"), exception("ValidationException", "too long", "CONTENT_LENGTH_EXCEEDS_THRESHOLD")},
			want: []canon.Event{textEv("x"), usageEv(canon.Usage{OutputTokens: 1, Estimated: true}), stopEv(canon.StopMaxTokens)},
		},
		{
			name: "tool_use wins over max_tokens",
			in:   []eventstream.Event{tool("t1", "a", `{}`, true), exception("ContentLengthExceededException", "", "")},
			want: []canon.Event{toolEv("t1", "a", `{}`), usageEv(canon.Usage{OutputTokens: 1, Estimated: true}), stopEv(canon.StopToolUse)},
		},
		{
			name: "throttling exception is overloaded_error",
			opts: Options{Thinking: true},
			in: []eventstream.Event{text("<thinking>partial</thin"), exception("ThrottlingException", "I am experiencing high traffic, please try again shortly.", "INSUFFICIENT_MODEL_CAPACITY"),
				text("ignored after the error"), tool("t1", "a", `{}`, true)},
			want: []canon.Event{thinkEv("partial", ""), thinkEv("</thin", ""),
				errEv("overloaded_error", "I am experiencing high traffic, please try again shortly.")},
		},
		{
			name: "capacity by reason only",
			in:   []eventstream.Event{exception("InternalServerException", "busy", "INSUFFICIENT_MODEL_CAPACITY")},
			want: []canon.Event{errEv("overloaded_error", "busy")},
		},
		{
			name: "other exception is api_error with Kiro's message",
			in:   []eventstream.Event{text("a"), exception("ValidationException", "Improperly formed request.", "")},
			want: []canon.Event{textEv("a"), errEv("api_error", "Improperly formed request.")},
		},
		{
			name: "exception without message",
			in:   []eventstream.Event{{Kind: eventstream.KindException, EventType: "weird"}},
			want: []canon.Event{errEv("api_error", "kiro weird")},
		},
		{
			name: "usage from tokenUsage wins over context usage",
			opts: Options{EstimateInput: 50_000, ContextWindow: 200_000, CountOutput: func(string) int { panic("must not count") }},
			in: []eventstream.Event{text("hi"), contextUsage(40), metering(0.1),
				tokenUsage(eventstream.TokenUsage{UncachedInput: 1, Output: 1}),
				tokenUsage(eventstream.TokenUsage{UncachedInput: 1200, CacheRead: 30_000, CacheWrite: 500, Output: 2})},
			want: []canon.Event{textEv("hi"),
				usageEv(canon.Usage{InputTokens: 1200, CacheReadInputTokens: 30_000, CacheCreationInputTokens: 500, OutputTokens: 2, Credits: 0.1}),
				stopEv(canon.StopEndTurn)},
		},
		{
			name: "estimate above context usage wins",
			opts: Options{EstimateInput: 9_000, ContextWindow: 200_000},
			in:   []eventstream.Event{text("hi"), contextUsage(2)},
			want: []canon.Event{textEv("hi"), usageEv(canon.Usage{InputTokens: 9_000, OutputTokens: 1, Estimated: true}), stopEv(canon.StopEndTurn)},
		},
		{
			name: "context usage without a window is unused",
			opts: Options{EstimateInput: 10},
			in:   []eventstream.Event{contextUsage(50)},
			want: []canon.Event{usageEv(canon.Usage{InputTokens: 10, Estimated: true}), stopEv(canon.StopEndTurn)},
		},
		{
			name: "ignored events produce nothing",
			in:   []eventstream.Event{ignored("codeReferenceEvent"), ignored("somethingNew"), {Kind: eventstream.KindToolUse}, {Kind: eventstream.KindUsage}},
			want: []canon.Event{usageEv(canon.Usage{Estimated: true}), stopEv(canon.StopEndTurn)},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := play(tc.opts, tc.in...)
			assert.Equal(t, tc.want, got)
			assert.NoError(t, checkShape(got))
		})
	}
}

func TestCountOutputSeesAllOutput(t *testing.T) {
	var counted string
	opts := Options{Thinking: true, CountOutput: func(s string) int { counted = s; return 42 }}
	got := summarize(play(opts, reasoning("r.", ""), text("<thinking>t.</thinking>"), text("x."), tool("t1", "a", `{"k":1}`, true)))
	assert.Equal(t, 42, got.Usage.OutputTokens)
	assert.True(t, got.Usage.Estimated)
	assert.Equal(t, `r.t.x.{"k":1}`, counted)
}

// TestExactlyOneTerminal: whatever order End, Fail and Feed come in after
// the end, exactly one terminal event is ever produced.
func TestExactlyOneTerminal(t *testing.T) {
	type call func(d *Decoder, dst []canon.Event) []canon.Event
	end := func(d *Decoder, dst []canon.Event) []canon.Event { return d.End(dst) }
	fail := func(d *Decoder, dst []canon.Event) []canon.Event { return d.Fail(dst, io.ErrUnexpectedEOF) }
	feed := func(d *Decoder, dst []canon.Event) []canon.Event {
		dst = d.Feed(dst, text("late"))
		dst = d.Feed(dst, tool("t9", "a", "{}", true))
		return d.Feed(dst, exception("ThrottlingException", "x", ""))
	}
	for _, tc := range []struct {
		name     string
		calls    []call
		terminal canon.EventKind
	}{
		{"End after Fail", []call{fail, end, end}, canon.EventError},
		{"Fail after End", []call{end, fail, fail}, canon.EventStop},
		{"End twice", []call{end, end}, canon.EventStop},
		{"Feed after End", []call{end, feed, end}, canon.EventStop},
		{"Feed after Fail", []call{fail, feed, fail, end}, canon.EventError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(Options{})
			evs := d.Feed(nil, text("hi"))
			n := 0
			for i, c := range tc.calls {
				evs = c(d, evs)
				if i == 0 {
					n = len(evs)
				}
			}
			assert.Len(t, evs, n, "nothing after the terminal event")
			require.NoError(t, checkShape(evs))
			assert.Equal(t, tc.terminal, evs[len(evs)-1].Kind)
		})
	}
	// An in-stream exception is itself the terminal event.
	d := NewDecoder(Options{})
	evs := d.Feed(nil, exception("ThrottlingException", "slow down", ""))
	evs = d.End(evs)
	evs = d.Fail(evs, errors.New("x"))
	assert.Equal(t, []canon.Event{errEv("overloaded_error", "slow down")}, evs)
}

func TestFail(t *testing.T) {
	frameErr := &eventstream.FrameError{Frame: 3, Offset: 120, Err: eventstream.ErrChecksum, Detail: "message"}
	for _, tc := range []struct {
		name string
		err  error
		want *canon.StreamError
	}{
		{"bad frame", frameErr, &canon.StreamError{Type: "api_error", Message: "Kiro's response stream broke off: " + frameErr.Error()}},
		{"network", fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), &canon.StreamError{Type: "api_error", Message: "Kiro's response stream broke off: read body: unexpected EOF"}},
		{"canceled", context.Canceled, &canon.StreamError{Type: "api_error", Message: "Kiro's response stream broke off: context canceled"}},
		{"nil", nil, &canon.StreamError{Type: "api_error", Message: "Kiro's response stream broke off"}},
		{"exception", fmt.Errorf("wrapped: %w", &eventstream.Exception{Type: "ThrottlingException", Message: "Too many requests"}), &canon.StreamError{Type: "overloaded_error", Message: "Too many requests"}},
		{"stream error as is", &canon.StreamError{Type: "invalid_request_error", Message: "nope"}, &canon.StreamError{Type: "invalid_request_error", Message: "nope"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(Options{Thinking: true})
			evs := d.Feed(nil, text("<thinking>a</thinking>\nb"))
			evs = d.Feed(evs, tool("t1", "w", `{"x":`, false)) // pending: dropped, never half-sent
			evs = d.Feed(evs, text("c<"))
			evs = d.Fail(evs, tc.err)
			require.NoError(t, checkShape(evs))
			assert.Equal(t, []canon.Event{thinkEv("a", ""), textEv("b"), textEv("c<"), {Kind: canon.EventError, Err: tc.want}}, evs)
		})
	}
}

func TestFailFlushesHeldTagStart(t *testing.T) {
	d := NewDecoder(Options{Thinking: true})
	evs := d.Feed(nil, text("\n<thin"))
	assert.Empty(t, evs)
	evs = d.Fail(evs, io.ErrUnexpectedEOF)
	assert.Equal(t, textEv("\n<thin"), evs[0])
	assert.Equal(t, canon.EventError, evs[1].Kind)
}

func TestToolInputIsNotAliased(t *testing.T) {
	evs := play(Options{}, tool("t1", "a", `{"k":"v"}`, true))
	var r canon.Response
	for _, ev := range evs {
		require.NoError(t, r.Append(ev))
	}
	require.Len(t, r.Content, 1)
	assert.JSONEq(t, `{"k":"v"}`, string(r.Content[0].ToolUse.Input))
	assert.Equal(t, canon.StopToolUse, r.Stop)
}
