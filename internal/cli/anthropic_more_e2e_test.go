//go:build !windows

package cli

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
)

// The exact SSE event order a streaming client sees, read raw off the wire.
func TestStreamingEventOrderOnTheWire(t *testing.T) {
	e := startWithAccounts(t, 1)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("Hi"), fakekiro.ToolUse("tooluse_9", "lookup", `{"q":"x"}`, 2, true),
		fakekiro.Usage(eventstreamUsage(7, 3))})
	body := `{"model":"claude-sonnet-4-5","max_tokens":100,"stream":true,
		"tools":[{"name":"lookup","input_schema":{"type":"object","properties":{"q":{"type":"string"}}}}],
		"messages":[{"role":"user","content":"find x"}]}`
	req, err := http.NewRequest("POST", e.serve.url+"/v1/messages", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("x-api-key", e.key)
	req.Header.Set("anthropic-version", "2023-06-01")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	var names []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if n, ok := strings.CutPrefix(sc.Text(), "event: "); ok && n != "ping" {
			names = append(names, n)
		}
	}
	assert.Equal(t, []string{
		"message_start",
		"content_block_start", "content_block_delta", "content_block_stop", // text
		"content_block_start", "content_block_delta", "content_block_stop", // tool_use
		"message_delta", "message_stop",
	}, names)
}

func TestAnthropicSDKThinking(t *testing.T) {
	e := startWithAccounts(t, 1)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("<thinking>2+2 is "), fakekiro.Text("4.</thinking>\n\n"), fakekiro.Text("The answer is 4.")})
	params := userText("what is 2+2?")
	params.MaxTokens = 8000
	params.Thinking = anthropic.ThinkingConfigParamOfEnabled(4096)
	msg, err := e.client.Messages.New(context.Background(), params)
	require.NoError(t, err)
	require.Len(t, msg.Content, 2)
	assert.Equal(t, "thinking", string(msg.Content[0].Type))
	assert.Equal(t, "2+2 is 4.", msg.Content[0].Thinking)
	assert.Equal(t, "The answer is 4.", msg.Content[1].Text)
	raw := string(e.fake.ChatRequests()[0].Raw)
	assert.Contains(t, raw, "<thinking_mode>enabled</thinking_mode><max_thinking_length>4096</max_thinking_length>")
}

func TestAnthropicSDKImage(t *testing.T) {
	e := startWithAccounts(t, 1)
	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\nfake"))
	params := anthropic.MessageNewParams{Model: "claude-sonnet-4-5", MaxTokens: 100,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(
			anthropic.NewImageBlockBase64("image/png", png), anthropic.NewTextBlock("what is this?"))}}
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("A tiny PNG.")})
	msg, err := e.client.Messages.New(context.Background(), params)
	require.NoError(t, err)
	assert.Equal(t, "A tiny PNG.", msg.Content[0].Text)
	raw := string(e.fake.ChatRequests()[0].Raw)
	assert.Contains(t, raw, `"format":"png"`)
	assert.Contains(t, raw, png)
}

