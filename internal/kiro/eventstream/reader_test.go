package eventstream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/iotest"

	awses "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// frames encodes frames with the AWS library's Encoder (real CRCs).
type frames struct {
	t   testing.TB
	buf bytes.Buffer
	w   *Writer
}

func newFrames(t testing.TB) *frames {
	f := &frames{t: t}
	f.w = NewWriter(&f.buf)
	return f
}

func (f *frames) event(et string, payload any) *frames {
	require.NoError(f.t, f.w.Event(et, payload))
	return f
}

func (f *frames) exception(typ string, payload any) *frames {
	require.NoError(f.t, f.w.Exception(typ, payload))
	return f
}

func (f *frames) raw(m awses.Message) *frames {
	require.NoError(f.t, f.w.Frame(m))
	return f
}

func (f *frames) bytes() []byte { return bytes.Clone(f.buf.Bytes()) }

func readAll(t testing.TB, r io.Reader, opts ...Option) ([]Event, error) {
	t.Helper()
	rd := NewReader(r, opts...)
	var evs []Event
	for {
		ev, err := rd.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return evs, nil
			}
			return evs, err
		}
		evs = append(evs, ev)
	}
}

func TestReaderEvents(t *testing.T) {
	tests := []struct {
		name string
		enc  func(*frames)
		want Event
	}{
		{"text", func(f *frames) { f.event("assistantResponseEvent", map[string]any{"content": "Hello"}) },
			Event{Kind: KindText, Text: "Hello", EventType: "assistantResponseEvent"}},
		{"text with extra fields", func(f *frames) {
			f.event("assistantResponseEvent", map[string]any{"content": "x", "modelId": "claude", "future": []int{1}})
		}, Event{Kind: KindText, Text: "x", EventType: "assistantResponseEvent"}},
		{"tool use first fragment", func(f *frames) {
			f.event("toolUseEvent", map[string]any{"name": "read", "toolUseId": "t1", "input": ""})
		}, Event{Kind: KindToolUse, ToolUse: &ToolUseFragment{ID: "t1", Name: "read"}, EventType: "toolUseEvent"}},
		{"tool use fragment", func(f *frames) {
			f.event("toolUseEvent", map[string]any{"name": "read", "toolUseId": "t1", "input": `{"path":"é`})
		}, Event{Kind: KindToolUse, ToolUse: &ToolUseFragment{ID: "t1", Name: "read", Input: `{"path":"é`}, EventType: "toolUseEvent"}},
		{"tool use stop", func(f *frames) {
			f.event("toolUseEvent", map[string]any{"name": "read", "toolUseId": "t1", "stop": true})
		}, Event{Kind: KindToolUse, ToolUse: &ToolUseFragment{ID: "t1", Name: "read", Stop: true}, EventType: "toolUseEvent"}},
		{"tool use input as object", func(f *frames) {
			f.event("toolUseEvent", map[string]any{"name": "r", "toolUseId": "t2", "input": map[string]int{"a": 1}, "stop": true})
		}, Event{Kind: KindToolUse, ToolUse: &ToolUseFragment{ID: "t2", Name: "r", Input: `{"a":1}`, Stop: true}, EventType: "toolUseEvent"}},
		{"reasoning", func(f *frames) {
			f.event("reasoningContentEvent", map[string]any{"text": "hmm", "signature": "sig"})
		}, Event{Kind: KindReasoning, Text: "hmm", Reasoning: &Reasoning{Text: "hmm", Signature: "sig"}, EventType: "reasoningContentEvent"}},
		{"reasoning redacted", func(f *frames) {
			f.event("reasoningContentEvent", map[string]any{"redactedContent": "b64"})
		}, Event{Kind: KindReasoning, Reasoning: &Reasoning{RedactedContent: "b64"}, EventType: "reasoningContentEvent"}},
		{"metering", func(f *frames) {
			f.event("meteringEvent", map[string]any{"unit": "credit", "unitPlural": "credits", "usage": 0.37})
		}, Event{Kind: KindMetering, Credits: 0.37, EventType: "meteringEvent"}},
		{"context usage percent", func(f *frames) { f.event("contextUsageEvent", map[string]any{"contextUsagePercentage": 12.5}) },
			Event{Kind: KindContextUsage, ContextPercent: 12.5, EventType: "contextUsageEvent"}},
		{"context usage fraction", func(f *frames) { f.event("contextUsageEvent", map[string]any{"contextUsagePercentage": 0.25}) },
			Event{Kind: KindContextUsage, ContextPercent: 25, EventType: "contextUsageEvent"}},
		{"message metadata usage", func(f *frames) {
			f.event("messageMetadataEvent", map[string]any{"tokenUsage": map[string]int{
				"uncachedInputTokens": 10, "cacheReadInputTokens": 20, "cacheWriteInputTokens": 30, "outputTokens": 40, "totalTokens": 100}})
		}, Event{Kind: KindUsage, Usage: &TokenUsage{10, 20, 30, 40, 100}, EventType: "messageMetadataEvent"}},
		{"metadata usage without total", func(f *frames) {
			f.event("metadataEvent", map[string]any{"tokenUsage": map[string]int{"uncachedInputTokens": 1, "outputTokens": 2}})
		}, Event{Kind: KindUsage, Usage: &TokenUsage{UncachedInput: 1, Output: 2, Total: 3}, EventType: "metadataEvent"}},
		{"metadata without usage", func(f *frames) { f.event("metadataEvent", map[string]any{"conversationId": "c"}) },
			Event{Kind: KindIgnored, EventType: "metadataEvent"}},
		{"followup ignored", func(f *frames) { f.event("followupPromptEvent", map[string]any{"followupPrompt": map[string]any{}}) },
			Event{Kind: KindIgnored, EventType: "followupPromptEvent"}},
		{"code reference ignored", func(f *frames) { f.event("codeReferenceEvent", map[string]any{"references": []any{}}) },
			Event{Kind: KindIgnored, EventType: "codeReferenceEvent"}},
		{"web links ignored", func(f *frames) { f.event("supplementaryWebLinksEvent", map[string]any{}) },
			Event{Kind: KindIgnored, EventType: "supplementaryWebLinksEvent"}},
		{"invalid state ignored", func(f *frames) { f.event("invalidStateEvent", map[string]any{"reason": "x"}) },
			Event{Kind: KindIgnored, EventType: "invalidStateEvent"}},
		{"unknown event", func(f *frames) { f.event("brandNewEvent", map[string]any{"x": 1}) },
			Event{Kind: KindIgnored, EventType: "brandNewEvent"}},
		{"known event unreadable payload", func(f *frames) { f.event("assistantResponseEvent", []byte("not json")) },
			Event{Kind: KindIgnored, EventType: "assistantResponseEvent"}},
		{"exception with reason", func(f *frames) {
			f.exception("ContentLengthExceededException", map[string]any{"message": "Input is too long.", "reason": "CONTENT_LENGTH_EXCEEDS_THRESHOLD"})
		}, Event{Kind: KindException, Exception: &Exception{Type: "ContentLengthExceededException", Message: "Input is too long.", Reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD"}}},
		{"exception type from __type", func(f *frames) {
			f.raw(awses.Message{Headers: awses.Headers{{Name: ":message-type", Value: awses.StringValue("exception")}},
				Payload: []byte(`{"__type":"com.amazon.aws.codewhisperer#ThrottlingException","message":"I am experiencing high traffic","reason":"INSUFFICIENT_MODEL_CAPACITY"}`)})
		}, Event{Kind: KindException, Exception: &Exception{Type: "ThrottlingException", Message: "I am experiencing high traffic", Reason: "INSUFFICIENT_MODEL_CAPACITY"}}},
		{"error message type", func(f *frames) {
			f.raw(awses.Message{Headers: awses.Headers{
				{Name: ":message-type", Value: awses.StringValue("error")},
				{Name: ":error-code", Value: awses.StringValue("InternalServerException")},
				{Name: ":error-message", Value: awses.StringValue("boom")},
			}})
		}, Event{Kind: KindException, Exception: &Exception{Type: "InternalServerException", Message: "boom"}}},
		{"exception plain text payload", func(f *frames) { f.exception("ValidationException", []byte("bad thing")) },
			Event{Kind: KindException, Exception: &Exception{Type: "ValidationException", Message: "bad thing"}}},
		{"non-string header values tolerated", func(f *frames) {
			f.raw(awses.Message{Headers: awses.Headers{
				{Name: ":message-type", Value: awses.StringValue("event")},
				{Name: ":event-type", Value: awses.StringValue("assistantResponseEvent")},
				{Name: "x-int", Value: awses.Int32Value(7)},
				{Name: "x-bool", Value: awses.BoolValue(true)},
				{Name: "x-uuid", Value: awses.UUIDValue{1, 2, 3}},
			}, Payload: []byte(`{"content":"ok"}`)})
		}, Event{Kind: KindText, Text: "ok", EventType: "assistantResponseEvent"}},
		{"unknown message type", func(f *frames) {
			f.raw(awses.Message{Headers: awses.Headers{{Name: ":message-type", Value: awses.StringValue("ping")}}})
		}, Event{Kind: KindIgnored}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFrames(t)
			tt.enc(f)
			evs, err := readAll(t, bytes.NewReader(f.bytes()))
			require.NoError(t, err)
			require.Len(t, evs, 1)
			assert.Equal(t, tt.want, evs[0])
		})
	}
}

// TestReaderSplitUTF8 feeds a stream one byte per Read: a multi-byte
// character split across reads must come out whole.
func TestReaderSplitUTF8(t *testing.T) {
	texts := []string{"héllo ", "世界", "🙂🙃", " naïve"}
	f := newFrames(t)
	for _, s := range texts {
		f.event("assistantResponseEvent", map[string]string{"content": s})
	}
	f.event("toolUseEvent", map[string]any{"toolUseId": "t", "name": "n", "input": `{"q":"日本`})
	f.event("toolUseEvent", map[string]any{"toolUseId": "t", "name": "n", "input": `語"}`, "stop": true})
	evs, err := readAll(t, iotest.OneByteReader(bytes.NewReader(f.bytes())))
	require.NoError(t, err)
	require.Len(t, evs, 6)
	var got strings.Builder
	for _, ev := range evs[:4] {
		got.WriteString(ev.Text)
	}
	assert.Equal(t, strings.Join(texts, ""), got.String())
	var tc ToolCalls
	tc.Add(*evs[4].ToolUse)
	call, done := tc.Add(*evs[5].ToolUse)
	require.True(t, done)
	assert.Equal(t, `{"q":"日本語"}`, call.Input)
	assert.Equal(t, ToolCallComplete, call.Status)
}

func TestReaderErrors(t *testing.T) {
	good := newFrames(t).
		event("assistantResponseEvent", map[string]string{"content": "a"}).
		event("assistantResponseEvent", map[string]string{"content": "b"}).bytes()
	firstLen := int(binary.BigEndian.Uint32(good[:4]))

	flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 0x40; return b }
	tooBig := newFrames(t).event("assistantResponseEvent", map[string]string{"content": strings.Repeat("x", 200)}).bytes()

	tests := []struct {
		name    string
		data    []byte
		opts    []Option
		wantN   int // events before the error
		wantErr error
	}{
		{"payload byte flipped", flip(firstLen - 6), nil, 0, ErrChecksum},
		{"message crc flipped", flip(firstLen - 1), nil, 0, ErrChecksum},
		{"second frame header flipped", flip(firstLen + 20), nil, 1, ErrChecksum},
		{"prelude length flipped", flip(1), nil, 0, ErrChecksum},
		{"prelude crc flipped", flip(9), nil, 0, ErrChecksum},
		{"truncated in prelude", good[:firstLen+5], nil, 1, ErrTruncated},
		{"truncated in payload", good[:len(good)-3], nil, 1, ErrTruncated},
		{"frame over limit", tooBig, []Option{WithMaxFrame(64)}, 0, ErrFrameTooLarge},
		{"length below minimum", preludeOnly(8, 0), nil, 0, ErrMalformed},
		{"headers longer than frame", preludeOnly(40, 100), nil, 0, ErrMalformed},
		{"network failure", nil, nil, 0, errNet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var src io.Reader = bytes.NewReader(tt.data)
			if tt.data == nil {
				src = io.MultiReader(bytes.NewReader(good[:firstLen+3]), iotest.ErrReader(errNet))
				tt.wantN = 1
			}
			rd := NewReader(src, tt.opts...)
			n := 0
			var err error
			for {
				if _, err = rd.Next(); err != nil {
					break
				}
				n++
			}
			assert.Equal(t, tt.wantN, n)
			require.ErrorIs(t, err, tt.wantErr)
			var fe *FrameError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.wantN, fe.Frame)
			assert.NotErrorIs(t, err, io.EOF, "a broken stream must not look like a clean end")
			_, again := rd.Next()
			assert.Equal(t, err, again, "errors are sticky")
		})
	}
}

