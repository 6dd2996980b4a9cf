package anthropic

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/transtest"
)

// recording is a recorded canon event sequence as stored under
// testdata/stream: the message_start facts and the calls made on the writer.
type recording struct {
	Message struct {
		ID          string `json:"id"`
		Model       string `json:"model"`
		InputTokens int    `json:"input_tokens"`
	} `json:"message"`
	Steps []transtest.Step `json:"steps"`
}

// play feeds a recording to a fresh SSEWriter and returns the SSE text, the
// number of flushes and the canon.Response the same events aggregate to
// (with the error Append returned, if any).
func play(t *testing.T, rec recording) (sse string, flushes int, want canon.Response, streamErr error) {
	t.Helper()
	return transtest.Play(t, rec.Steps, rec.Message.ID, rec.Message.Model, func(w io.Writer, flush func()) transtest.Player {
		return NewSSEWriter(w, flush, rec.messageStart())
	})
}

func (r recording) messageStart() MessageStart {
	return MessageStart{ID: r.Message.ID, Model: r.Message.Model, InputTokens: r.Message.InputTokens}
}

// sseEvent is one parsed server-sent event.
type sseEvent struct {
	Name string
	Data map[string]any
}

// parseSSE splits SSE text into events, checking the framing: each event is
// exactly "event: NAME\ndata: JSON\n\n".
func parseSSE(t *testing.T, text string) []sseEvent {
	t.Helper()
	require.True(t, strings.HasSuffix(text, "\n\n") || text == "", "stream must end with a blank line")
	var out []sseEvent
	for _, chunk := range strings.Split(strings.TrimSuffix(text, "\n\n"), "\n\n") {
		if chunk == "" {
			continue
		}
		lines := strings.Split(chunk, "\n")
		require.Len(t, lines, 2, "event %q", chunk)
		name, ok := strings.CutPrefix(lines[0], "event: ")
		require.True(t, ok, "line %q", lines[0])
		data, ok := strings.CutPrefix(lines[1], "data: ")
		require.True(t, ok, "line %q", lines[1])
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(data), &m), data)
		require.Equal(t, name, m["type"], "the data's type matches the event name")
		out = append(out, sseEvent{Name: name, Data: m})
	}
	return out
}

// checkGrammar asserts the sequence Anthropic's clients rely on: one
// message_start first (unless the stream is only an error), blocks opened
// with consecutive indexes and closed before the next opens, and the end
// being message_delta + message_stop or a single error event.
func checkGrammar(t *testing.T, evs []sseEvent) {
	t.Helper()
	require.NotEmpty(t, evs)
	if evs[0].Name == "error" {
		require.Len(t, evs, 1, "an unstarted error stream is the error alone")
		return
	}
	require.Equal(t, "message_start", evs[0].Name)
	open, next := -1, 0
	ended := false
	for i, ev := range evs[1:] {
		require.False(t, ended, "event %d (%s) after the end", i+1, ev.Name)
		switch ev.Name {
		case "ping":
		case "content_block_start":
			require.Equal(t, -1, open, "block opened while %d is open", open)
			require.EqualValues(t, next, ev.Data["index"])
			open = next
			next++
		case "content_block_delta":
			require.EqualValues(t, open, ev.Data["index"])
		case "content_block_stop":
			require.EqualValues(t, open, ev.Data["index"])
			open = -1
		case "message_delta":
			require.Equal(t, -1, open, "message_delta with a block open")
			require.Equal(t, "message_stop", evs[i+2].Name)
			usage := ev.Data["usage"].(map[string]any)
			for _, k := range []string{"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens"} {
				assert.Contains(t, usage, k, "message_delta usage")
			}
			delta := ev.Data["delta"].(map[string]any)
			assert.Contains(t, delta, "stop_sequence")
			assert.Nil(t, delta["stop_sequence"])
		case "message_stop":
			ended = true
		case "error":
			require.Equal(t, -1, open, "error with a block open")
			ended = true
		default:
			t.Fatalf("unexpected event %q", ev.Name)
		}
	}
	require.True(t, ended, "stream has no end")
}

// TestSSEWriterGolden plays every recorded sequence and compares the SSE
// text with the golden .sse file.
func TestSSEWriterGolden(t *testing.T) {
	transtest.EachRecording(t, 8, func(t *testing.T, f string, rec recording) {
		sse, flushes, _, _ := play(t, rec)
		evs := parseSSE(t, sse)
		assert.Equal(t, len(evs), flushes, "one flush per event")
		checkGrammar(t, evs)
		transtest.Golden(t, strings.TrimSuffix(f, ".json")+".sse", []byte(sse))
	})
}

