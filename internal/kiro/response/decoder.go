// Package response turns Kiro's decoded answer (eventstream.Event, one frame
// at a time) into the canonical response events (canon.Event) that every
// client API writer consumes (kiro-protocol.md section 5).
//
// Contract:
//   - A Decoder is a small state machine: Feed takes one upstream event and
//     appends zero or more canonical events; End (clean end of the upstream
//     stream) or Fail (the stream broke) finishes it. Exactly one terminal
//     event (EventStop or EventError) is ever produced; after it every call
//     appends nothing. A normal end is EventUsage immediately followed by
//     EventStop; an error is a lone EventError, with no usage.
//   - Text and thinking deltas are valid UTF-8 and never empty (a thinking
//     event may carry only a Signature): a character Kiro cut between deltas
//     is joined before it is emitted.
//   - With Options.Thinking, a <thinking>...</thinking> block at the start of
//     the answer becomes EventThinking and the text after it EventText; only
//     bytes that may start a tag (and leading whitespace before the block) are
//     held back, everything else streams at once.
//   - Tool calls are emitted whole, with a JSON object as input, once Kiro
//     sends stop:true; a call Kiro cut off is reported as an error at End and
//     never forwarded as broken JSON.
//   - Pure: no I/O, no goroutines, no logging. Not safe for concurrent use;
//     one goroutine owns one response.
package response

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"kirodesk/internal/canon"
	"kirodesk/internal/kiro/eventstream"
)

// Options configures a Decoder for one response.
type Options struct {
	// ToolNames maps the tool names sent to Kiro back to the client's names
	// (payload.Built.ToolNames); a name not in the map passes through unchanged.
	ToolNames map[string]string
	// Thinking says thinking was requested: parse <thinking>...</thinking>
	// out of the text. Off, text passes through untouched, tags included.
	Thinking bool
	// EstimateInput is a local input-token estimate, used when Kiro sends no tokenUsage.
	EstimateInput int
	// ContextWindow is the model's context in tokens, to turn
	// contextUsagePercentage into input tokens when Kiro sends no tokenUsage.
	ContextWindow int
	// CountOutput counts the output tokens of a text when Kiro sends no
	// usage (the caller passes a tokenizer); nil counts len/4, rounded up.
	CountOutput func(text string) int
}

// Decoder converts one Kiro response. Create it with NewDecoder.
type Decoder struct {
	opts Options

	split   splitter   // emulated <thinking> in the answer text
	textUTF runeJoiner // answer text deltas
	rsnUTF  runeJoiner // native reasoning deltas

	tools     eventstream.ToolCalls
	toolBytes map[string]int  // input bytes Kiro sent per call, for the truncation message
	stopped   map[string]bool // calls whose stop:true arrived
	toolsSent int

	maxTokens  bool // a content-length exception ended the output
	usage      *eventstream.TokenUsage
	contextPct float64
	credits    float64
	out        strings.Builder // everything emitted, for the output estimate

	done bool // the terminal event was emitted
}

// NewDecoder returns a Decoder for one response.
func NewDecoder(opts Options) *Decoder {
	return &Decoder{
		opts:      opts,
		split:     splitter{enabled: opts.Thinking},
		toolBytes: map[string]int{},
		stopped:   map[string]bool{},
	}
}