var errNet = errors.New("connection reset by peer")

// preludeOnly builds a prelude with a valid CRC and the given lengths.
func preludeOnly(total, headers uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, total)
	b = binary.BigEndian.AppendUint32(b, headers)
	b = binary.BigEndian.AppendUint32(b, crc32IEEE(b))
	return append(b, make([]byte, 64)...)
}

func TestReaderCleanEOF(t *testing.T) {
	evs, err := readAll(t, bytes.NewReader(nil))
	require.NoError(t, err)
	assert.Empty(t, evs)
	rd := NewReader(strings.NewReader(""))
	_, err = rd.Next()
	assert.Equal(t, io.EOF, err)
}

// TestReaderUnknownLoggedOnce checks that an unknown event type is logged once
// at debug level however often it appears, and never stops the stream.
func TestReaderUnknownLoggedOnce(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFrames(t)
	for range 3 {
		f.event("shinyEvent", map[string]int{"n": 1})
	}
	f.event("otherEvent", map[string]int{"n": 1})
	f.event("assistantResponseEvent", map[string]string{"content": "after"})
	evs, err := readAll(t, bytes.NewReader(f.bytes()), WithLogger(log))
	require.NoError(t, err)
	require.Len(t, evs, 5)
	assert.Equal(t, KindText, evs[4].Kind)
	assert.Equal(t, 1, strings.Count(logs.String(), "eventType=shinyEvent"), logs.String())
	assert.Equal(t, 1, strings.Count(logs.String(), "eventType=otherEvent"), logs.String())
	assert.Contains(t, logs.String(), "level=DEBUG")
}

