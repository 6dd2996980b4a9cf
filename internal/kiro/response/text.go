package response

import (
	"strings"
	"unicode/utf8"
)

// The tags the model writes when thinking is emulated (kiro-protocol.md section 3).
const (
	openTag  = "<thinking>"
	closeTag = "</thinking>"
	spaces   = " \t\r\n"
)

// runeJoiner keeps a UTF-8 character that an upstream delta cut in two from
// being split between canonical events: the incomplete tail of one delta is
// carried over to the next. Bytes that can never become a character are
// replaced with U+FFFD, so everything it returns is valid UTF-8.
type runeJoiner struct {
	carry string // an incomplete character (at most 3 bytes)
}

// join returns the complete characters of carry+s, keeping an incomplete tail.
func (j *runeJoiner) join(s string) string {
	if j.carry != "" {
		s, j.carry = j.carry+s, ""
	}
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			if !utf8.FullRuneInString(s[i:]) {
				// A valid start cut short by the end of this delta.
				j.carry = s[i:]
				break
			}
			b.WriteRune(utf8.RuneError)
			i++
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

// end returns what an incomplete tail stands for at the end of the stream:
// U+FFFD if one was carried, else "".
func (j *runeJoiner) end() string {
	if j.carry == "" {
		return ""
	}
	j.carry = ""
	return string(utf8.RuneError)
}

// phase is where the splitter is in the answer text.
type phase int

const (
	phaseStart      phase = iota // nothing emitted yet: a <thinking> block may still open (after whitespace)
	phaseThinkStart              // just after <thinking>: leading whitespace is dropped
	phaseThinking                // inside the thinking block, looking for </thinking>
	phaseAfter                   // just after </thinking>: leading whitespace is dropped
	phaseText                    // plain answer text, passed through
)

// splitter separates an emulated <thinking>...</thinking> block at the start
// of the answer from the text after it. It is fed valid UTF-8 deltas and
// holds back only what it cannot decide yet: leading whitespace and a
// possible "<thinking>" start before anything was emitted, and inside the
// block the longest tail that could begin "</thinking>". Those held bytes are
// ASCII, so a cut never falls inside a character. With enabled false it
// passes everything through as text.
type splitter struct {
	enabled bool
	phase   phase
	held    string
	prev    byte // the last byte of thinking released, to spot a quoted tag
}

// push feeds one delta and returns the thinking and text it releases; in one
// push thinking always precedes text, because phases only move forward.
func (p *splitter) push(s string) (think, text string) {
	if !p.enabled {
		return "", s
	}
	buf := p.held + s
	p.held = ""
	for buf != "" {
		switch p.phase {
		case phaseStart:
			rest := strings.TrimLeft(buf, spaces)
			switch {
			case strings.HasPrefix(rest, openTag):
				buf, p.phase = rest[len(openTag):], phaseThinkStart
			case rest == "" || strings.HasPrefix(openTag, rest):
				// Only whitespace, or a tag start cut by the delta: undecided.
				p.held = buf
				return think, text
			default:
				p.phase = phaseText
			}
		case phaseThinkStart:
			if buf = strings.TrimLeft(buf, spaces); buf != "" {
				p.phase = phaseThinking
			}
		case phaseAfter:
			if buf = strings.TrimLeft(buf, spaces); buf != "" {
				p.phase = phaseText
			}
		case phaseThinking:
			if i := strings.Index(buf, closeTag); i >= 0 {
				before := p.prev
				if i > 0 {
					before = buf[i-1]
				}
				end := i + len(closeTag)
				if quoteChar(before) {
					// A tag the model quotes while reasoning ("`</thinking>`")
					// does not end the block.
					p.think(&think, buf[:end])
					buf = buf[end:]
					continue
				}
				p.think(&think, buf[:i])
				buf, p.phase = buf[end:], phaseAfter
				continue
			}
			k := partialSuffix(buf, closeTag)
			p.think(&think, buf[:len(buf)-k])
			p.held = buf[len(buf)-k:]
			return think, text
		case phaseText:
			text += buf
			buf = ""
		}
	}
	return think, text
}

// flush releases what is held, for what it is now known to be: the stream
// ended or a non-text event (a tool call, native reasoning) came between.
// Text held at the start is no longer at the start of the answer afterwards.
func (p *splitter) flush() (think, text string) {
	if p.held == "" {
		return "", ""
	}
	h := p.held
	p.held = ""
	if p.phase == phaseThinking {
		return h, ""
	}
	p.phase = phaseText
	return "", h
}

func (p *splitter) think(dst *string, s string) {
	if s != "" {
		*dst += s
		p.prev = s[len(s)-1]
	}
}

func quoteChar(b byte) bool { return b == '`' || b == '"' || b == '\'' }

// partialSuffix returns the length of the longest proper prefix of tag that
// s ends with.
func partialSuffix(s, tag string) int {
	for k := min(len(s), len(tag)-1); k > 0; k-- {
		if strings.HasSuffix(s, tag[:k]) {
			return k
		}
	}
	return 0
}