func names(evs []sseEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Name
		if e.Name == "content_block_start" {
			out[i] += ":" + e.Data["content_block"].(map[string]any)["type"].(string)
		}
		if e.Name == "content_block_delta" {
			out[i] += ":" + e.Data["delta"].(map[string]any)["type"].(string)
		}
	}
	return out
}

func playFile(t *testing.T, name string) []sseEvent {
	t.Helper()
	sse, _, _, _ := play(t, transtest.LoadStrict[recording](t, filepath.Join("testdata/stream", name+".json")))
	return parseSSE(t, sse)
}

func TestSSEWriterTextOnly(t *testing.T) {
	evs := playFile(t, "text_only")
	assert.Equal(t, []string{
		"message_start",
		"content_block_start:text", "content_block_delta:text_delta", "content_block_delta:text_delta", "content_block_stop",
		"message_delta", "message_stop",
	}, names(evs))
	msg := evs[0].Data["message"].(map[string]any)
	assert.Equal(t, "msg_01", msg["id"])
	assert.Equal(t, []any{}, msg["content"])
	assert.Nil(t, msg["stop_reason"])
	assert.EqualValues(t, 12, msg["usage"].(map[string]any)["input_tokens"], "message_start carries the estimate")
	assert.Equal(t, "end_turn", evs[5].Data["delta"].(map[string]any)["stop_reason"])
	assert.EqualValues(t, 15, evs[5].Data["usage"].(map[string]any)["input_tokens"], "message_delta carries the final usage")
}

func TestSSEWriterThinkingThenText(t *testing.T) {
	evs := playFile(t, "thinking_then_text")
	assert.Equal(t, []string{
		"message_start",
		"content_block_start:thinking", "content_block_delta:thinking_delta", "content_block_delta:thinking_delta", "content_block_delta:signature_delta", "content_block_stop",
		"content_block_start:text", "content_block_delta:text_delta", "content_block_stop",
		"message_delta", "message_stop",
	}, names(evs))
	assert.Equal(t, map[string]any{"type": "thinking", "thinking": "", "signature": ""}, evs[1].Data["content_block"])
	assert.Equal(t, "EqQBCkYIBxgCKkA=", evs[4].Data["delta"].(map[string]any)["signature"])
	assert.EqualValues(t, 1, evs[6].Data["index"])
}

func TestSSEWriterTextToolText(t *testing.T) {
	evs := playFile(t, "text_tool_text")
	assert.Equal(t, []string{
		"message_start", "ping",
		"content_block_start:text", "content_block_delta:text_delta", "content_block_stop",
		"content_block_start:tool_use", "content_block_delta:input_json_delta", "content_block_stop",
		"content_block_start:text", "content_block_delta:text_delta", "content_block_delta:text_delta", "content_block_stop",
		"message_delta", "message_stop",
	}, names(evs))
	tool := evs[5].Data["content_block"].(map[string]any)
	assert.Equal(t, map[string]any{"type": "tool_use", "id": "toolu_01", "name": "Read", "input": map[string]any{}}, tool)
	assert.Equal(t, `{"file_path":"/tmp/a.go","limit":10}`, evs[6].Data["delta"].(map[string]any)["partial_json"], "the whole input, compact, in one delta")
	assert.EqualValues(t, 2, evs[8].Data["index"], "text after a tool is a new block")
	assert.Equal(t, "tool_use", evs[12].Data["delta"].(map[string]any)["stop_reason"])
}

func TestSSEWriterTwoTools(t *testing.T) {
	evs := playFile(t, "two_tools")
	assert.Equal(t, []string{
		"message_start",
		"content_block_start:tool_use", "content_block_delta:input_json_delta", "content_block_stop",
		"content_block_start:tool_use", "content_block_delta:input_json_delta", "content_block_stop",
		"message_delta", "message_stop",
	}, names(evs))
	assert.EqualValues(t, 1, evs[4].Data["index"])
	assert.Equal(t, "{}", evs[5].Data["delta"].(map[string]any)["partial_json"])
	assert.Equal(t, "tool_use", evs[7].Data["delta"].(map[string]any)["stop_reason"], "an empty stop reason after a tool call is tool_use")
	assert.Equal(t, map[string]any{"input_tokens": 7.0, "output_tokens": 0.0, "cache_creation_input_tokens": 0.0, "cache_read_input_tokens": 0.0},
		evs[7].Data["usage"], "without a usage event, the estimate stands")
}

func TestSSEWriterErrorMidBlock(t *testing.T) {
	evs := playFile(t, "error_mid_block")
	assert.Equal(t, []string{
		"message_start",
		"content_block_start:text", "content_block_delta:text_delta", "content_block_stop",
		"error",
	}, names(evs))
	assert.Equal(t, map[string]any{"type": "error", "error": map[string]any{"type": "overloaded_error", "message": "Kiro stopped the response: ThrottlingException"}}, evs[4].Data)
}

