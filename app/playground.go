package app

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"kirodesk/internal/api"
)

// The "Try it" view: a prompt sent through the local API exactly as a
// client sends it (the real listener, the API key, the pool, the request
// log and usage), streamed back to the window as events. Nothing here
// talks to Kiro or the pool directly: a run that works here works for a
// client too.

// PlaygroundRequest is what the view sends.
type PlaygroundRequest struct {
	Model  string `json:"model"`
	Prompt string `json:"prompt"`
	System string `json:"system"`
	// Account pins the request to one account (its id); "" lets the pool
	// choose, as it does for clients.
	Account string `json:"account"`
	// MaxTokens bounds the answer; 0 means playgroundMaxTokens.
	MaxTokens int `json:"maxTokens"`
}

// PlaygroundDelta is one piece of the answer's text, in order (Seq counts
// from 1 within a run).
type PlaygroundDelta struct {
	RunID string `json:"runId"`
	Seq   int    `json:"seq"`
	Text  string `json:"text"`
}

// PlaygroundSummary ends a run: its figures, or why it failed or stopped.
// Tokens, credits and the account are the request log's (what the proxy
// recorded for this very request); the times are measured here, as a
// client sees them.
type PlaygroundSummary struct {
	RunID     string `json:"runId"`
	OK        bool   `json:"ok"`
	Cancelled bool   `json:"cancelled"`
	// Error is the local API's answer when it refused or failed the request.
	Error      string `json:"error,omitempty"`
	Status     int    `json:"status"` // the local API's HTTP status; 0 when none came
	Model      string `json:"model"`
	StopReason string `json:"stopReason,omitempty"`
	// FirstByteMs is the time until the answer began (-1: it never did);
	// TotalMs the time until it ended.
	FirstByteMs  int64 `json:"firstByteMs"`
	TotalMs      int64 `json:"totalMs"`
	InputTokens  int   `json:"inputTokens"`
	OutputTokens int   `json:"outputTokens"`
	// Credits is Kiro's metering of the request; nil when Kiro sent none.
	Credits      *float64 `json:"credits"`
	Account      string   `json:"account,omitempty"` // the id of the account that served it
	AccountLabel string   `json:"accountLabel,omitempty"`
	Pinned       bool     `json:"pinned"`
}

// playgroundMaxTokens keeps a try cheap unless the person asks for more.
const playgroundMaxTokens = 1024

// playgroundTimeout bounds a run that nobody cancels.
const playgroundTimeout = 10 * time.Minute

// playgroundAgent starts the User-Agent of a run; the run id follows, so
// the run finds its own entry in the request log.
const playgroundAgent = "Kirodesk-TryIt/1 run/"

// runs are the playground runs in progress, by id.
type runs struct {
	mu     sync.Mutex
	cancel map[string]context.CancelFunc
}

func (r *runs) add(id string, cancel context.CancelFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel == nil {
		r.cancel = map[string]context.CancelFunc{}
	}
	r.cancel[id] = cancel
}

func (r *runs) remove(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.cancel, id)
}

func (r *runs) stop(id string) bool {
	r.mu.Lock()
	cancel, ok := r.cancel[id]
	r.mu.Unlock()
	if ok {
		cancel()
	}
	return ok
}

func (r *runs) stopAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cancel := range r.cancel {
		cancel()
	}
}

// PlaygroundModels lists the models the local API serves (GET /v1/models,
// aliases included when there are any), for the view's model choice.
func (a *App) PlaygroundModels() ([]string, error) {
	endpoint, key, err := a.localAPI()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return localModels(ctx, endpoint, key)
}

// StartPlayground sends the prompt as a streaming /v1/messages request to
// the local API and returns the run's id at once. The answer arrives as
// EventPlaygroundDelta events and ends with one EventPlaygroundDone.
func (a *App) StartPlayground(req PlaygroundRequest) (string, error) {
	req.Model, req.Account = strings.TrimSpace(req.Model), strings.TrimSpace(req.Account)
	switch {
	case req.Model == "":
		return "", errors.New("choose a model")
	case strings.TrimSpace(req.Prompt) == "":
		return "", errors.New("type a prompt")
	case req.MaxTokens < 0:
		return "", errors.New("the answer's length limit must be positive")
	}
	if req.MaxTokens == 0 {
		req.MaxTokens = playgroundMaxTokens
	}
	endpoint, key, err := a.localAPI()
	if err != nil {
		return "", err
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), playgroundTimeout)
	a.runs.add(id, cancel)
	go func() {
		defer cancel()
		defer a.runs.remove(id)
		a.emit(EventPlaygroundDone, a.playground(ctx, id, endpoint, key, req))
	}()
	return id, nil
}

// CancelPlayground stops a run: its request to the local API is closed,
// which ends the proxy's call to Kiro too. A run already over is no error.
func (a *App) CancelPlayground(runID string) error {
	a.runs.stop(runID)
	return nil
}

// localAPI is the proxy's endpoint and key, when the proxy is on.
func (a *App) localAPI() (endpoint, key string, err error) {
	c, err := a.ready()
	if err != nil {
		return "", "", err
	}
	ps := c.Proxy.Status()
	if !ps.On {
		return "", "", errors.New("the proxy is off: turn it on first")
	}
	key, err = a.APIKey()
	return ps.Endpoint, key, err
}

