package eventstream

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"

	awses "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// frameOf is a frame with the given raw header bytes and payload, its
// lengths and checksums right.
func frameOf(headers, payload []byte) []byte {
	total := preludeLen + len(headers) + len(payload) + 4
	f := make([]byte, 0, total)
	f = binary.BigEndian.AppendUint32(f, uint32(total))
	f = binary.BigEndian.AppendUint32(f, uint32(len(headers)))
	f = binary.BigEndian.AppendUint32(f, crc32.ChecksumIEEE(f[:8]))
	f = append(append(f, headers...), payload...)
	return binary.BigEndian.AppendUint32(f, crc32.ChecksumIEEE(f))
}

// checkQuickFrame: when quickFrame decodes a frame, the AWS decoder
// decodes it too, to the same headers and payload.
func checkQuickFrame(t *testing.T, frame []byte) bool {
	t.Helper()
	hlen := binary.BigEndian.Uint32(frame[4:8])
	m, ok := quickFrame(frame, hlen)
	if !ok {
		return false
	}
	msg, err := awses.NewDecoder().Decode(bytes.NewReader(frame), nil)
	require.NoError(t, err, "the quick path took a frame the AWS decoder refuses")
	want := message{msgType: header(msg, ":message-type"), eventType: header(msg, ":event-type"), exType: header(msg, ":exception-type"),
		errCode: header(msg, ":error-code"), errMsg: header(msg, ":error-message"), payload: msg.Payload}
	if len(want.payload) == 0 {
		want.payload = m.payload[:0]
	}
	assert.Equal(t, want, m)
	return true
}

// encoded is frames as the fake (and Kiro) write them.
func encoded(t *testing.T) [][]byte {
	var out [][]byte
	for _, m := range []awses.Message{
		{Headers: awses.Headers{{Name: ":event-type", Value: awses.StringValue("assistantResponseEvent")},
			{Name: ":content-type", Value: awses.StringValue("application/json")}, {Name: ":message-type", Value: awses.StringValue("event")}},
			Payload: []byte(`{"content":"hello"}`)},
		{Headers: awses.Headers{{Name: ":exception-type", Value: awses.StringValue("ThrottlingException")},
			{Name: ":message-type", Value: awses.StringValue("exception")}}, Payload: []byte(`{"message":"slow down"}`)},
		{Headers: awses.Headers{{Name: ":message-type", Value: awses.StringValue("error")}, {Name: ":error-code", Value: awses.StringValue("X")},
			{Name: ":error-message", Value: awses.StringValue("boom")}}},
		{Headers: awses.Headers{{Name: ":message-type", Value: awses.StringValue("event")}, {Name: ":event-type", Value: awses.StringValue("somethingNew")},
			{Name: "x-number", Value: awses.Int32Value(7)}}, Payload: []byte(`{}`)},
	} {
		var buf bytes.Buffer
		require.NoError(t, awses.NewEncoder().Encode(&buf, m))
		out = append(out, buf.Bytes())
	}
	return out
}

func TestQuickFrameMatchesAWS(t *testing.T) {
	quick := 0
	for _, f := range encoded(t) {
		if checkQuickFrame(t, f) {
			quick++
		}
	}
	assert.Equal(t, 3, quick, "string-only frames take the quick path; the one with an int32 header does not")
	// Repeated header, bad message checksum, header running past its length: the AWS decoder's turn.
	dup := frameOf([]byte("\x0d:message-type\x07\x00\x05event\x0d:message-type\x07\x00\x05error"), nil)
	_, ok := quickFrame(dup, binary.BigEndian.Uint32(dup[4:8]))
	assert.False(t, ok)
	bad := append([]byte{}, encoded(t)[0]...)
	bad[len(bad)-1] ^= 1
	_, ok = quickFrame(bad, binary.BigEndian.Uint32(bad[4:8]))
	assert.False(t, ok)
	short := frameOf([]byte("\x0d:message-type\x07\x00\x09event"), nil)
	_, ok = quickFrame(short, binary.BigEndian.Uint32(short[4:8]))
	assert.False(t, ok)
}

// FuzzQuickFrameMatchesAWS builds frames (right lengths and checksums)
// around arbitrary header bytes and payloads.
func FuzzQuickFrameMatchesAWS(f *testing.F) {
	f.Add([]byte("\x0d:message-type\x07\x00\x05event\x0b:event-type\x07\x00\x16assistantResponseEvent"), []byte(`{"content":"x"}`))
	f.Add([]byte("\x0d:message-type\x07\x00\x05event\x0d:message-type\x07\x00\x05error"), []byte(nil))
	f.Add([]byte("\x0f:exception-type\x07\x00\x02Ex\x01a\x04\x00\x00\x00\x01"), []byte(`{}`))
	f.Fuzz(func(t *testing.T, headers, payload []byte) {
		checkQuickFrame(t, frameOf(headers, payload))
	})
}
