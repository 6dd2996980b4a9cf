package eventstream

import (
	"encoding/json"
	"io"

	awses "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// Writer encodes frames the way Kiro sends them (string headers, JSON
// payloads, real CRCs). Tests and the fake upstream use it; the proxy itself
// only reads. Not safe for concurrent use.
type Writer struct {
	w   io.Writer
	enc *awses.Encoder
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w, enc: awses.NewEncoder()} }

// Event writes one `:message-type event` frame with payload marshalled to JSON
// (a []byte or json.RawMessage payload is written as is).
func (w *Writer) Event(eventType string, payload any) error {
	return w.typed("event", eventType, payload)
}

// Exception writes one `:message-type exception` frame.
func (w *Writer) Exception(exceptionType string, payload any) error {
	return w.typed("exception", exceptionType, payload)
}

// typed writes a JSON frame of a message type ("event" or "exception")
// with its `:<messageType>-type` header, in the header order Kiro uses.
func (w *Writer) typed(messageType, typ string, payload any) error {
	b, err := payloadBytes(payload)
	if err != nil {
		return err
	}
	return w.Frame(awses.Message{Headers: awses.Headers{
		{Name: ":" + messageType + "-type", Value: awses.StringValue(typ)},
		{Name: ":content-type", Value: awses.StringValue("application/json")},
		{Name: ":message-type", Value: awses.StringValue(messageType)},
	}, Payload: b})
}

// Frame writes an arbitrary message.
func (w *Writer) Frame(m awses.Message) error { return w.enc.Encode(w.w, m) }

func payloadBytes(p any) ([]byte, error) {
	switch v := p.(type) {
	case []byte:
		return v, nil
	case json.RawMessage:
		return v, nil
	}
	return json.Marshal(p)
}
