package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSSEWritesEventsDataAndRawAndFlushesEach(t *testing.T) {
	var buf bytes.Buffer
	flushes := 0
	var s SSE
	s.Init(&buf, func() { flushes++ }, "x")
	require.NoError(t, s.Event("ping", map[string]string{"type": "<&>"}))
	require.NoError(t, s.Data([]int{1}))
	require.NoError(t, s.Raw([]byte(": c\n\n")))
	assert.Equal(t, "event: ping\ndata: {\"type\":\"<&>\"}\n\ndata: [1]\n\n: c\n\n", buf.String())
	assert.Equal(t, 3, flushes)
	assert.EqualError(t, s.Data(func() {}), "x: encoding data: json: unsupported type: func()")
}

type failing struct{ n int }

func (f *failing) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("gone")
}

func TestSSEWriteErrorIsSticky(t *testing.T) {
	f := &failing{}
	var s SSE
	s.Init(f, nil, "x")
	assert.EqualError(t, s.Data(1), "gone")
	assert.EqualError(t, s.Broken(), "gone")
	assert.EqualError(t, s.Raw([]byte("a")), "gone")
	assert.Equal(t, 1, f.n, "nothing is written after the first error")
}

func TestMarshalKeepsHTMLAndDropsTheNewline(t *testing.T) {
	b, err := Marshal("<a&b>")
	require.NoError(t, err)
	assert.Equal(t, `"<a&b>"`, string(b))
}

func TestToolInput(t *testing.T) {
	for in, want := range map[string]string{"": "{}", "  ": "{}", `{ "a" : [1, 2] }`: `{"a":[1,2]}`} {
		got, err := ToolInput(json.RawMessage(in))
		require.NoError(t, err, in)
		assert.Equal(t, want, string(got))
	}
	_, err := ToolInput(json.RawMessage(`[1]`))
	assert.EqualError(t, err, "input is not a JSON object")
	_, err = ToolInput(json.RawMessage(`{`))
	assert.ErrorContains(t, err, "input is not valid JSON")
}

func TestImageChecks(t *testing.T) {
	assert.True(t, ImageTypes["image/webp"])
	assert.False(t, ImageTypes["image/svg+xml"])
	assert.NoError(t, CheckBase64("aGVsbG8="))
	assert.Error(t, CheckBase64("not base64!"))
}
