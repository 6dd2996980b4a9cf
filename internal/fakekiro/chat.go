package fakekiro

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kirodesk/internal/kiro/eventstream"
)

// ChatRequest is the generateAssistantResponse body (kiro-protocol.md section 3).
type ChatRequest struct {
	ConversationState ConversationState `json:"conversationState"`
	ProfileARN        string            `json:"profileArn,omitempty"`
	InferenceConfig   map[string]any    `json:"inferenceConfig,omitempty"`
}

// ConversationState is part of ChatRequest.
type ConversationState struct {
	ConversationID  string           `json:"conversationId"`
	ChatTriggerType string           `json:"chatTriggerType"`
	AgentTaskType   string           `json:"agentTaskType,omitempty"`
	CurrentMessage  HistoryMessage   `json:"currentMessage"`
	History         []HistoryMessage `json:"history,omitempty"`
}

// HistoryMessage holds exactly one of its fields.
type HistoryMessage struct {
	UserInputMessage         *UserInputMessage         `json:"userInputMessage,omitempty"`
	AssistantResponseMessage *AssistantResponseMessage `json:"assistantResponseMessage,omitempty"`
}

// UserInputMessage is part of ChatRequest.
type UserInputMessage struct {
	Content                 string                   `json:"content"`
	ModelID                 string                   `json:"modelId,omitempty"`
	Origin                  string                   `json:"origin,omitempty"`
	Images                  []Image                  `json:"images,omitempty"`
	UserInputMessageContext *UserInputMessageContext `json:"userInputMessageContext,omitempty"`
}

// Image is part of ChatRequest.
type Image struct {
	Format string `json:"format"`
	Source struct {
		Bytes string `json:"bytes"`
	} `json:"source"`
}

// UserInputMessageContext is part of ChatRequest.
type UserInputMessageContext struct {
	Tools       []Tool       `json:"tools,omitempty"`
	ToolResults []ToolResult `json:"toolResults,omitempty"`
}

// Tool is part of ChatRequest.
type Tool struct {
	ToolSpecification struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		InputSchema struct {
			JSON map[string]any `json:"json"`
		} `json:"inputSchema"`
	} `json:"toolSpecification"`
}

// ToolResult is part of ChatRequest.
type ToolResult struct {
	ToolUseID string `json:"toolUseId"`
	Content   []struct {
		Text string `json:"text"`
	} `json:"content"`
	Status string `json:"status"`
}

// AssistantResponseMessage is part of ChatRequest.
type AssistantResponseMessage struct {
	Content  string         `json:"content"`
	ToolUses []ToolUseEntry `json:"toolUses,omitempty"`
}

// ToolUseEntry is a tool call in an assistant history message.
type ToolUseEntry struct {
	ToolUseID string         `json:"toolUseId"`
	Name      string         `json:"name"`
	Input     map[string]any `json:"input"`
}

// LastUserContent returns the current message's text.
func (c *ChatRequest) LastUserContent() string {
	if m := c.ConversationState.CurrentMessage.UserInputMessage; m != nil {
		return m.Content
	}
	return ""
}

// Script is the answer to one chat call: steps played in order.
type Script []Step

// Step is one scripted action. Build steps with the functions below.
type Step struct {
	kind    stepKind
	text    string
	id      string
	name    string
	n       int
	stop    bool
	f       float64
	usage   eventstream.TokenUsage
	d       time.Duration
	code    int
	payload any
	raw     []byte
}

type stepKind int

const (
	stepText stepKind = iota
	stepToolUse
	stepReasoning
	stepMetering
	stepContext
	stepUsage
	stepException
	stepEvent
	stepRaw
	stepDelay
	stepReset
	stepStall
	stepWait
	stepStatus
	stepDrop
	stepStamp
)

// Text sends one assistantResponseEvent.
func Text(s string) Step { return Step{kind: stepText, text: s} }

