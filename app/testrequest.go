package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// TestAnswer is what "Send test request" shows: Kiro's answer, the account
// that served it and how long it took.
type TestAnswer struct {
	Text      string `json:"text"`
	Model     string `json:"model"`
	Account   string `json:"account"` // the account's label, "" if unknown
	LatencyMs int64  `json:"latencyMs"`
}

// testPrompt is small on purpose: it spends next to no credits.
const testPrompt = "Reply with one short sentence saying that you are ready."

// SendTestRequest sends a small prompt through the local API as a client
// would (the real listener, the API key), so it proves the whole path.
func (a *App) SendTestRequest() (TestAnswer, error) {
	endpoint, key, err := a.localAPI()
	if err != nil {
		return TestAnswer{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	models, err := localModels(ctx, endpoint, key)
	if err != nil {
		return TestAnswer{}, err
	}
	if len(models) == 0 {
		return TestAnswer{}, errors.New("Kiro lists no model for these accounts")
	}
	model := models[0]
	for _, m := range models {
		if strings.Contains(m, "haiku") { // the cheapest
			model = m
			break
		}
	}
	seq := lastSeq(a)
	body := map[string]any{"model": model, "max_tokens": 100,
		"messages": []map[string]string{{"role": "user", "content": testPrompt}}}
	var out struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
	}
	start := time.Now()
	if err := localCall(ctx, http.MethodPost, endpoint+"/v1/messages", key, body, &out); err != nil {
		return TestAnswer{}, err
	}
	// Rounded up: an answer under a millisecond reads "1 ms", never "0 ms".
	ans := TestAnswer{Model: model, LatencyMs: (time.Since(start) + time.Millisecond - 1).Milliseconds()}
	for _, b := range out.Content {
		if b.Type == "text" {
			ans.Text += b.Text
		}
	}
	// The request log says which account served it: the first request to
	// /v1/messages logged after ours began (another client's request at
	// the same instant could be taken for it; the label is a hint).
	if lines, err := a.Requests(seq); err == nil {
		for _, l := range lines {
			if l.Path == "/v1/messages" && l.Model != "" {
				ans.Account = l.AccountLabel
				break
			}
		}
	}
	return ans, nil
}

func lastSeq(a *App) int64 {
	lines, err := a.Requests(0)
	if err != nil || len(lines) == 0 {
		return 0
	}
	return lines[len(lines)-1].Seq
}

// localClient never goes through an outbound proxy: the call is to this
// machine's own listener.
var localClient = &http.Client{Transport: &http.Transport{Proxy: nil}}

// localModels lists the models the local API serves (GET /v1/models).
func localModels(ctx context.Context, endpoint, key string) ([]string, error) {
	var models struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := localCall(ctx, http.MethodGet, endpoint+"/v1/models", key, nil, &models); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(models.Data))
	for _, m := range models.Data {
		out = append(out, m.ID)
	}
	return out, nil
}

// localCall calls the local API with the key and decodes a 200 answer; any
// other answer becomes an error with the API's own message.
func localCall(ctx context.Context, method, url, key string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	req.Header.Set("x-api-key", key)
	req.Header.Set("anthropic-version", "2023-06-01")
	req.Header.Set("Content-Type", "application/json")
	resp, err := localClient.Do(req)
	if err != nil {
		return fmt.Errorf("could not reach the local API: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the local API answered %d: %s", resp.StatusCode, apiMessage(b, resp.StatusCode))
	}
	return json.Unmarshal(b, out)
}