// playgroundBody is the request a client would send; the view's "Copy as
// curl" builds the same one (frontend/src/lib/playground.ts).
func playgroundBody(req PlaygroundRequest) map[string]any {
	body := map[string]any{"model": req.Model, "max_tokens": req.MaxTokens, "stream": true,
		"messages": []map[string]string{{"role": "user", "content": req.Prompt}}}
	if strings.TrimSpace(req.System) != "" {
		body["system"] = req.System
	}
	return body
}

// playground runs one request and returns its summary.
func (a *App) playground(ctx context.Context, id, endpoint, key string, req PlaygroundRequest) PlaygroundSummary {
	sum := PlaygroundSummary{RunID: id, Model: req.Model, FirstByteMs: -1, Pinned: req.Account != ""}
	seq := lastSeq(a)
	agent := playgroundAgent + id
	start := time.Now()
	end := func(err error) PlaygroundSummary {
		sum.TotalMs = msSince(start)
		if errors.Is(ctx.Err(), context.Canceled) { // CancelPlayground, not the timeout
			sum.Cancelled, sum.OK, err = true, false, nil
		}
		if err != nil {
			sum.Error = err.Error()
		}
		a.fromRequestLog(&sum, seq, agent)
		return sum
	}
	body, _ := json.Marshal(playgroundBody(req))
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/v1/messages", bytes.NewReader(body))
	if err != nil {
		return end(err)
	}
	hr.Header.Set("x-api-key", key)
	hr.Header.Set("anthropic-version", "2023-06-01")
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("User-Agent", agent)
	if req.Account != "" {
		hr.Header.Set(api.PinHeader, req.Account)
	}
	resp, err := localClient.Do(hr)
	if err != nil {
		return end(fmt.Errorf("could not reach the local API: %w", err))
	}
	defer resp.Body.Close()
	sum.Status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return end(fmt.Errorf("the local API answered %d: %s", resp.StatusCode, apiMessage(b, resp.StatusCode)))
	}
	sum.FirstByteMs = msSince(start)
	err = readStream(resp.Body, &sum, func(text string, n int) {
		a.emit(EventPlaygroundDelta, PlaygroundDelta{RunID: id, Seq: n, Text: text})
	})
	if err == nil {
		sum.OK = true
	}
	return end(err)
}

// readStream reads an Anthropic event stream, handing each text delta to
// delta; it fills in what the stream says about the answer and returns
// the stream's own error event as an error.
func readStream(r io.Reader, sum *PlaygroundSummary, delta func(text string, seq int)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	n := 0
	stopped := false
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue
		}
		var ev struct {
			Type    string `json:"type"`
			Message struct {
				Usage struct {
					InputTokens int `json:"input_tokens"`
				} `json:"usage"`
			} `json:"message"`
			Delta struct {
				Type       string `json:"type"`
				Text       string `json:"text"`
				StopReason string `json:"stop_reason"`
			} `json:"delta"`
			Usage struct {
				InputTokens  int `json:"input_tokens"`
				OutputTokens int `json:"output_tokens"`
			} `json:"usage"`
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal([]byte(strings.TrimSpace(data)), &ev) != nil {
			continue
		}
		switch ev.Type {
		case "message_start":
			sum.InputTokens = ev.Message.Usage.InputTokens
		case "content_block_delta":
			if ev.Delta.Type == "text_delta" && ev.Delta.Text != "" {
				n++
				delta(ev.Delta.Text, n)
			}
		case "message_delta":
			sum.StopReason = ev.Delta.StopReason
			if ev.Usage.InputTokens > 0 {
				sum.InputTokens = ev.Usage.InputTokens
			}
			sum.OutputTokens = ev.Usage.OutputTokens
		case "message_stop":
			stopped = true
		case "error":
			return fmt.Errorf("the answer broke off: %s", ev.Error.Message)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if !stopped {
		return errors.New("the answer broke off before its end")
	}
	return nil
}

// fromRequestLog completes the summary with the request log's entry for
// this run (found by its User-Agent): the account that served it, the
// tokens and credits the proxy recorded. The entry is added as the
// server's handler returns, a moment after the client read the last byte.
func (a *App) fromRequestLog(sum *PlaygroundSummary, seq int64, agent string) {
	deadline := time.Now().Add(3 * time.Second)
	for {
		lines, err := a.Requests(seq)
		if err != nil {
			return
		}
		for _, l := range lines {
			if l.UserAgent != agent {
				continue
			}
			sum.Account, sum.AccountLabel = l.Account, l.AccountLabel
			if l.InputTokens > 0 || l.OutputTokens > 0 {
				sum.InputTokens, sum.OutputTokens = l.InputTokens, l.OutputTokens
			}
			if l.Credits > 0 {
				c := l.Credits
				sum.Credits = &c
			}
			return
		}
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// apiMessage is the message of an API error body, or the status's text.
func apiMessage(b []byte, status int) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	if e.Error.Message == "" {
		return http.StatusText(status)
	}
	return e.Error.Message
}

// msSince rounds up: a run under a millisecond reads "1 ms", never "0 ms".
func msSince(t time.Time) int64 {
	return (time.Since(t) + time.Millisecond - 1).Milliseconds()
}
