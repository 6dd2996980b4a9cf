package openai

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/transtest"
)

// recording is a recorded canon event sequence as stored under
// testdata/stream: the ChunkStart and the calls made on the writer.
type recording struct {
	Start struct {
		ID           string `json:"id"`
		Model        string `json:"model"`
		Created      int64  `json:"created"`
		InputTokens  int    `json:"input_tokens"`
		IncludeUsage bool   `json:"include_usage"`
	} `json:"start"`
	Steps []transtest.Step `json:"steps"`
}

func (r recording) chunkStart() ChunkStart {
	return ChunkStart{ID: r.Start.ID, Model: r.Start.Model, Created: r.Start.Created, IncludeUsage: r.Start.IncludeUsage, InputTokens: r.Start.InputTokens}
}

// play feeds a recording to a fresh ChunkWriter and returns the stream text,
// the number of flushes and the canon.Response the same events aggregate to
// (with the error Append returned, if any).
func play(t *testing.T, rec recording) (text string, flushes int, want canon.Response, streamErr error) {
	t.Helper()
	return transtest.Play(t, rec.Steps, rec.Start.ID, rec.Start.Model, func(w io.Writer, flush func()) transtest.Player {
		return NewChunkWriter(w, flush, rec.chunkStart())
	})
}

// parseStream splits the stream into its data payloads, checking the
// framing: every event is "data: X\n\n" (or a ": " comment), the last is
// [DONE], and nothing follows it.
func parseStream(t *testing.T, text string) []map[string]any {
	t.Helper()
	require.True(t, strings.HasSuffix(text, "data: [DONE]\n\n"), "stream must end with [DONE]")
	var out []map[string]any
	events := strings.Split(strings.TrimSuffix(text, "\n\n"), "\n\n")
	for i, ev := range events {
		if strings.HasPrefix(ev, ": ") {
			continue
		}
		data, ok := strings.CutPrefix(ev, "data: ")
		require.True(t, ok, "event %q", ev)
		require.NotContains(t, data, "\n")
		if data == "[DONE]" {
			require.Equal(t, len(events)-1, i, "[DONE] is last")
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(data), &m), data)
		out = append(out, m)
	}
	return out
}

// checkChunks asserts the shape every chunk shares.
func checkChunks(t *testing.T, rec recording, chunks []map[string]any) {
	t.Helper()
	for i, c := range chunks {
		if _, isErr := c["error"]; isErr {
			require.Equal(t, len(chunks)-1, i, "the error is the last payload")
			continue
		}
		assert.Equal(t, rec.Start.ID, c["id"], "chunk %d", i)
		assert.Equal(t, "chat.completion.chunk", c["object"])
		assert.EqualValues(t, rec.Start.Created, c["created"])
		assert.Equal(t, rec.Start.Model, c["model"])
		u, hasUsage := c["usage"]
		assert.Equal(t, rec.Start.IncludeUsage, hasUsage, "usage key present exactly with include_usage")
		choices := c["choices"].([]any)
		if len(choices) == 0 {
			require.NotNil(t, u, "only the usage chunk has no choices")
			continue
		}
		assert.Nil(t, u, "chunk %d: usage is null before the last chunk", i)
		require.Len(t, choices, 1)
		ch := choices[0].(map[string]any)
		assert.EqualValues(t, 0, ch["index"])
		assert.Contains(t, ch, "logprobs")
		assert.Nil(t, ch["logprobs"])
		assert.Contains(t, ch, "finish_reason")
	}
}

// TestChunkWriterGolden replays every testdata/stream/*.json and compares
// the stream with the .sse golden beside it.
func TestChunkWriterGolden(t *testing.T) {
	transtest.EachRecording(t, 5, func(t *testing.T, f string, rec recording) {
		text, flushes, _, _ := play(t, rec)
		assert.Equal(t, strings.Count(text, "\n\n"), flushes, "one flush per event")
		checkChunks(t, rec, parseStream(t, text))
		transtest.Golden(t, strings.TrimSuffix(f, ".json")+".sse", []byte(text))
	})
}

func stream(t *testing.T, start ChunkStart, evs ...canon.Event) []map[string]any {
	t.Helper()
	var buf bytes.Buffer
	w := NewChunkWriter(&buf, nil, start)
	for _, ev := range evs {
		require.NoError(t, w.Write(ev))
	}
	return parseStream(t, buf.String())
}

