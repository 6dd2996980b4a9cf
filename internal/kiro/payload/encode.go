package payload

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"unicode/utf8"
	"unsafe"
)

// appendPayload appends p as JSON: the bytes encoding/json's Encoder (with
// SetEscapeHTML(false), without its trailing newline) writes for it, which
// TestAppendPayloadMatchesEncodingJSON and FuzzAppendString hold it to.
// Written by hand because the body is most of the request's bytes and
// reflection over the wire types was about half of Build's time at 100 KB.
//
// The raw values (tool inputs, schemas) were validated where they were
// made (objectInput, CleanSchema); like encoding/json it compacts them.
func appendPayload(dst []byte, p *wirePayload) ([]byte, error) {
	cs := &p.ConversationState
	dst = append(dst, `{"conversationState":{"conversationId":`...)
	dst = appendString(dst, cs.ConversationID)
	dst = append(dst, `,"chatTriggerType":`...)
	dst = appendString(dst, cs.ChatTriggerType)
	dst = append(dst, `,"agentTaskType":`...)
	dst = appendString(dst, cs.AgentTaskType)
	dst = append(dst, `,"currentMessage":{`...)
	var err error
	if m := cs.CurrentMessage.UserInputMessage; m != nil {
		dst = append(dst, `"userInputMessage":`...)
		if dst, err = appendUserMessage(dst, m); err != nil {
			return nil, err
		}
	}
	dst = append(dst, '}')
	if len(cs.History) > 0 {
		dst = append(dst, `,"history":[`...)
		for i := range cs.History {
			h := &cs.History[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '{')
			if h.UserInputMessage != nil {
				dst = append(dst, `"userInputMessage":`...)
				if dst, err = appendUserMessage(dst, h.UserInputMessage); err != nil {
					return nil, err
				}
			}
			if a := h.AssistantResponseMessage; a != nil {
				if h.UserInputMessage != nil {
					dst = append(dst, ',')
				}
				dst = append(dst, `"assistantResponseMessage":{"content":`...)
				dst = appendString(dst, a.Content)
				if len(a.ToolUses) > 0 {
					dst = append(dst, `,"toolUses":[`...)
					for j := range a.ToolUses {
						u := &a.ToolUses[j]
						if j > 0 {
							dst = append(dst, ',')
						}
						dst = append(dst, `{"toolUseId":`...)
						dst = appendString(dst, u.ToolUseID)
						dst = append(dst, `,"name":`...)
						dst = appendString(dst, u.Name)
						dst = append(dst, `,"input":`...)
						if dst, err = appendRaw(dst, u.Input); err != nil {
							return nil, err
						}
						dst = append(dst, '}')
					}
					dst = append(dst, ']')
				}
				dst = append(dst, '}')
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, '}')
	if p.ProfileArn != "" {
		dst = append(dst, `,"profileArn":`...)
		dst = appendString(dst, p.ProfileArn)
	}
	return append(dst, '}'), nil
}

func appendUserMessage(dst []byte, m *wireUserInputMessage) ([]byte, error) {
	dst = append(dst, `{"content":`...)
	dst = appendString(dst, m.Content)
	dst = append(dst, `,"modelId":`...)
	dst = appendString(dst, m.ModelID)
	dst = append(dst, `,"origin":`...)
	dst = appendString(dst, m.Origin)
	if len(m.Images) > 0 {
		dst = append(dst, `,"images":[`...)
		for i := range m.Images {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"format":`...)
			dst = appendString(dst, m.Images[i].Format)
			dst = append(dst, `,"source":{"bytes":`...)
			dst = appendString(dst, m.Images[i].Source.Bytes)
			dst = append(dst, `}}`...)
		}
		dst = append(dst, ']')
	}
	if c := m.UserInputMessageContext; c != nil {
		dst = append(dst, `,"userInputMessageContext":{`...)
		var err error
		if len(c.Tools) > 0 {
			dst = append(dst, `"tools":[`...)
			for i := range c.Tools {
				s := &c.Tools[i].ToolSpecification
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"toolSpecification":{"name":`...)
				dst = appendString(dst, s.Name)
				dst = append(dst, `,"description":`...)
				dst = appendString(dst, s.Description)
				dst = append(dst, `,"inputSchema":{"json":`...)
				if dst, err = appendRaw(dst, s.InputSchema.JSON); err != nil {
					return nil, err
				}
				dst = append(dst, `}}}`...)
			}
			dst = append(dst, ']')
		}
		if len(c.ToolResults) > 0 {
			if len(c.Tools) > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `"toolResults":[`...)
			for i := range c.ToolResults {
				r := &c.ToolResults[i]
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"toolUseId":`...)
				dst = appendString(dst, r.ToolUseID)
				dst = append(dst, `,"content":`...)
				if r.Content == nil {
					dst = append(dst, "null"...)
				} else {
					dst = append(dst, '[')
					for j := range r.Content {
						if j > 0 {
							dst = append(dst, ',')
						}
						dst = append(dst, `{"text":`...)
						dst = appendString(dst, r.Content[j].Text)
						dst = append(dst, '}')
					}
					dst = append(dst, ']')
				}
				dst = append(dst, `,"status":`...)
				dst = appendString(dst, r.Status)
				dst = append(dst, '}')
			}
			dst = append(dst, ']')
		}
		dst = append(dst, '}')
	}
	return append(dst, '}'), nil
}

// appendRaw appends a raw JSON value as encoding/json does: nil is null,
// anything else compacted. Values without space outside strings (what
// clients and CleanSchema send) are copied as they are.
func appendRaw(dst []byte, raw json.RawMessage) ([]byte, error) {
	if raw == nil {
		return append(dst, "null"...), nil
	}
	if len(raw) > 0 && compact(raw) {
		return append(dst, raw...), nil
	}
	buf := bytes.NewBuffer(dst)
	if err := json.Compact(buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// compact reports whether the JSON text b has no space outside strings.
func compact(b []byte) bool {
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if in {
			switch c {
			case '\\':
				i++
			case '"':
				in = false
			}
			continue
		}
		switch c {
		case '"':
			in = true
		case ' ', '\t', '\n', '\r':
			return false
		}
	}
	return true
}

// plain marks the ASCII bytes a JSON string carries as they are.
var plain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// special marks the bytes of x (little-endian) that are a control byte,
// '"', '\\' or not ASCII with their high bit, using the bit tricks of "Bit
// Twiddling Hacks" (a byte below n, a zero byte after an XOR). It is zero
// when there is none; otherwise its lowest mark is the first such byte
// (a mark above a marked byte may be false, one below it never is).
func special(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (x - ones*0x20) & ^x
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	return (below | (quote-ones)&^quote | (backslash-ones)&^backslash | x) & highs
}

// appendString appends s as a JSON string the way encoding/json does
// without HTML escaping: control bytes as \b \f \n \r \t or \u00XX,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs a look (most of a
		// prompt): about three times faster than a byte at a time.
		for i+8 <= len(s) {
			if m := special(binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))); m != 0 {
				i += bits.TrailingZeros64(m) / 8 // the first byte that needs a look
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
