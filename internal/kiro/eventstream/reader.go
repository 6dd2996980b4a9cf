// Package eventstream decodes the body of a Kiro generateAssistantResponse
// answer: an AWS event stream (application/vnd.amazon.eventstream) whose frames
// carry JSON events (kiro-protocol.md section 5).
//
// Contract:
//   - Frames are read whole from the byte stream before anything is decoded,
//     so a multi-byte character split across network reads is never cut.
//   - Both CRCs are checked (the prelude CRC by this package before it trusts
//     the length, then both again by the AWS SDK's Decoder). A bad CRC, a
//     truncated frame or an oversized frame is a *FrameError and ends the
//     stream: every later Next returns the same error.
//   - Unknown event types are never fatal: they come back as KindIgnored and
//     are logged once per type at debug level. A known event whose JSON payload
//     cannot be read is logged at warn level and also comes back as KindIgnored.
//
// A Reader is not safe for concurrent use; one goroutine owns one response.
// ToolCalls assembles toolUseEvent fragments into whole tool calls.
package eventstream

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"strings"
	"sync"

	awses "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// DefaultMaxFrame is the largest frame a Reader accepts unless told otherwise.
// Kiro's frames are a few kilobytes; the bound keeps a corrupt length from
// making us buffer a whole response or allocate gigabytes.
const DefaultMaxFrame = 8 << 20

const (
	preludeLen = 12 // total length, headers length, prelude CRC
	minFrame   = preludeLen + 4

	// maxLoggedTypes bounds the memory a hostile stream of ever-new event
	// types can make the once-per-type log cost.
	maxLoggedTypes = 64
)

// Kind says what an Event carries.
type Kind int

// The kinds of Event.
const (
	KindIgnored      Kind = iota // unknown or deliberately ignored event
	KindText                     // Event.Text: assistant text delta
	KindToolUse                  // Event.ToolUse: one tool-call fragment
	KindReasoning                // Event.Reasoning (and Event.Text = its text)
	KindMetering                 // Event.Credits
	KindContextUsage             // Event.ContextPercent
	KindUsage                    // Event.Usage
	KindException                // Event.Exception
)

var kindNames = [...]string{"ignored", "text", "toolUse", "reasoning", "metering", "contextUsage", "usage", "exception"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Event is one decoded frame. Only the fields of its Kind are set.
type Event struct {
	Kind           Kind
	Text           string
	ToolUse        *ToolUseFragment
	Reasoning      *Reasoning
	Credits        float64
	ContextPercent float64
	Usage          *TokenUsage
	Exception      *Exception
	// EventType is the raw :event-type header (for exceptions: the
	// :exception-type, or :error-code).
	EventType string
}

// ToolUseFragment is one toolUseEvent: a piece of a tool call's input.
type ToolUseFragment struct {
	ID    string
	Name  string
	Input string // a fragment of the JSON input, to be concatenated per ID
	Stop  bool
}

// Reasoning is a reasoningContentEvent.
type Reasoning struct {
	Text            string
	Signature       string
	RedactedContent string
}

// TokenUsage is the tokenUsage object of a metadata event.
type TokenUsage struct {
	UncachedInput int `json:"uncachedInputTokens"`
	CacheRead     int `json:"cacheReadInputTokens"`
	CacheWrite    int `json:"cacheWriteInputTokens"`
	Output        int `json:"outputTokens"`
	Total         int `json:"totalTokens"`
}

// Exception is a frame whose :message-type is exception or error.
type Exception struct {
	Type    string // e.g. ThrottlingException, ContentLengthExceededException
	Message string
	Reason  string // e.g. CONTENT_LENGTH_EXCEEDS_THRESHOLD; empty when absent
}

func (e *Exception) Error() string {
	s := "kiro " + e.Type
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// Sentinel causes carried by a *FrameError.
var (
	ErrChecksum      = errors.New("checksum mismatch")
	ErrTruncated     = errors.New("stream ended inside a frame")
	ErrFrameTooLarge = errors.New("frame larger than the limit")
	ErrMalformed     = errors.New("malformed frame")
)

// FrameError is a fatal decoding error: the stream cannot be trusted past it.
// Err is one of ErrChecksum, ErrTruncated, ErrFrameTooLarge, ErrMalformed, or
// the reader's own error (a network failure).
type FrameError struct {
	Frame  int   // 0-based index of the frame being read
	Offset int64 // byte offset at which that frame starts
	Err    error
	Detail string
}

func (e *FrameError) Error() string {
	s := fmt.Sprintf("eventstream: frame %d at byte %d: %v", e.Frame, e.Offset, e.Err)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func (e *FrameError) Unwrap() error { return e.Err }

// Option configures a Reader.
type Option func(*Reader)

// WithLogger sets where unknown events and unreadable payloads are logged.
func WithLogger(l *slog.Logger) Option {
	return func(r *Reader) {
		if l != nil {
			r.log = l
		}
	}
}

// WithMaxFrame sets the largest accepted frame, in bytes (at least 16).
func WithMaxFrame(n int) Option {
	return func(r *Reader) {
		if n >= minFrame {
			r.maxFrame = n
		}
	}
}

// Reader decodes events from an event-stream body.
type Reader struct {
	src      *bufio.Reader
	log      *slog.Logger
	maxFrame int
	dec      *awses.Decoder
	buf      []byte
	frameRd  bytes.Reader // over buf, reused: one frame at a time
	payload  []byte
	frame    int
	offset   int64
	err      error
	seen     map[string]bool // unknown event types already logged
}

// sources keeps the 16 KB read buffers of finished answers (Release) for
// the next ones: with 64 answers streaming, a fresh buffer per answer was
// garbage enough to lift the serve process's heap after load.
var sources = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 16<<10) }}