// Feed turns one upstream event into zero or more canonical events, appended
// to dst and returned.
func (d *Decoder) Feed(dst []canon.Event, ev eventstream.Event) []canon.Event {
	if d.done {
		return dst
	}
	switch ev.Kind {
	case eventstream.KindText:
		think, text := d.split.push(d.textUTF.join(ev.Text))
		dst = d.emit(dst, think, text)
	case eventstream.KindReasoning:
		text, sig := ev.Text, ""
		if r := ev.Reasoning; r != nil {
			text, sig = r.Text, r.Signature
		}
		text = d.rsnUTF.join(text)
		if text != "" || sig != "" {
			dst = d.flushText(dst, false)
			d.out.WriteString(text)
			dst = append(dst, canon.Event{Kind: canon.EventThinking, Text: text, Signature: sig})
		}
	case eventstream.KindToolUse:
		if ev.ToolUse != nil {
			dst = d.toolFragment(dst, *ev.ToolUse)
		}
	case eventstream.KindMetering:
		d.credits = ev.Credits
	case eventstream.KindContextUsage:
		d.contextPct = ev.ContextPercent
	case eventstream.KindUsage:
		if ev.Usage != nil {
			u := *ev.Usage
			d.usage = &u
		}
	case eventstream.KindException:
		ex := ev.Exception
		if ex == nil {
			ex = &eventstream.Exception{Type: ev.EventType}
		}
		if isContentLength(ex) {
			// Kiro stopped the output at its length limit; the stream ends
			// next and End reports max_tokens.
			d.maxTokens = true
			return dst
		}
		return d.fail(dst, exceptionError(ex))
	}
	return dst
}

func (d *Decoder) toolFragment(dst []canon.Event, f eventstream.ToolUseFragment) []canon.Event {
	if !d.stopped[f.ID] {
		d.toolBytes[f.ID] += len(f.Input)
	}
	call, finished := d.tools.Add(f)
	if !finished {
		return dst
	}
	d.stopped[f.ID] = true
	if call.Status != eventstream.ToolCallComplete {
		return dst // End reports it; broken JSON is never forwarded
	}
	dst = d.flushText(dst, false)
	input := strings.ToValidUTF8(call.Input, string(rune(0xFFFD)))
	d.out.WriteString(input)
	d.toolsSent++
	return append(dst, canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{
		ID: call.ID, Name: d.toolName(call.Name), Input: []byte(input),
	}})
}

func (d *Decoder) toolName(name string) string {
	if n, ok := d.opts.ToolNames[name]; ok {
		return n
	}
	return name
}

// End is called at a clean end of the upstream stream. It flushes held-back
// text, then either reports tool calls Kiro cut off (one EventError) or emits
// the final EventUsage and EventStop.
func (d *Decoder) End(dst []canon.Event) []canon.Event {
	if d.done {
		return dst
	}
	dst = d.flushText(dst, true)
	if tail := d.rsnUTF.end(); tail != "" {
		d.out.WriteString(tail)
		dst = append(dst, canon.Event{Kind: canon.EventThinking, Text: tail})
	}
	var cut []string
	for _, c := range d.tools.Finish() {
		if c.Status != eventstream.ToolCallComplete {
			cut = append(cut, d.describeCut(c))
		}
	}
	d.done = true
	if len(cut) > 0 {
		return append(dst, canon.Event{Kind: canon.EventError, Err: &canon.StreamError{
			Type: "api_error", Message: strings.Join(cut, "; "),
		}})
	}
	u := d.finalUsage()
	stop := canon.StopEndTurn
	switch {
	case d.toolsSent > 0:
		stop = canon.StopToolUse
	case d.maxTokens:
		stop = canon.StopMaxTokens
	}
	return append(dst, canon.Event{Kind: canon.EventUsage, Usage: &u}, canon.Event{Kind: canon.EventStop, Stop: stop})
}

func (d *Decoder) describeCut(c eventstream.ToolCall) string {
	why := "the response ended before the call was complete"
	if c.Status == eventstream.ToolCallInvalidInput {
		why = "the input it sent is not a valid JSON object"
	}
	return fmt.Sprintf("Kiro cut off the input of tool %s (%s) after %d bytes: %s, so the call was not passed on; "+
		"Kiro limits tool inputs to about 9 KB, so ask for the work in smaller pieces (for example, write a large file in parts)",
		d.toolName(c.Name), c.ID, d.toolBytes[c.ID], why)
}

// Fail is called when the upstream stream broke (network error, bad frame,
// Kiro exception): it flushes the text that is safe to send and emits one
// EventError. Unfinished tool calls are dropped.
func (d *Decoder) Fail(dst []canon.Event, err error) []canon.Event {
	if d.done {
		return dst
	}
	return d.fail(dst, streamError(err))
}