// ToolUse streams a tool call: inputJSON split into `fragments` pieces (on
// character boundaries) after a first frame with empty input, then a stop
// frame if withStop. Without it the call looks truncated, as Kiro does with
// large inputs.
func ToolUse(id, name, inputJSON string, fragments int, withStop bool) Step {
	return Step{kind: stepToolUse, id: id, name: name, text: inputJSON, n: max(fragments, 1), stop: withStop}
}

// Reasoning sends one reasoningContentEvent.
func Reasoning(text string) Step { return Step{kind: stepReasoning, text: text} }

// Metering sends a meteringEvent; the credits are added to the account's usage.
func Metering(credits float64) Step { return Step{kind: stepMetering, f: credits} }

// ContextUsage sends a contextUsageEvent with this percentage.
func ContextUsage(pct float64) Step { return Step{kind: stepContext, f: pct} }

// Usage sends a messageMetadataEvent with tokenUsage.
func Usage(u eventstream.TokenUsage) Step { return Step{kind: stepUsage, usage: u} }

// Exception sends an exception frame {message} of the given type.
func Exception(typ, msg string) Step { return Step{kind: stepException, name: typ, text: msg} }

// Event sends an arbitrary event frame (unknown types, odd payloads).
func Event(eventType string, payload any) Step {
	return Step{kind: stepEvent, name: eventType, payload: payload}
}

// Raw writes bytes as they are (a corrupt or partial frame).
func Raw(b []byte) Step { return Step{kind: stepRaw, raw: b} }

// Stamp sends one assistantResponseEvent whose text says how long the fake
// has held the request so far: "[fake-us:N]", N microseconds since it had
// read the whole body. A benchmark subtracts it from what its client saw,
// request by request, so the fake's own timing jitter (sleeps under load)
// cancels out of the figure for what lies outside the fake. See StampsIn.
func Stamp() Step { return Step{kind: stepStamp} }

const stampPrefix = "[fake-us:"

// StampsIn returns, in order, the durations of the Stamp frames whose text
// appears in body: raw event-stream frames, SSE or JSON, as long as the
// text passes through unescaped (it is ASCII with no quotes).
func StampsIn(body []byte) []time.Duration {
	var out []time.Duration
	for {
		i := bytes.Index(body, []byte(stampPrefix))
		if i < 0 {
			return out
		}
		body = body[i+len(stampPrefix):]
		j := bytes.IndexByte(body, ']')
		if j < 0 {
			return out
		}
		if n, err := strconv.ParseInt(string(body[:j]), 10, 64); err == nil {
			out = append(out, time.Duration(n)*time.Microsecond)
		}
		body = body[j+1:]
	}
}

// Delay pauses the stream.
func Delay(d time.Duration) Step { return Step{kind: stepDelay, d: d} }

// Reset drops the connection abruptly: the client sees the body break.
func Reset() Step { return Step{kind: stepReset} }

// Stall stops sending until the client gives up or the server closes.
func Stall() Step { return Step{kind: stepStall} }

// Wait, as the first step, holds the answer back (headers included) for d:
// an upstream slow to start, for first-byte timeouts.
func Wait(d time.Duration) Step { return Step{kind: stepWait, d: d} }

// Drop, as the only step, closes the connection before any answer: a
// connection reset before the first byte, which a client may retry
// elsewhere.
func Drop() Step { return Step{kind: stepDrop} }

// Status answers the call with a non-200 status and this body instead of a
// stream. It must be the first step.
func Status(code int, body string) Step { return Step{kind: stepStatus, code: code, text: body} }

// StatusRetryAfter is Status with a Retry-After header of whole seconds, as
// a throttling upstream may send.
func StatusRetryAfter(code int, body string, after time.Duration) Step {
	return Step{kind: stepStatus, code: code, text: body, d: after}
}