func TestReaderReusesBuffersSafely(t *testing.T) {
	// A long frame followed by short ones: earlier events must keep their text.
	f := newFrames(t).
		event("assistantResponseEvent", map[string]string{"content": strings.Repeat("L", 5000)}).
		event("assistantResponseEvent", map[string]string{"content": "s1"}).
		event("assistantResponseEvent", map[string]string{"content": "s2"})
	evs, err := readAll(t, bytes.NewReader(f.bytes()))
	require.NoError(t, err)
	require.Len(t, evs, 3)
	assert.Equal(t, strings.Repeat("L", 5000), evs[0].Text)
	assert.Equal(t, "s1", evs[1].Text)
	assert.Equal(t, "s2", evs[2].Text)
}

func TestKindString(t *testing.T) {
	assert.Equal(t, "toolUse", KindToolUse.String())
	assert.Equal(t, "Kind(99)", Kind(99).String())
}

func TestReaderFrameReady(t *testing.T) {
	one := newFrames(t).event("assistantResponseEvent", map[string]string{"content": "a"}).buf.Bytes()
	two := append(append([]byte{}, one...), one...)

	// Both frames arrived together: after the first, the second is ready.
	rd := NewReader(bytes.NewReader(two))
	_, err := rd.Next()
	require.NoError(t, err)
	assert.True(t, rd.FrameReady())
	_, err = rd.Next()
	require.NoError(t, err)
	assert.False(t, rd.FrameReady(), "nothing left")

	// Half of the next frame is here: not ready, Next would wait.
	pr, pw := io.Pipe()
	rd = NewReader(pr)
	go func() {
		_, _ = pw.Write(append(append([]byte{}, one...), one[:len(one)/2]...))
	}()
	_, err = rd.Next()
	require.NoError(t, err)
	assert.False(t, rd.FrameReady())
	go func() { _, _ = pw.Write(one[len(one)/2:]); pw.Close() }()
	ev, err := rd.Next()
	require.NoError(t, err)
	assert.Equal(t, "a", ev.Text)
	_, err = rd.Next()
	assert.ErrorIs(t, err, io.EOF)
	assert.False(t, rd.FrameReady(), "after the end")
}
