// Package trayproto is the wire format between the Kirodesk app and its tray
// process (app/tray): one JSON object per line, each with a "type".
//
// The app writes State snapshots to the tray's standard input; the tray
// writes Ready once its menu exists and a Click for every menu click to its
// standard output. The tray keeps no state of its own: a State is always
// complete, and the newest one wins.
//
// Decoding is tolerant, because the two executables may come from different
// builds (an update replaces one while the other runs) and a C library in the
// tray may print to the same pipe: unknown types and unknown fields are
// ignored, a malformed or oversized line is reported as a *LineError and
// reading goes on. Only read errors of the pipe itself (io.EOF: the other
// side went away) end a Reader.
//
// The package has no GUI dependencies so that both sides, and their tests,
// can import it. A Reader or a Writer is not safe for concurrent use unless
// its doc says so.
package trayproto

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// MaxLine is the longest line, without its newline, a Reader accepts.
const MaxLine = 64 << 10

// Message types, the "type" member of every line.
const (
	TypeState = "state"
	TypeClick = "click"
	TypeReady = "ready"
)

// Menu items a Click names.
const (
	ItemToggleProxy  = "toggle-proxy"
	ItemCopyEndpoint = "copy-endpoint"
	ItemOpen         = "open"
	ItemStartAtLogin = "start-at-login"
	ItemQuit         = "quit"
	// ItemUpdate is the "Update available" line: the release page opens.
	ItemUpdate = "update"
)

// Message is one line of the protocol: a State, a Click or a Ready.
type Message interface {
	messageType() string
}

// State is a complete snapshot of what the tray shows (app -> tray).
type State struct {
	ProxyOn bool `json:"proxyOn"`
	// Endpoint is the proxy's base URL, e.g. "http://127.0.0.1:8990";
	// empty while the proxy has no listener.
	Endpoint string `json:"endpoint"`
	// Error is why the proxy is not serving, for the person to read; empty
	// when all is well.
	Error        string `json:"error"`
	StartAtLogin bool   `json:"startAtLogin"`
	// Accounts are the lines of the accounts section, in the app's order.
	Accounts []Account `json:"accounts,omitempty"`
	// Today is the day's use, for the menu's usage line; nil until the
	// app has its figures (an older app sends none).
	Today *Today `json:"today,omitempty"`
	// Language is the language the menu speaks: the app's effective
	// language, "en" or "zh-CN" (locale.Lang). The tray holds the labels
	// (its own catalog) and relabels when it changes. Empty (an older app)
	// means the system's language, as the tray reads it itself.
	Language string `json:"language,omitempty"`
	// Update is a newer release to tell about; nil when there is none.
	Update *Update `json:"update,omitempty"`
}

// Update is the newer release the tray's "Update available" line names.
type Update struct {
	Version string `json:"version"` // "1.2.3"
}

// Today is the day's requests and what the active account has left.
type Today struct {
	Requests int64 `json:"requests"`
	// Account is the label of the account in use (the one that answered
	// last, else the first in service); CreditsLeft its credits left, nil
	// when Kiro has not told its limit.
	Account     string   `json:"account,omitempty"`
	CreditsLeft *float64 `json:"creditsLeft,omitempty"`
}

// Account is one account as the tray lists it. No secret is ever in it.
type Account struct {
	Label    string `json:"label"`
	State    string `json:"state"` // the pool's status: ready, cooling, login_needed…
	Disabled bool   `json:"disabled,omitempty"`
	// Quota is a short usage note such as "90% used", when known.
	Quota string `json:"quota,omitempty"`
}

// StateLoginNeeded is the Account.State of an account whose sign-in ended.
const StateLoginNeeded = "login_needed"

// Click is a menu click (tray -> app). Item is one of the Item constants; a
// newer tray may send items this build does not know.
type Click struct {
	Item string `json:"item"`
}

// Ready says the tray's menu exists (tray -> app).
type Ready struct{}

func (State) messageType() string { return TypeState }
func (Click) messageType() string { return TypeClick }
func (Ready) messageType() string { return TypeReady }