// NewReader returns a Reader of r. Release gives its buffer back when the
// answer is done.
func NewReader(r io.Reader, opts ...Option) *Reader {
	src := sources.Get().(*bufio.Reader)
	src.Reset(r)
	rd := &Reader{src: src, log: slog.New(slog.DiscardHandler), maxFrame: DefaultMaxFrame, dec: awses.NewDecoder()}
	for _, o := range opts {
		o(rd)
	}
	return rd
}

// Release hands the Reader's read buffer back for another answer. The
// Reader must not be used afterwards; Release twice is harmless.
func (rd *Reader) Release() {
	if rd.src == nil {
		return
	}
	rd.src.Reset(nil) // drop the body it read from
	sources.Put(rd.src)
	rd.src = nil
}

// FrameReady reports whether a whole next frame has already arrived, so
// that Next will not wait on the network. A relay writing to a client uses it
// to coalesce writes: it flushes when the next frame is not here yet, never
// holding bytes back while it waits.
func (r *Reader) FrameReady() bool {
	if r.err != nil {
		return false
	}
	n := r.src.Buffered()
	if n < preludeLen {
		return false
	}
	p, err := r.src.Peek(4) // already buffered: does not block
	return err == nil && uint64(n) >= uint64(binary.BigEndian.Uint32(p))
}

// Next returns the next event. It returns io.EOF when the stream ends cleanly
// between frames and a *FrameError when it cannot be decoded; after either,
// it keeps returning the same error.
func (r *Reader) Next() (Event, error) {
	if r.err != nil {
		return Event{}, r.err
	}
	msg, err := r.readFrame()
	if err != nil {
		r.err = err
		return Event{}, err
	}
	r.frame++
	return r.event(&msg), nil
}

func (r *Reader) fail(cause error, detail string) error {
	return &FrameError{Frame: r.frame, Offset: r.offset, Err: cause, Detail: detail}
}

// message is a decoded frame: the headers Kirodesk reads, and the payload
// (in the Reader's buffer: valid until the next frame is read).
type message struct {
	msgType, eventType, exType, errCode, errMsg string
	payload                                     []byte
}

// readFrame reads exactly one frame into r.buf and decodes it.
func (r *Reader) readFrame() (message, error) {
	if cap(r.buf) < preludeLen {
		r.buf = make([]byte, preludeLen, 4096)
	}
	pre := r.buf[:preludeLen]
	n, err := io.ReadFull(r.src, pre)
	switch {
	case n == 0 && errors.Is(err, io.EOF):
		return message{}, io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		return message{}, r.fail(ErrTruncated, fmt.Sprintf("%d of %d prelude bytes", n, preludeLen))
	case err != nil:
		return message{}, r.fail(err, "")
	}
	total := binary.BigEndian.Uint32(pre[0:4])
	hlen := binary.BigEndian.Uint32(pre[4:8])
	if crc32.ChecksumIEEE(pre[:8]) != binary.BigEndian.Uint32(pre[8:12]) {
		return message{}, r.fail(ErrChecksum, "prelude")
	}
	if total < minFrame || uint64(hlen) > uint64(total)-minFrame {
		return message{}, r.fail(ErrMalformed, fmt.Sprintf("length %d with %d header bytes", total, hlen))
	}
	if uint64(total) > uint64(r.maxFrame) {
		return message{}, r.fail(ErrFrameTooLarge, fmt.Sprintf("%d > %d bytes", total, r.maxFrame))
	}
	if cap(r.buf) < int(total) {
		nb := make([]byte, total)
		copy(nb, pre)
		r.buf = nb
	}
	frame := r.buf[:total]
	if n, err := io.ReadFull(r.src, frame[preludeLen:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return message{}, r.fail(ErrTruncated, fmt.Sprintf("%d of %d bytes", preludeLen+n, total))
		}
		return message{}, r.fail(err, "")
	}
	if m, ok := quickFrame(frame, hlen); ok {
		r.offset += int64(total)
		return m, nil
	}
	r.frameRd.Reset(frame)
	msg, err := r.dec.Decode(&r.frameRd, r.payload)
	if err != nil {
		var ce awses.ChecksumError
		if errors.As(err, &ce) {
			return message{}, r.fail(ErrChecksum, "message")
		}
		return message{}, r.fail(ErrMalformed, err.Error())
	}
	r.payload = msg.Payload[:0]
	r.offset += int64(total)
	return message{msgType: header(msg, ":message-type"), eventType: header(msg, ":event-type"), exType: header(msg, ":exception-type"),
		errCode: header(msg, ":error-code"), errMsg: header(msg, ":error-message"), payload: msg.Payload}, nil
}