func delta(c map[string]any) map[string]any {
	return c["choices"].([]any)[0].(map[string]any)["delta"].(map[string]any)
}

func finish(c map[string]any) any {
	return c["choices"].([]any)[0].(map[string]any)["finish_reason"]
}

var stopEnd = canon.Event{Kind: canon.EventStop, Stop: canon.StopEndTurn}

func TestChunkWriterText(t *testing.T) {
	chunks := stream(t, ChunkStart{ID: "chatcmpl-x", Model: "m", Created: 1},
		canon.Event{Kind: canon.EventText, Text: "Hi"}, canon.Event{Kind: canon.EventText}, canon.Event{Kind: canon.EventText, Text: " there"}, stopEnd)
	require.Len(t, chunks, 4, "role, two deltas (the empty one is dropped), finish")
	assert.Equal(t, map[string]any{"role": "assistant", "content": ""}, delta(chunks[0]))
	assert.Equal(t, map[string]any{"content": "Hi"}, delta(chunks[1]))
	assert.Equal(t, map[string]any{"content": " there"}, delta(chunks[2]))
	assert.Equal(t, map[string]any{}, delta(chunks[3]))
	for _, c := range chunks[:3] {
		assert.Nil(t, finish(c))
	}
	assert.Equal(t, "stop", finish(chunks[3]))
}

func TestChunkWriterReasoningThenText(t *testing.T) {
	chunks := stream(t, ChunkStart{ID: "chatcmpl-x", Model: "m"},
		canon.Event{Kind: canon.EventThinking, Text: "Hmm."},
		canon.Event{Kind: canon.EventThinking, Signature: "sig"},
		canon.Event{Kind: canon.EventText, Text: "4"},
		canon.Event{Kind: canon.EventStop, Stop: canon.StopMaxTokens})
	require.Len(t, chunks, 4)
	assert.Equal(t, map[string]any{"reasoning_content": "Hmm."}, delta(chunks[1]), "signature-only thinking writes nothing")
	assert.Equal(t, map[string]any{"content": "4"}, delta(chunks[2]))
	assert.Equal(t, "length", finish(chunks[3]))
}

func TestChunkWriterTwoToolCalls(t *testing.T) {
	chunks := stream(t, ChunkStart{ID: "chatcmpl-x", Model: "m"},
		canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "a", Name: "Read", Input: json.RawMessage(`{ "p": 1 }`)}},
		canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "b", Name: "Noop"}},
		canon.Event{Kind: canon.EventStop})
	require.Len(t, chunks, 6)
	tc := func(c map[string]any) any { return delta(c)["tool_calls"] }
	assert.Equal(t, []any{map[string]any{"index": 0.0, "id": "a", "type": "function", "function": map[string]any{"name": "Read", "arguments": ""}}}, tc(chunks[1]))
	assert.Equal(t, []any{map[string]any{"index": 0.0, "function": map[string]any{"arguments": `{"p":1}`}}}, tc(chunks[2]))
	assert.Equal(t, []any{map[string]any{"index": 1.0, "id": "b", "type": "function", "function": map[string]any{"name": "Noop", "arguments": ""}}}, tc(chunks[3]))
	assert.Equal(t, []any{map[string]any{"index": 1.0, "function": map[string]any{"arguments": `{}`}}}, tc(chunks[4]))
	assert.Equal(t, "tool_calls", finish(chunks[5]), "no stop reason after a tool call means tool_calls")
}

func TestChunkWriterIncludeUsage(t *testing.T) {
	chunks := stream(t, ChunkStart{ID: "chatcmpl-x", Model: "m", IncludeUsage: true, InputTokens: 99},
		canon.Event{Kind: canon.EventText, Text: "x"},
		canon.Event{Kind: canon.EventUsage, Usage: &canon.Usage{InputTokens: 1, OutputTokens: 2, CacheCreationInputTokens: 3, CacheReadInputTokens: 4}},
		stopEnd)
	require.Len(t, chunks, 4)
	last := chunks[3]
	assert.Equal(t, []any{}, last["choices"])
	assert.Equal(t, map[string]any{"prompt_tokens": 8.0, "completion_tokens": 2.0, "total_tokens": 10.0,
		"prompt_tokens_details": map[string]any{"cached_tokens": 4.0}}, last["usage"])
	for _, c := range chunks[:3] {
		assert.Contains(t, c, "usage")
		assert.Nil(t, c["usage"])
	}

	// Without a usage event the estimate stands in.
	chunks = stream(t, ChunkStart{ID: "chatcmpl-x", Model: "m", IncludeUsage: true, InputTokens: 99}, stopEnd)
	assert.Equal(t, 99.0, chunks[len(chunks)-1]["usage"].(map[string]any)["prompt_tokens"])
	// Without include_usage there is no usage chunk and no usage key.
	chunks = stream(t, ChunkStart{ID: "chatcmpl-x", Model: "m"}, stopEnd)
	require.Len(t, chunks, 2)
	assert.NotContains(t, chunks[1], "usage")
}

