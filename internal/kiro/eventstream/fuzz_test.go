package eventstream

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"

	awses "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// FuzzReader feeds arbitrary bytes to a Reader, whole and one byte per Read.
// It must never panic, never loop, and both ways must agree. Seeds live in
// testdata/fuzz/FuzzReader (valid Kiro-like streams) and are added here too.
func FuzzReader(f *testing.F) {
	for _, s := range seedStreams(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		whole := decodeAll(bytes.NewReader(data))
		oneByte := decodeAll(iotest.OneByteReader(bytes.NewReader(data)))
		if whole.n != oneByte.n || (whole.err == nil) != (oneByte.err == nil) {
			t.Fatalf("read boundaries changed the result: %d events/%v vs %d events/%v", whole.n, whole.err, oneByte.n, oneByte.err)
		}
		var fe *FrameError
		if whole.err != nil && !errors.As(whole.err, &fe) {
			t.Fatalf("error is not a *FrameError: %v", whole.err)
		}
		var tc ToolCalls
		for _, f := range whole.tools {
			tc.Add(f)
		}
		tc.Finish()
	})
}

type decoded struct {
	n     int
	err   error
	tools []ToolUseFragment
}

func decodeAll(r io.Reader) decoded {
	rd := NewReader(r, WithMaxFrame(1<<16))
	var d decoded
	// Every frame consumes at least 16 bytes, so a bounded loop proves the
	// reader makes progress.
	for range 1 << 20 {
		ev, err := rd.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				d.err = err
			}
			return d
		}
		d.n++
		if ev.ToolUse != nil {
			d.tools = append(d.tools, *ev.ToolUse)
		}
	}
	panic("reader did not finish")
}

// seedStreams are small valid responses covering every event shape.
func seedStreams(tb testing.TB) [][]byte {
	a := newFrames(tb).
		event("assistantResponseEvent", map[string]string{"content": "Hello, wörld 🙂"}).
		event("meteringEvent", map[string]any{"unit": "credit", "unitPlural": "credits", "usage": 0.12}).
		event("contextUsageEvent", map[string]any{"contextUsagePercentage": 3.2})
	b := newFrames(tb).
		event("reasoningContentEvent", map[string]any{"text": "think", "signature": "s"}).
		event("toolUseEvent", map[string]any{"name": "read", "toolUseId": "t1", "input": ""}).
		event("toolUseEvent", map[string]any{"name": "read", "toolUseId": "t1", "input": `{"path":`}).
		event("toolUseEvent", map[string]any{"name": "read", "toolUseId": "t1", "input": `"/etc"}`}).
		event("toolUseEvent", map[string]any{"name": "read", "toolUseId": "t1", "stop": true}).
		event("messageMetadataEvent", map[string]any{"tokenUsage": map[string]int{"uncachedInputTokens": 5, "outputTokens": 7}})
	c := newFrames(tb).
		event("followupPromptEvent", map[string]any{}).
		event("somethingNew", map[string]any{"x": 1}).
		exception("ThrottlingException", map[string]any{"message": "Too many requests", "reason": "INSUFFICIENT_MODEL_CAPACITY"})
	return [][]byte{a.bytes(), b.bytes(), c.bytes()}
}

// TestWriteFuzzSeeds rewrites the committed corpus: go test -run TestWriteFuzzSeeds -update-seeds
func TestWriteFuzzSeeds(t *testing.T) {
	if !*updateSeeds {
		t.Skip("pass -update-seeds to rewrite testdata/fuzz/FuzzReader")
	}
	writeSeeds(t, seedStreams(t))
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the FuzzReader seed corpus")

func writeSeeds(t *testing.T, seeds [][]byte) {
	dir := filepath.Join("testdata", "fuzz", "FuzzReader")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range seeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-stream-%d", i+1)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzEventPayload gets past the CRCs that shield most of FuzzReader's
// mutations: it builds one well-formed frame around fuzzed headers and
// payload, so the JSON handling of every event type is exercised.
func FuzzEventPayload(f *testing.F) {
	f.Add("event", "toolUseEvent", []byte(`{"name":"a","toolUseId":"1","input":{"x":[1]},"stop":true}`))
	f.Add("event", "contextUsageEvent", []byte(`{"contextUsagePercentage":1e308}`))
	f.Add("event", "messageMetadataEvent", []byte(`{"tokenUsage":{"outputTokens":-1}}`))
	f.Add("exception", "", []byte(`{"__type":"#","message":null}`))
	f.Add("error", "assistantResponseEvent", []byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, msgType, eventType string, payload []byte) {
		if len(msgType) > 200 || len(eventType) > 200 {
			return // header values are short strings on the wire
		}
		var buf bytes.Buffer
		m := awses.Message{Headers: awses.Headers{
			{Name: ":message-type", Value: awses.StringValue(msgType)},
			{Name: ":event-type", Value: awses.StringValue(eventType)},
		}, Payload: payload}
		if err := NewWriter(&buf).Frame(m); err != nil {
			t.Skip(err)
		}
		rd := NewReader(&buf)
		ev, err := rd.Next()
		if err != nil {
			t.Fatalf("well-formed frame refused: %v", err)
		}
		if ev.Kind == KindException && ev.Exception == nil || ev.Kind == KindToolUse && ev.ToolUse == nil || ev.Kind == KindUsage && ev.Usage == nil {
			t.Fatalf("kind %v without its field", ev.Kind)
		}
		if _, err := rd.Next(); !errors.Is(err, io.EOF) {
			t.Fatalf("want EOF after the only frame, got %v", err)
		}
	})
}
