//go:build linux

package soak

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// api is one of the client-facing request kinds the load mixes.
type api int

const (
	anthropicPlain api = iota
	anthropicStream
	chatPlain
	chatStream
	responsesPlain
	responsesStream
	numAPIs
)

func (a api) String() string {
	return [...]string{"anthropic", "anthropic-stream", "chat", "chat-stream", "responses", "responses-stream"}[a]
}

func (a api) stream() bool { return a == anthropicStream || a == chatStream || a == responsesStream }

func (a api) path() string {
	switch a {
	case anthropicPlain, anthropicStream:
		return "/v1/messages"
	case chatPlain, chatStream:
		return "/v1/chat/completions"
	}
	return "/v1/responses"
}

func (a api) body(prompt string) []byte {
	s := strconv.FormatBool(a.stream())
	q := strconv.Quote(prompt)
	switch a {
	case responsesPlain, responsesStream:
		return []byte(`{"model":"` + model + `","stream":` + s + `,"input":` + q + `}`)
	case chatPlain, chatStream:
		return []byte(`{"model":"` + model + `","max_tokens":256,"stream":` + s + `,"messages":[{"role":"user","content":` + q + `}]}`)
	}
	return []byte(`{"model":"` + model + `","max_tokens":256,"stream":` + s + `,"messages":[{"role":"user","content":` + q + `}]}`)
}

// result is what a client saw.
type result int

const (
	resOK          result = iota // a whole answer, or a stream that completed
	resStreamError               // a stream that ended with the API's proper error event
	resStatus                    // an error status with the API's error shape
	resBroken                    // anything else: transport error, malformed or unfinished answer
)

// outcome is one request's result, with the status and what went wrong.
type outcome struct {
	res    result
	status int
	detail string
}

// backOff pauses a client after a refusal (429, 503, 529), as the SDKs do
// (for less than the Retry-After, to keep the pressure on): without it, 64
// clients spinning on instant refusals would starve the machine, and every
// other package's timing tests with it.
func backOff(o outcome) {
	if o.res == resStatus && (o.status == 429 || o.status == 503 || o.status == 529) {
		time.Sleep(time.Duration(200+rand.IntN(300)) * time.Millisecond)
	}
}

// send makes one request and reads the whole answer.
func send(ctx context.Context, c *http.Client, url, key string, a api, prompt string) outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+a.path(), bytes.NewReader(a.body(prompt)))
	if err != nil {
		return outcome{res: resBroken, detail: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("anthropic-version", "2023-06-01")
	resp, err := c.Do(req)
	if err != nil {
		return outcome{res: resBroken, detail: "transport: " + err.Error()}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		if msg, ok := errorShape(a.path(), b); ok {
			return outcome{res: resStatus, status: resp.StatusCode, detail: msg}
		}
		return outcome{res: resBroken, status: resp.StatusCode, detail: "error body not in the API's shape: " + string(b)}
	}
	if !a.stream() {
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return outcome{res: resBroken, status: 200, detail: "read: " + err.Error()}
		}
		if text, ok := answerText(a, b); !ok || !strings.HasPrefix(text, "Echo: ") {
			return outcome{res: resBroken, status: 200, detail: "incomplete answer: " + string(b)}
		}
		return outcome{res: resOK, status: 200}
	}
	return readStream(a, resp.Body)
}

// errorShape checks an error body: OpenAI's {"error":{"message","type"}} on
// OpenAI routes, Anthropic's {"type":"error","error":{"type","message"}}
// elsewhere. It returns the message.
func errorShape(path string, b []byte) (string, bool) {
	var m struct {
		Type  *string `json:"type"`
		Error *struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &m) != nil || m.Error == nil || m.Error.Type == "" || m.Error.Message == "" {
		return "", false
	}
	openai := strings.HasPrefix(path, "/v1/chat/") || strings.HasPrefix(path, "/v1/responses")
	if openai != (m.Type == nil) || (!openai && *m.Type != "error") {
		return "", false
	}
	return m.Error.Type + ": " + m.Error.Message, true
}