func TestChunkWriterErrorMidStream(t *testing.T) {
	var buf bytes.Buffer
	w := NewChunkWriter(&buf, nil, ChunkStart{ID: "chatcmpl-x", Model: "m", IncludeUsage: true})
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventText, Text: "part"}))
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventError, Err: &canon.StreamError{Type: "overloaded_error", Message: "busy"}}))
	assert.True(t, strings.HasSuffix(buf.String(), "data: {\"error\":{\"message\":\"busy\",\"type\":\"server_error\",\"code\":null}}\n\ndata: [DONE]\n\n"), buf.String())
	assert.NotContains(t, buf.String(), "finish_reason\":\"", "no finish chunk after an error")
	assert.ErrorIs(t, w.Write(canon.Event{Kind: canon.EventText, Text: "late"}), ErrStreamEnded)
	assert.ErrorIs(t, w.Start(), ErrStreamEnded)
	assert.ErrorIs(t, w.Ping(), ErrStreamEnded)

	// An error with no detail still says something.
	buf.Reset()
	w = NewChunkWriter(&buf, nil, ChunkStart{})
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventError}))
	assert.Equal(t, "data: {\"error\":{\"message\":\"the response failed\",\"type\":\"server_error\",\"code\":null}}\n\ndata: [DONE]\n\n", buf.String(), "nothing before the error when unstarted")
}

// Too long after the stream started: OpenAI's invalid_request_error with
// the code context_length_exceeded.
func TestChunkWriterContextTooLong(t *testing.T) {
	var buf bytes.Buffer
	w := NewChunkWriter(&buf, nil, ChunkStart{ID: "chatcmpl-x", Model: "m"})
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventText, Text: "part"}))
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventError, Err: &canon.StreamError{Type: canon.ErrContextTooLong, Message: "prompt is too long: x"}}))
	assert.True(t, strings.HasSuffix(buf.String(),
		"data: {\"error\":{\"message\":\"prompt is too long: x\",\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}}\n\ndata: [DONE]\n\n"), buf.String())
}

func TestChunkWriterAfterStop(t *testing.T) {
	var buf bytes.Buffer
	w := NewChunkWriter(&buf, nil, ChunkStart{})
	require.NoError(t, w.Ping(), "ping before start writes nothing")
	assert.Empty(t, buf.String())
	require.NoError(t, w.Write(stopEnd))
	assert.ErrorIs(t, w.Write(stopEnd), ErrStreamEnded)
	assert.ErrorIs(t, w.Write(canon.Event{Kind: canon.EventError}), ErrStreamEnded)
}

func TestChunkWriterRejectsBadEvents(t *testing.T) {
	w := NewChunkWriter(&bytes.Buffer{}, nil, ChunkStart{})
	assert.Error(t, w.Write(canon.Event{Kind: canon.EventToolUse}))
	assert.Error(t, w.Write(canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: "a", Input: json.RawMessage(`[1]`)}}))
	assert.Error(t, w.Write(canon.Event{Kind: canon.EventUsage}))
	assert.Error(t, w.Write(canon.Event{Kind: 99}))
}

func TestChunkWriterStickyWriteError(t *testing.T) {
	w := NewChunkWriter(&transtest.FailWriter{N: 1}, nil, ChunkStart{})
	require.NoError(t, w.Start())
	err := w.Write(canon.Event{Kind: canon.EventText, Text: "x"})
	require.EqualError(t, err, "client went away")
	assert.Equal(t, err, w.Write(stopEnd), "the first write error is sticky")
}