func (d *Decoder) fail(dst []canon.Event, se *canon.StreamError) []canon.Event {
	dst = d.flushText(dst, false) // an incomplete character is not safe: dropped
	d.done = true
	return append(dst, canon.Event{Kind: canon.EventError, Err: se})
}

// flushText releases the text the splitter holds; at the end of the stream
// an incomplete character becomes U+FFFD first.
func (d *Decoder) flushText(dst []canon.Event, end bool) []canon.Event {
	if end {
		if tail := d.textUTF.end(); tail != "" {
			think, text := d.split.push(tail)
			dst = d.emit(dst, think, text)
		}
	}
	think, text := d.split.flush()
	return d.emit(dst, think, text)
}

func (d *Decoder) emit(dst []canon.Event, think, text string) []canon.Event {
	if think != "" {
		d.out.WriteString(think)
		dst = append(dst, canon.Event{Kind: canon.EventThinking, Text: think})
	}
	if text != "" {
		d.out.WriteString(text)
		dst = append(dst, canon.Event{Kind: canon.EventText, Text: text})
	}
	return dst
}

// finalUsage prefers Kiro's tokenUsage; without it the input is the larger
// of the local estimate and the context-usage figure, and the output is
// counted from what was emitted.
func (d *Decoder) finalUsage() canon.Usage {
	u := canon.Usage{Credits: d.credits}
	if t := d.usage; t != nil {
		u.InputTokens = max(t.UncachedInput, 0)
		u.CacheReadInputTokens = max(t.CacheRead, 0)
		u.CacheCreationInputTokens = max(t.CacheWrite, 0)
		u.OutputTokens = max(t.Output, 0)
		return u
	}
	u.Estimated = true
	u.InputTokens = max(d.opts.EstimateInput, 0)
	if pct := d.contextPct; pct > 0 && d.opts.ContextWindow > 0 {
		pct = math.Min(pct, 100)
		u.InputTokens = max(u.InputTokens, int(math.Round(pct/100*float64(d.opts.ContextWindow))))
	}
	if count := d.opts.CountOutput; count != nil {
		u.OutputTokens = max(count(d.out.String()), 0)
	} else {
		u.OutputTokens = (d.out.Len() + 3) / 4
	}
	return u
}

// isContentLength reports an exception that means Kiro stopped the output at
// its length limit.
func isContentLength(e *eventstream.Exception) bool {
	return strings.Contains(strings.ToLower(e.Type), "contentlength") || e.Reason == "CONTENT_LENGTH_EXCEEDS_THRESHOLD"
}

// overloadedMarks are the signs of a throttled request or a model out of
// capacity (kiro-protocol.md section 6), matched case-insensitively against
// an exception's type, reason and message.
var overloadedMarks = []string{
	"throttl", "capacity", "high traffic", "high load", "too many requests",
	"temporarily_unavailable", "temporarily unavailable", "serviceunavailable",
}

// exceptionError maps a Kiro exception to a stream error: overloaded_error
// for throttling and capacity, api_error otherwise, with Kiro's message.
func exceptionError(e *eventstream.Exception) *canon.StreamError {
	all := strings.ToLower(e.Type + " " + e.Reason + " " + e.Message)
	typ := "api_error"
	for _, m := range overloadedMarks {
		if strings.Contains(all, m) {
			typ = "overloaded_error"
			break
		}
	}
	msg := e.Message
	if msg == "" {
		msg = e.Error()
	}
	return &canon.StreamError{Type: typ, Message: msg}
}

// streamError describes why the upstream stream broke.
func streamError(err error) *canon.StreamError {
	var se *canon.StreamError
	var ex *eventstream.Exception
	switch {
	case err == nil:
		return &canon.StreamError{Type: "api_error", Message: "Kiro's response stream broke off"}
	case errors.As(err, &se):
		c := *se
		return &c
	case errors.As(err, &ex):
		return exceptionError(ex)
	}
	return &canon.StreamError{Type: "api_error", Message: "Kiro's response stream broke off: " + err.Error()}
}