// Kiro's error bodies (kiro-protocol.md section 6), for use with Status.
const (
	BodyImproperlyFormed = `{"message":"Improperly formed request.","reason":null}`
	BodyInputTooLong     = `{"message":"Input is too long.","reason":"CONTENT_LENGTH_EXCEEDS_THRESHOLD"}`
	BodyMonthlyLimit     = `{"message":"You have reached the limit.","reason":"MONTHLY_REQUEST_COUNT"}`
	BodyThrottled        = `{"message":"Too many requests, please wait before trying again.","reason":null}`
	BodyCapacity         = `{"message":"I am experiencing high traffic, please try again shortly.","reason":"INSUFFICIENT_MODEL_CAPACITY"}`
	BodyHighLoad         = `{"message":"Encountered an unexpectedly high load when processing the request, please try again."}`
	BodyUnavailable      = `{"message":"The model is temporarily unavailable.","reason":"MODEL_TEMPORARILY_UNAVAILABLE"}`
	BodySuspended        = `{"message":"Your account is temporarily is suspended.","reason":"TEMPORARILY_SUSPENDED"}`
	BodyInvalidModel     = `{"message":"Invalid model. Please select a different model to continue.","reason":"INVALID_MODEL_ID"}`
)

// EchoScript is the default answer: a short text derived from the last user
// message, in a few chunks, then metering and context usage.
func EchoScript(req RecordedRequest) Script {
	content := ""
	if req.Chat != nil {
		content = req.Chat.LastUserContent()
	}
	content = strings.Join(strings.Fields(content), " ")
	if utf8.RuneCountInString(content) > 60 {
		content = string([]rune(content)[:60]) + "…"
	}
	sc := Script{Text("Echo: ")}
	for _, w := range strings.SplitAfter(content, " ") {
		if w != "" {
			sc = append(sc, Text(w))
		}
	}
	return append(sc, Metering(0.01), ContextUsage(1.5))
}

type recordKey struct{}

func withRecord(ctx context.Context, r RecordedRequest) context.Context {
	return context.WithValue(ctx, recordKey{}, r)
}

// maxPayload is where Kiro starts answering an opaque 400 (section 3).
const maxPayload = 600 << 10

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	rec, _ := r.Context().Value(recordKey{}).(RecordedRequest)
	acct := s.bearer(w, r)
	if acct == nil {
		if s.opts.OnChat != nil {
			s.opts.OnChat(rec, "auth")
		}
		return
	}
	s.mu.Lock()
	acct.stats.Chats++
	own := acct.script
	s.mu.Unlock()
	if msg := checkHeaders(r.Header); msg != "" && s.opts.CheckHeaders {
		s.log.Info("fakekiro: rejecting chat request", "why", msg)
		writeRaw(w, http.StatusBadRequest, `{"message":"fakekiro: `+msg+`"}`)
		return
	}
	if msg := checkChat(rec); msg != "" {
		s.log.Info("fakekiro: rejecting chat request", "why", msg)
		writeRaw(w, http.StatusBadRequest, BodyImproperlyFormed)
		return
	}
	if len(rec.Raw) > maxPayload {
		writeRaw(w, http.StatusBadRequest, BodyInputTooLong)
		return
	}

	if own != nil {
		s.play(w, r, rec, acct, own(rec))
		return
	}
	s.mu.Lock()
	roll := s.rng.Float64()
	f := s.opts.Faults
	var sc Script
	reset, stall, hang := false, false, false
	fault := ""
	switch {
	case roll < f.Rate429:
		fault = "429"
		s.faultHits["429"]++
		sc = Script{Status(http.StatusTooManyRequests, BodyThrottled)}
	case roll < f.Rate429+f.Rate5xx:
		s.faultHits["5xx"]++
		fault = "5xx"
		if s.rng.IntN(2) == 0 {
			sc = Script{Status(http.StatusInternalServerError, BodyHighLoad)}
		} else {
			sc = Script{Status(http.StatusServiceUnavailable, BodyUnavailable)}
		}
	case roll < f.Rate429+f.Rate5xx+f.RateReset:
		s.faultHits["reset"]++
		reset, fault = true, "reset"
	case roll < f.Rate429+f.Rate5xx+f.RateReset+f.RateStall:
		s.faultHits["stall"]++
		stall, fault = true, "stall"
	case roll < f.Rate429+f.Rate5xx+f.RateReset+f.RateStall+f.RateHang:
		s.faultHits["hang"]++
		hang, fault = true, "hang"
	}
	if sc == nil && !hang {
		if len(s.scripts) > 0 {
			sc = s.scripts[0]
			s.scripts = s.scripts[1:]
		}
	}
	def := s.opts.DefaultScript
	s.mu.Unlock()
	if s.opts.OnChat != nil {
		s.opts.OnChat(rec, fault)
	}
	if hang {
		// Not even the headers: the caller's first-byte timeout must act.
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	}
	if sc == nil {
		if def != nil {
			sc = def(rec)
		} else {
			sc = EchoScript(rec)
		}
	}
	if reset {
		// One frame of the real answer, then the connection drops.
		sc = append(slices.Clone(firstFrame(sc)), Reset())
	}
	if stall {
		// One frame of the real answer, then silence.
		sc = append(slices.Clone(firstFrame(sc)), Stall())
	}
	s.play(w, r, rec, acct, sc)
}