// TestChunkWriterConcurrentPing runs Ping against Write under -race.
func TestChunkWriterConcurrentPing(t *testing.T) {
	var buf bytes.Buffer
	w := NewChunkWriter(&buf, nil, ChunkStart{ID: "chatcmpl-x"})
	require.NoError(t, w.Start())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			if w.Ping() != nil {
				return
			}
		}
	}()
	for i := 0; i < 50; i++ {
		require.NoError(t, w.Write(canon.Event{Kind: canon.EventText, Text: "x"}))
	}
	require.NoError(t, w.Write(stopEnd))
	wg.Wait()
	assert.Len(t, parseStream(t, buf.String()), 52)
}

// The whole answer (response.go), which the stream above renders piece by
// piece.

func TestMarshalChatResponse(t *testing.T) {
	got, err := MarshalChatResponse(transtest.SampleResponse("chatcmpl-01XYZ"), 1700000000, 5, nil)
	require.NoError(t, err)
	assert.Equal(t, `{"id":"chatcmpl-01XYZ","object":"chat.completion","created":1700000000,"model":"claude-sonnet-4-5","choices":[{"index":0,"message":{"role":"assistant",`+
		`"content":"Reading <main.go> & more","reasoning_content":"Need the file.","refusal":null,"annotations":[],"tool_calls":[`+
		`{"id":"toolu_1","type":"function","function":{"name":"Read","arguments":"{\"file_path\":\"main.go\"}"}},`+
		`{"id":"toolu_2","type":"function","function":{"name":"Noop","arguments":"{}"}}]},`+
		`"finish_reason":"tool_calls","logprobs":null}],`+
		`"usage":{"prompt_tokens":413,"completion_tokens":20,"total_tokens":433,"prompt_tokens_details":{"cached_tokens":400}}}`, string(got))
}

func TestMarshalChatResponseShapes(t *testing.T) {
	// Only tool calls: content is null.
	got, err := MarshalChatResponse(&canon.Response{ID: "c", Model: "m", Content: []canon.Block{
		{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "t", Name: "f", Input: json.RawMessage(`{}`)}},
	}}, 1, 7, nil)
	require.NoError(t, err)
	assert.Contains(t, string(got), `"message":{"role":"assistant","content":null,"refusal":null,"annotations":[],"tool_calls":[`)
	assert.Contains(t, string(got), `"finish_reason":"tool_calls"`, "empty stop after a tool call")
	assert.Contains(t, string(got), `"usage":{"prompt_tokens":7,"completion_tokens":0,"total_tokens":7,`, "the estimate stands in")

	// Empty answer: content "", no tool_calls key; text split by nothing joins.
	got, err = MarshalChatResponse(&canon.Response{ID: "c", Model: "m", Stop: canon.StopMaxTokens}, 1, 0, nil)
	require.NoError(t, err)
	assert.Contains(t, string(got), `"message":{"role":"assistant","content":"","refusal":null,"annotations":[]},"finish_reason":"length"`)

	got, err = MarshalChatResponse(&canon.Response{ID: "c", Model: "m", Stop: canon.StopEndTurn, Content: []canon.Block{
		{Type: canon.BlockText, Text: "a"},
		{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "t", Name: "f"}},
		{Type: canon.BlockText, Text: "b"},
	}}, 1, 0, nil)
	require.NoError(t, err)
	assert.Contains(t, string(got), `"content":"ab"`, "text is concatenated as a streaming client would")
	assert.Contains(t, string(got), `"finish_reason":"stop"`)

	for _, bad := range []*canon.Response{
		nil,
		{Content: []canon.Block{{Type: canon.BlockThinking}}},
		{Content: []canon.Block{{Type: canon.BlockToolUse}}},
		{Content: []canon.Block{{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{Input: json.RawMessage(`"x"`)}}}},
		{Content: []canon.Block{{Type: canon.BlockImage}}},
	} {
		_, err := MarshalChatResponse(bad, 1, 0, nil)
		assert.Error(t, err)
	}
}

func TestErrorBody(t *testing.T) {
	assert.Equal(t, `{"error":{"message":"messages: field required","type":"invalid_request_error","param":"messages","code":null}}`,
		string(ErrorBody("messages: field required", "invalid_request_error", "messages")))
	assert.Equal(t, `{"error":{"message":"<all> accounts & busy","type":"server_error","param":null,"code":null}}`,
		string(ErrorBody("<all> accounts & busy", "server_error", "")))
}