func header(m awses.Message, name string) string {
	if v := m.Headers.Get(name); v != nil {
		if s, ok := v.(awses.StringValue); ok {
			return string(s)
		}
		return v.String()
	}
	return ""
}

func (r *Reader) event(m *message) Event {
	switch mt := m.msgType; mt {
	case "exception", "error":
		return Event{Kind: KindException, Exception: exception(m, mt), EventType: m.eventType}
	case "event", "":
	default:
		r.unknown("message-type " + mt)
		return Event{Kind: KindIgnored, EventType: m.eventType}
	}
	et := m.eventType
	ev := Event{EventType: et}
	switch et {
	case "assistantResponseEvent":
		if text, ok := contentOnly(m.payload); ok {
			ev.Kind, ev.Text = KindText, text
			break
		}
		var p struct {
			Content string `json:"content"`
		}
		if r.decode(et, m.payload, &p) {
			ev.Kind, ev.Text = KindText, p.Content
		}
	case "toolUseEvent":
		var p struct {
			Name      string          `json:"name"`
			ToolUseID string          `json:"toolUseId"`
			Input     json.RawMessage `json:"input"`
			Stop      bool            `json:"stop"`
		}
		if r.decode(et, m.payload, &p) {
			ev.Kind = KindToolUse
			ev.ToolUse = &ToolUseFragment{ID: p.ToolUseID, Name: p.Name, Input: rawInput(p.Input), Stop: p.Stop}
		}
	case "reasoningContentEvent":
		var p struct {
			Text            string `json:"text"`
			Signature       string `json:"signature"`
			RedactedContent string `json:"redactedContent"`
		}
		if r.decode(et, m.payload, &p) {
			ev.Kind, ev.Text = KindReasoning, p.Text
			ev.Reasoning = &Reasoning{Text: p.Text, Signature: p.Signature, RedactedContent: p.RedactedContent}
		}
	case "meteringEvent":
		var p struct {
			Usage float64 `json:"usage"`
		}
		if r.decode(et, m.payload, &p) {
			ev.Kind, ev.Credits = KindMetering, p.Usage
		}
	case "contextUsageEvent":
		var p struct {
			Pct float64 `json:"contextUsagePercentage"`
		}
		if r.decode(et, m.payload, &p) {
			ev.Kind, ev.ContextPercent = KindContextUsage, NormalisePercent(p.Pct)
		}
	case "messageMetadataEvent", "metadataEvent":
		var p struct {
			TokenUsage *TokenUsage `json:"tokenUsage"`
		}
		if r.decode(et, m.payload, &p) && p.TokenUsage != nil {
			u := *p.TokenUsage
			if u.Total == 0 {
				u.Total = u.UncachedInput + u.CacheRead + u.CacheWrite + u.Output
			}
			ev.Kind, ev.Usage = KindUsage, &u
		}
	case "followupPromptEvent", "codeReferenceEvent", "supplementaryWebLinksEvent", "invalidStateEvent":
		// Known and deliberately ignored (kiro-protocol.md section 5).
	default:
		r.unknown(et)
	}
	return ev
}

// NormalisePercent turns a context-usage figure into 0-100: some hosts send a
// fraction, so values up to 1 are scaled.
func NormalisePercent(p float64) float64 {
	if p > 0 && p <= 1 {
		p *= 100
	}
	return p
}

// rawInput returns a toolUseEvent input: normally a JSON string (a fragment),
// but a host that sends the input as an object gets its JSON text.
func rawInput(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	return string(raw)
}

func exception(m *message, mt string) *Exception {
	var p struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
		Reason   string `json:"reason"`
	}
	_ = json.Unmarshal(m.payload, &p) // a non-JSON payload becomes the message below
	e := &Exception{Type: m.exType, Message: p.Message, Reason: p.Reason}
	if e.Message == "" {
		e.Message = p.MessageU
	}
	if e.Type == "" {
		e.Type = m.errCode
	}
	if e.Type == "" && p.Type != "" {
		// "com.amazon.aws.codewhisperer#ThrottlingException" -> "ThrottlingException"
		e.Type = p.Type[strings.LastIndexByte(p.Type, '#')+1:]
	}
	if e.Message == "" {
		e.Message = m.errMsg
	}
	if e.Message == "" && len(m.payload) > 0 && !json.Valid(m.payload) {
		e.Message = string(m.payload)
	}
	if e.Type == "" {
		e.Type = mt
	}
	return e
}

func (r *Reader) decode(et string, payload []byte, v any) bool {
	if err := json.Unmarshal(payload, v); err != nil {
		r.log.Warn("kiro event with unreadable payload ignored", "eventType", et, "frame", r.frame, "bytes", len(payload), "err", err)
		return false
	}
	return true
}

func (r *Reader) unknown(et string) {
	if r.seen[et] || len(r.seen) >= maxLoggedTypes {
		return
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	r.seen[et] = true
	r.log.Debug("unknown kiro event type ignored", "eventType", et)
}