// Bad input through the real server: each gets the right status and an
// Anthropic-shaped error, and the server keeps serving.
func TestBadInputThroughServe(t *testing.T) {
	e := startWithAccounts(t, 1)
	good := `{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`
	cases := []badInput{
		{"malformed JSON", `{"model":`, nil, 400, "invalid_request_error"},
		{"wrong types", `{"model":1,"max_tokens":"x","messages":{}}`, nil, 400, "invalid_request_error"},
		{"no messages", `{"model":"m","max_tokens":10,"messages":[]}`, nil, 400, "invalid_request_error"},
		// 5 MB fits the body limit (9.6 MB) but not Kiro's ~600 KB: refused before any upstream call.
		{"5 MB body", `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"` + strings.Repeat("x", 5<<20) + `"}]}`, nil, 400, "invalid_request_error"},
		{"body over the limit", `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"` + strings.Repeat("x", 33<<20) + `"}]}`, nil, 413, "request_too_large"},
		{"missing key", good, map[string]string{"x-api-key": ""}, 401, "authentication_error"},
		{"wrong key", good, map[string]string{"x-api-key": "kd-nope"}, 401, "authentication_error"},
		{"foreign Host", good, map[string]string{"Host": "evil.example"}, 403, "permission_error"},
		{"web page origin", good, map[string]string{"Origin": "https://evil.example"}, 403, "permission_error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := postBadInput(t, e.serve.url+"/v1/messages", func(h http.Header) { h.Set("x-api-key", e.key) }, tc)
			var b strings.Builder
			_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
			assert.Contains(t, b.String(), `"type":"error"`)
			assert.Contains(t, b.String(), `"type":"`+tc.errTyp+`"`)
		})
	}
	assert.Empty(t, e.fake.ChatRequests(), "none of these reached Kiro")
	// A Claude-shaped model no catalogue lists is passed through to Kiro,
	// which decides; its refusal is the client's 400 with the models that work.
	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(400, fakekiro.BodyInvalidModel)})
	_, err := e.client.Messages.New(context.Background(), anthropic.MessageNewParams{Model: "claude-imaginary-9", MaxTokens: 10,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))}})
	var apiErr *anthropic.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Contains(t, apiErr.Error(), `unknown model \"claude-imaginary-9\"; models that work: auto, claude-sonnet-4.5`)
	assert.Contains(t, string(e.fake.ChatRequests()[0].Raw), `"modelId":"claude-imaginary-9"`)

	// Still serving.
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("fine")})
	msg, err := e.client.Messages.New(context.Background(), userText("ok?"))
	require.NoError(t, err)
	assert.Equal(t, "fine", msg.Content[0].Text)
}

// Kiro streams tool input as string fragments; split inside escapes and
// multibyte characters they must still join into the exact input.
func TestToolInputSplitAtAwkwardPlaces(t *testing.T) {
	e := startWithAccounts(t, 1)
	input := `{"path":"C:\\dir\\日本語 \"quoted\".txt","lines":[1,2,3],"note":"tab\there 🙂"}`
	e.fake.Enqueue(fakekiro.Script{fakekiro.ToolUse("tooluse_x", "write_file", input, len([]rune(input)), true)})
	tool := anthropic.ToolParam{Name: "write_file", InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{}}}
	params := userText("write it")
	params.Tools = []anthropic.ToolUnionParam{{OfTool: &tool}}
	stream := e.client.Messages.NewStreaming(context.Background(), params)
	var msg anthropic.Message
	for stream.Next() {
		require.NoError(t, msg.Accumulate(stream.Current()))
	}
	require.NoError(t, stream.Err())
	require.Len(t, msg.Content, 1)
	assert.JSONEq(t, input, string(msg.Content[0].AsToolUse().Input))
}

// GET /v1/kirodesk/status shows the proxy and each account with its
// counters, and never a token.
func TestStatusEndpoint(t *testing.T) {
	e := startWithAccounts(t, 2)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("hi")})
	_, err := e.client.Messages.New(context.Background(), userText("x"))
	require.NoError(t, err)

	code, _ := call(t, "GET", e.serve.url+"/v1/kirodesk/status", "")
	assert.Equal(t, 401, code)
	code, body := call(t, "GET", e.serve.url+"/v1/kirodesk/status", e.key)
	require.Equal(t, 200, code)
	var st struct {
		Proxy struct {
			On       bool   `json:"proxyOn"`
			Endpoint string `json:"endpoint"`
		} `json:"proxy"`
		Accounts []struct {
			ID       string `json:"id"`
			State    string `json:"state"`
			Counters struct {
				Requests int64 `json:"requests"`
			} `json:"counters"`
		} `json:"accounts"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &st))
	assert.True(t, st.Proxy.On)
	assert.Equal(t, e.serve.url, st.Proxy.Endpoint)
	require.Len(t, st.Accounts, 2)
	total := int64(0)
	for _, a := range st.Accounts {
		assert.Equal(t, "ready", a.State)
		total += a.Counters.Requests
	}
	assert.EqualValues(t, 1, total)
	for _, fa := range e.fake.Accounts() {
		assert.NotContains(t, body, fa.AccessToken)
		assert.NotContains(t, body, fa.RefreshToken)
	}
	assert.NotContains(t, body, e.key)
}
