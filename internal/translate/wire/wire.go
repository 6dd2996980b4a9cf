// Package wire holds what the client-API translators share below their
// own formats: the stream writers' shape (Stream) and server-sent-events
// output with its sticky write error, JSON the way the APIs write it (no
// HTML escaping, no trailing newline), a tool call's input checked and
// compacted, the image checks both request readers make, and a message's
// content read as a string or an array of parts (Content). It is pure:
// bytes go to the io.Writer it is given.
package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"kirodesk/internal/canon"
)

// SSE writes server-sent events to a client and flushes each one. The
// first write error is sticky: Broken returns it and every later write
// returns it without writing. Not safe for concurrent use (the stream
// walker holds its lock around it).
type SSE struct {
	w     io.Writer
	flush func()
	api   string
	err   error
	buf   bytes.Buffer
	data  bytes.Buffer
	enc   *json.Encoder
}

// Init makes s write to w, calling flush (if not nil) after each event;
// api names the format in encoding errors ("anthropic", "openai").
func (s *SSE) Init(w io.Writer, flush func(), api string) {
	s.w, s.flush, s.api = w, flush, api
	s.enc = json.NewEncoder(&s.data)
	// Neither Anthropic nor OpenAI escapes <, > and & in its JSON.
	s.enc.SetEscapeHTML(false)
}

// Broken is the first write error, or nil: canon.Renderer's Broken, for
// the renderers that embed their SSE.
func (s *SSE) Broken() error { return s.err }

// Event writes "event: NAME\ndata: JSON\n\n".
func (s *SSE) Event(name string, v any) error {
	if err := s.encode(name, v); err != nil {
		return err
	}
	s.buf.Reset()
	s.buf.WriteString("event: ")
	s.buf.WriteString(name)
	s.buf.WriteString("\ndata: ")
	return s.finish()
}

// Data writes "data: JSON\n\n", an event with no name.
func (s *SSE) Data(v any) error {
	if err := s.encode("data", v); err != nil {
		return err
	}
	s.buf.Reset()
	s.buf.WriteString("data: ")
	return s.finish()
}

func (s *SSE) encode(name string, v any) error {
	s.data.Reset()
	if err := s.enc.Encode(v); err != nil {
		return fmt.Errorf("%s: encoding %s: %w", s.api, name, err)
	}
	return nil
}

func (s *SSE) finish() error {
	s.buf.Write(bytes.TrimSuffix(s.data.Bytes(), []byte{'\n'}))
	s.buf.WriteString("\n\n")
	return s.Raw(s.buf.Bytes())
}

// Raw writes b as it is (a comment, [DONE]) and flushes.
func (s *SSE) Raw(b []byte) error {
	if s.err != nil {
		return s.err
	}
	if _, err := s.w.Write(b); err != nil {
		s.err = err
		return err
	}
	if s.flush != nil {
		s.flush()
	}
	return nil
}

// Marshal encodes v as the APIs do: <, > and & unescaped, no newline.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// ImageTypes are the image media types Kiro takes, whichever API the
// image came in.
var ImageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// CheckBase64 checks an image's base64 data by decoding it into nothing,
// without holding a second copy of a multi-megabyte image.
func CheckBase64(data string) error {
	_, err := io.Copy(io.Discard, base64.NewDecoder(base64.StdEncoding, strings.NewReader(data)))
	return err
}

// ToolInput returns a tool call's input as compact JSON, {} when empty;
// an input that is not a JSON object is an error.
func ToolInput(in json.RawMessage) ([]byte, error) {
	if len(bytes.TrimSpace(in)) == 0 {
		return []byte("{}"), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, in); err != nil {
		return nil, fmt.Errorf("input is not valid JSON: %w", err)
	}
	if buf.Bytes()[0] != '{' {
		return nil, errors.New("input is not a JSON object")
	}
	return buf.Bytes(), nil
}

// Renderer is what a stream's renderer R is through its pointer: a
// canon.Renderer writing through its embedded SSE.
type Renderer[R any] interface {
	*R
	canon.Renderer
	Init(w io.Writer, flush func(), api string) // its embedded SSE's
}

// Stream is what each client API's stream writer is: a canon.Walker over
// that API's renderer R, which writes through its own SSE. The writers are
// aliases of it, so their Start, Ping and Write are the Walker's.
type Stream[R any, P Renderer[R]] struct {
	canon.Walker
	r R
}

// NewStream returns a stream that renders with r, writing to w and calling
// flush (if not nil) after each event; api names the format in errors,
// ended is what every call returns once the stream has ended.
func NewStream[R any, P Renderer[R]](r R, w io.Writer, flush func(), api string, ended error) *Stream[R, P] {
	s := &Stream[R, P]{r: r}
	p := P(&s.r)
	p.Init(w, flush, api)
	s.Walker.Init(api, ended, p)
	return s
}