// firstFrame returns the steps up to and including the first that sends a frame.
func firstFrame(sc Script) Script {
	for i, st := range sc {
		if st.kind < stepDelay || st.kind == stepStamp {
			return sc[: i+1 : i+1]
		}
	}
	return sc
}

// checkHeaders applies the header rules of kiro-protocol.md section 2.
func checkHeaders(h http.Header) string {
	switch {
	case !strings.HasPrefix(h.Get("Content-Type"), "application/json"):
		return "Content-Type must be application/json"
	case h.Get("x-amzn-kiro-agent-mode") != "vibe":
		return "x-amzn-kiro-agent-mode must be vibe"
	case h.Get("x-amzn-codewhisperer-optout") != "true":
		return "x-amzn-codewhisperer-optout must be true"
	case len(h.Get("amz-sdk-invocation-id")) != 36:
		return "amz-sdk-invocation-id must be a UUID"
	case !strings.Contains(h.Get("x-amz-user-agent"), "KiroIDE-"):
		return "x-amz-user-agent must name KiroIDE-<version>-<machineId>"
	case !strings.Contains(h.Get("User-Agent"), "KiroIDE-"):
		return "User-Agent must name KiroIDE-<version>-<machineId>"
	}
	return ""
}

// checkChat applies the request-shape rules Kiro enforces (section 3) that
// a translator can get wrong; it returns why a body would be refused.
func checkChat(rec RecordedRequest) string {
	c := rec.Chat
	if c == nil {
		return "body is not a chat request"
	}
	cs := c.ConversationState
	cur := cs.CurrentMessage.UserInputMessage
	switch {
	case cur == nil:
		return "currentMessage.userInputMessage missing"
	case strings.TrimSpace(cur.Content) == "":
		return "current message content is empty"
	case cs.ChatTriggerType != "MANUAL":
		return fmt.Sprintf("chatTriggerType %q", cs.ChatTriggerType)
	case c.InferenceConfig != nil:
		return "inferenceConfig is not accepted"
	}
	for i, h := range cs.History {
		if (h.UserInputMessage == nil) == (h.AssistantResponseMessage == nil) {
			return fmt.Sprintf("history[%d] must hold exactly one message", i)
		}
		if i > 0 && (h.UserInputMessage == nil) == (cs.History[i-1].UserInputMessage == nil) {
			return fmt.Sprintf("history[%d] does not alternate roles", i)
		}
	}
	return ""
}

