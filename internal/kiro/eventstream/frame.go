package eventstream

import (
	"encoding/binary"
	"hash/crc32"
)

// stringHeader is the event-stream header value type of a string, the only
// type Kiro's answers use.
const stringHeader = 7

// quickFrame decodes a whole frame (prelude checked) the way Kiro sends
// them: a valid message checksum and string headers, none repeated. It
// reads the headers in place and returns the payload as a slice of frame,
// with no allocation for the header values Kiro uses; the AWS decoder cost
// about 25 allocations a frame, twenty frames an answer. On anything else
// it returns ok false and readFrame runs the AWS decoder, whose answer (or
// error) stands, so this only has to be right about frames that decoder
// accepts (FuzzQuickFrameMatchesAWS).
func quickFrame(frame []byte, hlen uint32) (m message, ok bool) {
	total := len(frame)
	if total < minFrame || uint64(hlen) > uint64(total-minFrame) ||
		crc32.ChecksumIEEE(frame[:total-4]) != binary.BigEndian.Uint32(frame[total-4:]) {
		return message{}, false
	}
	h := frame[preludeLen : preludeLen+int(hlen)]
	var seen [5]bool
	for len(h) > 0 {
		n := int(h[0])
		if n == 0 || len(h) < 1+n+1+2 || h[1+n] != stringHeader {
			return message{}, false
		}
		name := h[1 : 1+n]
		vl := int(binary.BigEndian.Uint16(h[2+n : 4+n]))
		if len(h) < 4+n+vl {
			return message{}, false
		}
		val := h[4+n : 4+n+vl]
		h = h[4+n+vl:]
		var slot int
		var dst *string
		switch string(name) {
		case ":message-type":
			slot, dst = 0, &m.msgType
		case ":event-type":
			slot, dst = 1, &m.eventType
		case ":exception-type":
			slot, dst = 2, &m.exType
		case ":error-code":
			slot, dst = 3, &m.errCode
		case ":error-message":
			slot, dst = 4, &m.errMsg
		default:
			continue // :content-type and the like: not read
		}
		if seen[slot] {
			return message{}, false // repeated: let the AWS decoder say which wins
		}
		seen[slot] = true
		*dst = known(val)
	}
	m.payload = frame[preludeLen+int(hlen) : total-4]
	return m, true
}

// known returns the header value as a string, without allocating for the
// values Kiro sends on every frame.
func known(b []byte) string {
	switch string(b) {
	case "event":
		return "event"
	case "exception":
		return "exception"
	case "error":
		return "error"
	case "assistantResponseEvent":
		return "assistantResponseEvent"
	case "toolUseEvent":
		return "toolUseEvent"
	case "reasoningContentEvent":
		return "reasoningContentEvent"
	case "meteringEvent":
		return "meteringEvent"
	case "contextUsageEvent":
		return "contextUsageEvent"
	case "messageMetadataEvent":
		return "messageMetadataEvent"
	case "metadataEvent":
		return "metadataEvent"
	}
	return string(b)
}