func TestSSEWriterErrorBeforeAnyBlock(t *testing.T) {
	evs := playFile(t, "error_before_block")
	assert.Equal(t, []string{"message_start", "error"}, names(evs))

	evs = playFile(t, "error_unstarted")
	assert.Equal(t, []string{"error"}, names(evs), "an error before Start writes no message_start")
}

// A conversation refused as too long after the answer started is
// Anthropic's invalid_request_error, whose "prompt is too long" Claude
// Code compacts on.
func TestSSEWriterContextTooLong(t *testing.T) {
	var buf bytes.Buffer
	w := NewSSEWriter(&buf, nil, MessageStart{ID: "m"})
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventText, Text: "a"}))
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventError, Err: &canon.StreamError{Type: canon.ErrContextTooLong, Message: "prompt is too long: x"}}))
	evs := parseSSE(t, buf.String())
	last := evs[len(evs)-1]
	assert.Equal(t, "error", last.Name)
	assert.Equal(t, map[string]any{"type": "error", "error": map[string]any{"type": "invalid_request_error", "message": "prompt is too long: x"}}, last.Data)
}

func TestSSEWriterUsageFields(t *testing.T) {
	evs := playFile(t, "thinking_then_text")
	md := evs[len(evs)-2]
	require.Equal(t, "message_delta", md.Name)
	assert.Equal(t, map[string]any{
		"input_tokens":                90.0,
		"output_tokens":               20.0,
		"cache_creation_input_tokens": 50.0,
		"cache_read_input_tokens":     1000.0,
	}, md.Data["usage"])
	start := evs[0].Data["message"].(map[string]any)["usage"].(map[string]any)
	for _, k := range []string{"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens"} {
		assert.Contains(t, start, k, "message_start usage")
	}
}

func TestSSEWriterEndsAfterStopOrError(t *testing.T) {
	for _, last := range []canon.Event{
		{Kind: canon.EventStop, Stop: canon.StopEndTurn},
		{Kind: canon.EventError, Err: &canon.StreamError{Type: "api_error", Message: "x"}},
	} {
		var buf bytes.Buffer
		w := NewSSEWriter(&buf, nil, MessageStart{ID: "m"})
		require.NoError(t, w.Write(canon.Event{Kind: canon.EventText, Text: "a"}))
		require.NoError(t, w.Write(last))
		n := buf.Len()
		assert.ErrorIs(t, w.Write(canon.Event{Kind: canon.EventText, Text: "b"}), ErrStreamEnded)
		assert.ErrorIs(t, w.Ping(), ErrStreamEnded)
		assert.ErrorIs(t, w.Start(), ErrStreamEnded)
		assert.Equal(t, n, buf.Len(), "nothing written after the end")
	}
}

func TestSSEWriterStartIsIdempotent(t *testing.T) {
	var buf bytes.Buffer
	w := NewSSEWriter(&buf, nil, MessageStart{ID: "m"})
	require.NoError(t, w.Start())
	require.NoError(t, w.Start())
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventText, Text: "a"}))
	assert.Equal(t, 1, strings.Count(buf.String(), "event: message_start\n"))
}

func TestSSEWriterPingBeforeStartWritesNothing(t *testing.T) {
	var buf bytes.Buffer
	flushed := 0
	w := NewSSEWriter(&buf, func() { flushed++ }, MessageStart{ID: "m"})
	require.NoError(t, w.Ping())
	assert.Zero(t, buf.Len())
	assert.Zero(t, flushed)
	require.NoError(t, w.Start())
	require.NoError(t, w.Ping())
	assert.Equal(t, []string{"message_start", "ping"}, names(parseSSE(t, buf.String())))
}

func TestSSEWriterSkipsEmptyDeltas(t *testing.T) {
	var buf bytes.Buffer
	w := NewSSEWriter(&buf, nil, MessageStart{ID: "m"})
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventText}))
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventThinking}))
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventStop, Stop: canon.StopEndTurn}))
	assert.Equal(t, []string{"message_start", "message_delta", "message_stop"}, names(parseSSE(t, buf.String())))
}