// answerText is the text of a non-streamed answer.
func answerText(a api, b []byte) (string, bool) {
	switch a {
	case anthropicPlain:
		var m struct {
			Type    string `json:"type"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
			StopReason string `json:"stop_reason"`
		}
		if json.Unmarshal(b, &m) != nil || m.Type != "message" || len(m.Content) == 0 || m.StopReason == "" {
			return "", false
		}
		return m.Content[0].Text, true
	case chatPlain:
		var m struct {
			Choices []struct {
				Message struct {
					Content string `json:"content"`
				} `json:"message"`
				FinishReason string `json:"finish_reason"`
			} `json:"choices"`
		}
		if json.Unmarshal(b, &m) != nil || len(m.Choices) != 1 || m.Choices[0].FinishReason == "" {
			return "", false
		}
		return m.Choices[0].Message.Content, true
	}
	var m struct {
		Status string `json:"status"`
		Output []struct {
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"output"`
	}
	if json.Unmarshal(b, &m) != nil || m.Status != "completed" || len(m.Output) == 0 || len(m.Output[0].Content) == 0 {
		return "", false
	}
	return m.Output[0].Content[0].Text, true
}

// readStream reads an SSE answer to its end and says how it ended: the
// API's success marker (message_stop; a finish_reason then [DONE];
// response.completed) or its error event (event: error; an error chunk then
// [DONE]; error then response.failed), and nothing after either.
func readStream(a api, body io.Reader) outcome {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var (
		text      strings.Builder
		ended     string // "ok" or "error" once the terminal marker came
		errMsg    string
		finish    bool
		sawError  bool
		afterEnd  int
		dataLines int
	)
	for sc.Scan() {
		line := sc.Text()
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue // event:, blank lines, comments
		}
		dataLines++
		if ended != "" {
			afterEnd++
			continue
		}
		if data == "[DONE]" {
			if a == chatStream {
				switch {
				case sawError:
					ended = "error"
				case finish:
					ended = "ok"
				default:
					ended = "done-without-finish"
				}
			}
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			return outcome{res: resBroken, status: 200, detail: "bad JSON in stream: " + data}
		}
		typ, _ := ev["type"].(string)
		switch a {
		case anthropicStream:
			switch typ {
			case "content_block_delta":
				if d, ok := ev["delta"].(map[string]any); ok {
					s, _ := d["text"].(string)
					text.WriteString(s)
				}
			case "message_stop":
				ended = "ok"
			case "error":
				ended, errMsg = "error", fmt.Sprint(ev["error"])
			}
		case chatStream:
			if e, ok := ev["error"]; ok {
				sawError, errMsg = true, fmt.Sprint(e)
			}
			if ch, ok := ev["choices"].([]any); ok && len(ch) > 0 {
				c, _ := ch[0].(map[string]any)
				if d, ok := c["delta"].(map[string]any); ok {
					s, _ := d["content"].(string)
					text.WriteString(s)
				}
				if fr, _ := c["finish_reason"].(string); fr != "" {
					finish = true
				}
			}
		case responsesStream:
			switch typ {
			case "response.output_text.delta":
				s, _ := ev["delta"].(string)
				text.WriteString(s)
			case "error":
				sawError, errMsg = true, data
			case "response.completed":
				ended = "ok"
			case "response.failed":
				if sawError {
					ended = "error"
				} else {
					ended = "failed-without-error"
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return outcome{res: resBroken, status: 200, detail: fmt.Sprintf("stream broke after %d events (ended %q): %v", dataLines, ended, err)}
	}
	switch {
	case afterEnd > 0:
		return outcome{res: resBroken, status: 200, detail: fmt.Sprintf("%d events after the end (%s)", afterEnd, ended)}
	case ended == "ok" && strings.HasPrefix(text.String(), "Echo: "):
		return outcome{res: resOK, status: 200}
	case ended == "ok":
		return outcome{res: resBroken, status: 200, detail: "completed but the text is " + strconv.Quote(text.String())}
	case ended == "error":
		return outcome{res: resStreamError, status: 200, detail: errMsg}
	}
	return outcome{res: resBroken, status: 200, detail: fmt.Sprintf("stream ended without its terminal event after %d events (%q)", dataLines, ended)}
}