// play answers r (recorded as rec) with sc.
func (s *Server) play(w http.ResponseWriter, r *http.Request, rec RecordedRequest, acct *account, sc Script) {
	defer func() {
		// The request's context ends with ServeHTTP; before that, only
		// when the client went away.
		if r.Context().Err() != nil {
			s.mu.Lock()
			s.gone++
			s.mu.Unlock()
		}
	}()
	if len(sc) > 0 && sc[0].kind == stepStatus {
		s.mu.Lock()
		acct.stats.Errors++
		s.mu.Unlock()
		if sc[0].d > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(sc[0].d.Seconds())))
		}
		writeRaw(w, sc[0].code, sc[0].text)
		return
	}
	if len(sc) > 0 && sc[0].kind == stepDrop {
		s.mu.Lock()
		acct.stats.Errors++
		s.mu.Unlock()
		panic(http.ErrAbortHandler) // nothing written: the client sees the connection close
	}
	for len(sc) > 0 && sc[0].kind == stepWait {
		select {
		case <-time.After(sc[0].d):
		case <-r.Context().Done():
			return
		}
		sc = sc[1:]
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.Header().Set("x-amzn-RequestId", newToken("req"))
	w.WriteHeader(http.StatusOK)
	_ = rc.Flush()
	ew := eventstream.NewWriter(w)
	for _, st := range sc {
		var err error
		switch st.kind {
		case stepText:
			err = ew.Event("assistantResponseEvent", map[string]string{"content": st.text})
		case stepStamp:
			us := time.Since(rec.Time).Microseconds()
			err = ew.Event("assistantResponseEvent", map[string]string{"content": stampPrefix + strconv.FormatInt(us, 10) + "]"})
		case stepToolUse:
			err = writeToolUse(ew, st)
		case stepReasoning:
			err = ew.Event("reasoningContentEvent", map[string]string{"text": st.text, "signature": "fake-signature"})
		case stepMetering:
			s.mu.Lock()
			acct.credits += st.f
			acct.stats.Credits += st.f
			s.mu.Unlock()
			err = ew.Event("meteringEvent", map[string]any{"unit": "credit", "unitPlural": "credits", "usage": st.f})
		case stepContext:
			err = ew.Event("contextUsageEvent", map[string]any{"contextUsagePercentage": st.f})
		case stepUsage:
			s.mu.Lock()
			acct.stats.InputTokens += int64(st.usage.UncachedInput)
			acct.stats.OutputTokens += int64(st.usage.Output)
			s.mu.Unlock()
			err = ew.Event("messageMetadataEvent", map[string]any{"tokenUsage": st.usage})
		case stepException:
			err = ew.Exception(st.name, map[string]string{"message": st.text})
		case stepEvent:
			err = ew.Event(st.name, st.payload)
		case stepRaw:
			_, err = w.Write(st.raw)
		case stepDelay:
			if !s.sleep(r.Context(), st.d) {
				return
			}
		case stepReset:
			_ = rc.Flush()
			// The documented way to drop an HTTP/1 connection mid-body:
			// the chunked body is never terminated.
			panic(http.ErrAbortHandler)
		case stepStall:
			_ = rc.Flush()
			select {
			case <-r.Context().Done():
			case <-s.closing:
			}
			return
		case stepStatus:
			s.log.Warn("fakekiro: Status step after the stream started is ignored")
		}
		if err != nil {
			return // client gone
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

func writeToolUse(ew *eventstream.Writer, st Step) error {
	frame := func(input string, stop bool) error {
		p := map[string]any{"name": st.name, "toolUseId": st.id, "input": input}
		if stop {
			p = map[string]any{"name": st.name, "toolUseId": st.id, "stop": true}
		}
		return ew.Event("toolUseEvent", p)
	}
	if err := frame("", false); err != nil {
		return err
	}
	for _, part := range splitRunes(st.text, st.n) {
		if err := frame(part, false); err != nil {
			return err
		}
	}
	if st.stop {
		return frame("", true)
	}
	return nil
}

// splitRunes cuts s into n pieces of about equal size on rune boundaries.
func splitRunes(s string, n int) []string {
	runes := []rune(s)
	if n > len(runes) {
		n = max(len(runes), 1)
	}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, string(runes[i*len(runes)/n:(i+1)*len(runes)/n]))
	}
	return out
}

func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.closing:
	}
	return false
}