func TestSSEWriterRejectsBadEvents(t *testing.T) {
	var buf bytes.Buffer
	w := NewSSEWriter(&buf, nil, MessageStart{ID: "m"})
	assert.Error(t, w.Write(canon.Event{Kind: canon.EventToolUse}))
	assert.Error(t, w.Write(canon.Event{Kind: canon.EventUsage}))
	assert.Error(t, w.Write(canon.Event{Kind: 99}))
	err := w.Write(canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "t", Name: "n", Input: json.RawMessage(`{"a":`)}})
	assert.ErrorContains(t, err, "tool_use t: input is not valid JSON")
	err = w.Write(canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "t", Name: "n", Input: json.RawMessage(`[1]`)}})
	assert.ErrorContains(t, err, "input is not a JSON object")
	assert.NotContains(t, buf.String(), "tool_use", "a rejected tool call writes nothing")
	// The writer is still usable.
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventStop, Stop: canon.StopEndTurn}))
	checkGrammar(t, parseSSE(t, buf.String()))
}

func TestSSEWriterWriteErrorIsSticky(t *testing.T) {
	flushed := 0
	w := NewSSEWriter(&transtest.FailWriter{N: 1}, func() { flushed++ }, MessageStart{ID: "m"})
	require.NoError(t, w.Start())
	err := w.Write(canon.Event{Kind: canon.EventText, Text: "a"})
	require.EqualError(t, err, "client went away")
	assert.EqualError(t, w.Write(canon.Event{Kind: canon.EventText, Text: "b"}), "client went away")
	assert.EqualError(t, w.Ping(), "client went away")
	assert.Equal(t, 1, flushed, "no flush after a failed write")
}

// TestSSEWriterConcurrentPing runs a ping ticker against the event loop, as
// the server does; under -race it checks the writer's locking, and the
// output must still be well-formed.
func TestSSEWriterConcurrentPing(t *testing.T) {
	var buf bytes.Buffer
	w := NewSSEWriter(&buf, nil, MessageStart{ID: "m"})
	require.NoError(t, w.Start())
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				if w.Ping() != nil {
					return
				}
			}
		}
	})
	for i := range 200 {
		if i%50 == 49 {
			require.NoError(t, w.Write(canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "t", Name: "n", Input: json.RawMessage(`{}`)}}))
		}
		require.NoError(t, w.Write(canon.Event{Kind: canon.EventText, Text: "x"}))
	}
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventStop}))
	close(stop)
	wg.Wait()
	evs := parseSSE(t, buf.String())
	checkGrammar(t, evs)
}

// The whole answer (response.go), which the stream above renders piece by
// piece.

func TestMarshalResponse(t *testing.T) {
	got, err := MarshalResponse(transtest.SampleResponse("msg_01XYZ"))
	require.NoError(t, err)
	assert.Equal(t, `{"id":"msg_01XYZ","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[`+
		`{"type":"thinking","thinking":"Need the file.","signature":"c2ln"},`+
		`{"type":"text","text":"Reading <main.go> & more"},`+
		`{"type":"tool_use","id":"toolu_1","name":"Read","input":{"file_path":"main.go"}},`+
		`{"type":"tool_use","id":"toolu_2","name":"Noop","input":{}}],`+
		`"stop_reason":"tool_use","stop_sequence":null,`+
		`"usage":{"input_tokens":10,"cache_creation_input_tokens":3,"cache_read_input_tokens":400,"output_tokens":20}}`, string(got))
}

func TestMarshalResponseEmptyAndDefaults(t *testing.T) {
	got, err := MarshalResponse(&canon.Response{ID: "m", Model: "x"})
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(got, &m))
	assert.Equal(t, []any{}, m["content"], "content is an array even when empty")
	assert.Equal(t, "end_turn", m["stop_reason"])
	assert.Contains(t, m, "stop_sequence")

	got, err = MarshalResponse(&canon.Response{Content: []canon.Block{{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "t", Name: "n"}}}})
	require.NoError(t, err)
	assert.Contains(t, string(got), `"stop_reason":"tool_use"`, "an empty stop reason after a tool call is tool_use")
}

func TestMarshalResponseRejectsBadContent(t *testing.T) {
	for name, b := range map[string]canon.Block{
		"image":            {Type: canon.BlockImage, Image: &canon.Image{}},
		"nil thinking":     {Type: canon.BlockThinking},
		"nil tool use":     {Type: canon.BlockToolUse},
		"broken input":     {Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "t", Input: json.RawMessage(`{"a"`)}},
		"non-object input": {Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "t", Input: json.RawMessage(`"s"`)}},
	} {
		_, err := MarshalResponse(&canon.Response{Content: []canon.Block{b}})
		assert.Error(t, err, name)
	}
	_, err := MarshalResponse(nil)
	assert.Error(t, err)
}

func TestErrorBody(t *testing.T) {
	assert.Equal(t, `{"type":"error","error":{"type":"overloaded_error","message":"Kiro is busy <retry>"}}`,
		string(ErrorBody("overloaded_error", "Kiro is busy <retry>")))
}