// Marshal returns m as one protocol line, newline included.
func Marshal(m Message) ([]byte, error) {
	var v any
	switch m := m.(type) {
	case State:
		v = struct {
			Type string `json:"type"`
			State
		}{TypeState, m}
	case Click:
		v = struct {
			Type string `json:"type"`
			Click
		}{TypeClick, m}
	case Ready:
		v = struct {
			Type string `json:"type"`
		}{TypeReady}
	default:
		return nil, fmt.Errorf("trayproto: cannot marshal %T", m)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxLine {
		return nil, fmt.Errorf("trayproto: %s message of %d bytes exceeds %d", m.messageType(), len(b), MaxLine)
	}
	return append(b, '\n'), nil
}

// Decode parses one line (without its newline). It returns (nil, nil) for a
// well-formed line of a type this build does not know.
func Decode(line []byte) (Message, error) {
	var head struct {
		Type *string `json:"type"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if head.Type == nil {
		return nil, errors.New(`no "type"`)
	}
	switch *head.Type {
	case TypeState:
		var s State
		if err := json.Unmarshal(line, &s); err != nil {
			return nil, fmt.Errorf("bad state: %w", err)
		}
		return s, nil
	case TypeClick:
		var c Click
		if err := json.Unmarshal(line, &c); err != nil {
			return nil, fmt.Errorf("bad click: %w", err)
		}
		if c.Item == "" {
			return nil, errors.New(`click without "item"`)
		}
		return c, nil
	case TypeReady:
		return Ready{}, nil
	default:
		return nil, nil
	}
}

// ErrLineTooLong is the Err of a LineError for a line longer than MaxLine.
var ErrLineTooLong = fmt.Errorf("line longer than %d bytes", MaxLine)

// LineError reports one line that could not be decoded. It is not fatal:
// the Reader has skipped the line and can go on.
type LineError struct {
	Line int // 1-based line number
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("trayproto: line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Reader decodes messages from a stream.
type Reader struct {
	br   *bufio.Reader
	buf  []byte
	line int
}

// NewReader returns a Reader on r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 4096)}
}

// Next returns the next message of a known type. A *LineError means one bad
// line was skipped: log it and call Next again. Any other error (io.EOF at
// the end of the stream) is final.
func (r *Reader) Next() (Message, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			return nil, err
		}
		if line == nil {
			return nil, &LineError{Line: r.line, Err: ErrLineTooLong}
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		m, err := Decode(line)
		if err != nil {
			return nil, &LineError{Line: r.line, Err: err}
		}
		if m != nil {
			return m, nil
		}
	}
}

// readLine returns the next line without its line ending. A line longer
// than MaxLine is consumed to its end and returned as a nil slice with a nil
// error, so one runaway line costs MaxLine bytes of memory, not its length.
func (r *Reader) readLine() ([]byte, error) {
	r.buf = r.buf[:0]
	tooLong := false
	got := false
	for {
		frag, err := r.br.ReadSlice('\n')
		got = got || len(frag) > 0
		if !tooLong {
			if len(r.buf)+len(frag) > MaxLine+2 { // room for "\r\n"
				tooLong = true
				r.buf = r.buf[:0]
			} else {
				r.buf = append(r.buf, frag...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && got {
			break // last line without a newline; EOF comes with the next call
		}
		if err != nil {
			return nil, err
		}
		break
	}
	r.line++
	line := bytes.TrimSuffix(bytes.TrimSuffix(r.buf, []byte("\n")), []byte("\r"))
	if tooLong || len(line) > MaxLine {
		return nil, nil
	}
	if line == nil {
		line = []byte{}
	}
	return line, nil
}

// Writer encodes messages to a stream, one line each. It is safe for
// concurrent use: each message is written with a single Write call.
type Writer struct {
	mu sync.Mutex
	w  io.Writer
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write sends one message.
func (w *Writer) Write(m Message) error {
	b, err := Marshal(m)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.w.Write(b)
	return err
}
