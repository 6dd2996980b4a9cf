//go:build !windows

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/relay"
)

func openaiClient(e *kiroEnv) sdk.Client {
	return sdk.NewClient(option.WithBaseURL(e.serve.url+"/v1"), option.WithAPIKey(e.key), option.WithMaxRetries(0))
}

func TestOpenAISDKPlainStreamingAndTools(t *testing.T) {
	e := startWithAccounts(t, 1)
	c := openaiClient(e)
	ctx := context.Background()
	params := sdk.ChatCompletionNewParams{Model: "claude-sonnet-4-5",
		Messages: []sdk.ChatCompletionMessageParamUnion{sdk.SystemMessage("Be brief."), sdk.UserMessage("hello")}}

	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("Hi "), fakekiro.Text("there"), fakekiro.Usage(eventstreamUsage(9, 2))})
	res, err := c.Chat.Completions.New(ctx, params)
	require.NoError(t, err)
	require.Len(t, res.Choices, 1)
	assert.Equal(t, "Hi there", res.Choices[0].Message.Content)
	assert.Equal(t, "stop", res.Choices[0].FinishReason)
	assert.EqualValues(t, 9, res.Usage.PromptTokens)
	assert.Contains(t, string(e.fake.ChatRequests()[0].Raw), "Be brief.")

	// Streaming with usage in the last chunk, and a tool call with streamed arguments.
	tool := sdk.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "get_weather",
		Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}}})
	params.Tools = []sdk.ChatCompletionToolUnionParam{tool}
	params.StreamOptions = sdk.ChatCompletionStreamOptionsParam{IncludeUsage: sdk.Bool(true)}
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("Checking."), fakekiro.ToolUse("tooluse_w", "get_weather", `{"city":"Oslo"}`, 4, true),
		fakekiro.Usage(eventstreamUsage(20, 7))})
	stream := c.Chat.Completions.NewStreaming(ctx, params)
	var acc sdk.ChatCompletionAccumulator
	ids := map[string]bool{}
	for stream.Next() {
		chunk := stream.Current()
		ids[chunk.ID] = true
		acc.AddChunk(chunk)
	}
	require.NoError(t, stream.Err())
	assert.Len(t, ids, 1, "one stable id per completion")
	require.Len(t, acc.Choices, 1)
	msg := acc.Choices[0].Message
	assert.Equal(t, "Checking.", msg.Content)
	require.Len(t, msg.ToolCalls, 1)
	assert.Equal(t, "get_weather", msg.ToolCalls[0].Function.Name)
	assert.JSONEq(t, `{"city":"Oslo"}`, msg.ToolCalls[0].Function.Arguments)
	assert.Equal(t, "tool_calls", acc.Choices[0].FinishReason)
	assert.EqualValues(t, 7, acc.Usage.CompletionTokens)

	// The tool's answer goes back: Kiro sees it paired with the call.
	params.StreamOptions = sdk.ChatCompletionStreamOptionsParam{}
	params.Messages = append(params.Messages, msg.ToParam(), sdk.ToolMessage("3°C, snow", msg.ToolCalls[0].ID))
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("Snowy, 3°C.")})
	res, err = c.Chat.Completions.New(ctx, params)
	require.NoError(t, err)
	assert.Equal(t, "Snowy, 3°C.", res.Choices[0].Message.Content)
	chat := e.fake.ChatRequests()
	raw := string(chat[len(chat)-1].Raw)
	assert.Contains(t, raw, `"toolUseId":"`+msg.ToolCalls[0].ID+`"`)
	assert.Contains(t, raw, "3°C, snow")
}

func TestOpenAISDKErrors(t *testing.T) {
	e := startWithAccounts(t, 1)
	c := openaiClient(e)
	ctx := context.Background()
	var apiErr *sdk.Error

	for range relay.DefaultAttempts { // the only account is tried again first
		e.fake.Enqueue(fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)})
	}
	_, err := c.Chat.Completions.New(ctx, sdk.ChatCompletionNewParams{Model: "claude-sonnet-4-5",
		Messages: []sdk.ChatCompletionMessageParamUnion{sdk.UserMessage("x")}})
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, 429, apiErr.StatusCode)
	assert.Equal(t, "rate_limit_error", apiErr.Type)

	_, err = c.Chat.Completions.New(ctx, sdk.ChatCompletionNewParams{Model: "claude-sonnet-4-5",
		Messages: []sdk.ChatCompletionMessageParamUnion{sdk.UserMessage([]sdk.ChatCompletionContentPartUnionParam{
			sdk.ImageContentPart(sdk.ChatCompletionContentPartImageImageURLParam{URL: "https://example.com/cat.png"})})}})
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Contains(t, apiErr.Message, "remote image URLs are not fetched")

	bad := sdk.NewClient(option.WithBaseURL(e.serve.url+"/v1"), option.WithAPIKey("kd-wrong"), option.WithMaxRetries(0))
	_, err = bad.Chat.Completions.New(ctx, sdk.ChatCompletionNewParams{Model: "m", Messages: []sdk.ChatCompletionMessageParamUnion{sdk.UserMessage("x")}})
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, 401, apiErr.StatusCode)

	// GET /v1/models in OpenAI's list shape through the SDK.
	page, err := c.Models.List(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, page.Data)
}

// The Anthropic side's bad-input table on the OpenAI route: each gets the
// right status and an OpenAI-shaped error, and the server keeps serving.
func TestOpenAIBadInputThroughServe(t *testing.T) {
	e := startWithAccounts(t, 1)
	good := `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}`
	cases := []badInput{
		{"malformed JSON", `{"model":`, nil, 400, "invalid_request_error"},
		{"wrong types", `{"model":1,"messages":{}}`, nil, 400, "invalid_request_error"},
		{"no messages", `{"model":"m","messages":[]}`, nil, 400, "invalid_request_error"},
		{"5 MB body", `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("x", 5<<20) + `"}]}`, nil, 400, "invalid_request_error"},
		{"body over the limit", `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("x", 33<<20) + `"}]}`, nil, 413, "invalid_request_error"},
		{"missing key", good, map[string]string{"x-api-key": "", "Authorization": ""}, 401, "authentication_error"},
		{"wrong key", good, map[string]string{"Authorization": "Bearer kd-nope"}, 401, "authentication_error"},
		{"foreign Host", good, map[string]string{"Host": "evil.example"}, 403, "permission_error"},
		{"web page origin", good, map[string]string{"Origin": "https://evil.example"}, 403, "permission_error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := postBadInput(t, e.serve.url+"/v1/chat/completions", func(h http.Header) { h.Set("Authorization", "Bearer "+e.key) }, tc)
			var body struct {
				Error *struct {
					Message string `json:"message"`
					Type    string `json:"type"`
				} `json:"error"`
			}
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
			require.NotNil(t, body.Error, "OpenAI's shape: an error object")
			assert.Equal(t, tc.errTyp, body.Error.Type)
			assert.NotEmpty(t, body.Error.Message)
		})
	}
	assert.Empty(t, e.fake.ChatRequests(), "none of these reached Kiro")
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("still here")})
	c := openaiClient(e)
	res, err := c.Chat.Completions.New(context.Background(), sdk.ChatCompletionNewParams{Model: "claude-sonnet-4-5",
		Messages: []sdk.ChatCompletionMessageParamUnion{sdk.UserMessage("ok?")}})
	require.NoError(t, err)
	assert.Equal(t, "still here", res.Choices[0].Message.Content)
}

func TestOpenAIReasoningAndImagesThroughServe(t *testing.T) {
	e := startWithAccounts(t, 1)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("<thinking>look at the pixels</thinking>\n\n"), fakekiro.Text("A red dot.")})
	body := `{"model":"claude-sonnet-4-5","reasoning_effort":"high","messages":[{"role":"user","content":[
		{"type":"text","text":"what is this?"},
		{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]}`
	req, err := http.NewRequest("POST", e.serve.url+"/v1/chat/completions", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e.key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	var out struct {
		Choices []struct {
			Message struct {
				Content          string `json:"content"`
				ReasoningContent string `json:"reasoning_content"`
			} `json:"message"`
		} `json:"choices"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.Len(t, out.Choices, 1)
	assert.Equal(t, "A red dot.", out.Choices[0].Message.Content)
	assert.Equal(t, "look at the pixels", out.Choices[0].Message.ReasoningContent)
	raw := string(e.fake.ChatRequests()[0].Raw)
	assert.Contains(t, raw, "<thinking_mode>adaptive</thinking_mode><thinking_effort>high</thinking_effort>")
	assert.Contains(t, raw, `"format":"png"`)
}

// The Responses API as Codex uses it: instructions, an item list, a
// function call and its output, streamed events.
func TestOpenAISDKResponses(t *testing.T) {
	e := startWithAccounts(t, 1)
	c := openaiClient(e)
	ctx := context.Background()

	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("Plain "), fakekiro.Text("answer."), fakekiro.Usage(eventstreamUsage(11, 3))})
	res, err := c.Responses.New(ctx, responses.ResponseNewParams{Model: "claude-sonnet-4-5",
		Instructions: sdk.String("Be brief."), Input: responses.ResponseNewParamsInputUnion{OfString: sdk.String("hello")}})
	require.NoError(t, err)
	assert.Equal(t, "Plain answer.", res.OutputText())
	assert.EqualValues(t, 11, res.Usage.InputTokens)
	assert.Contains(t, string(e.fake.ChatRequests()[0].Raw), "Be brief.")

	tool := responses.ToolParamOfFunction("shell", map[string]any{"type": "object", "properties": map[string]any{"cmd": map[string]any{"type": "string"}}}, false)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("Running it."), fakekiro.ToolUse("tooluse_sh", "shell", `{"cmd":"ls"}`, 3, true)})
	stream := c.Responses.NewStreaming(ctx, responses.ResponseNewParams{Model: "claude-sonnet-4-5",
		Input: responses.ResponseNewParamsInputUnion{OfString: sdk.String("list files")}, Tools: []responses.ToolUnionParam{tool}})
	var final responses.Response
	deltas := ""
	for stream.Next() {
		ev := stream.Current()
		switch ev.Type {
		case "response.output_text.delta":
			deltas += ev.Delta
		case "response.completed":
			final = ev.Response
		}
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "Running it.", deltas)
	require.Equal(t, "completed", string(final.Status))
	var call responses.ResponseFunctionToolCall
	for _, item := range final.Output {
		if item.Type == "function_call" {
			call = item.AsFunctionCall()
		}
	}
	assert.Equal(t, "shell", call.Name)
	assert.JSONEq(t, `{"cmd":"ls"}`, call.Arguments)

	// The next turn sends the whole conversation back, with the call's output.
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("Two files.")})
	output := responses.ResponseInputItemParamOfFunctionCallOutput("a.go\nb.go")
	output.OfFunctionCallOutput.CallID = sdk.String(call.CallID)
	items := responses.ResponseInputParam{
		responses.ResponseInputItemParamOfMessage("list files", responses.EasyInputMessageRoleUser),
		responses.ResponseInputItemParamOfFunctionCall(call.Arguments, call.CallID, call.Name),
		output,
	}
	res, err = c.Responses.New(ctx, responses.ResponseNewParams{Model: "claude-sonnet-4-5",
		Input: responses.ResponseNewParamsInputUnion{OfInputItemList: items}, Tools: []responses.ToolUnionParam{tool}})
	require.NoError(t, err)
	assert.Equal(t, "Two files.", res.OutputText())
	chat := e.fake.ChatRequests()
	raw := string(chat[len(chat)-1].Raw)
	assert.Contains(t, raw, `"toolUseId":"`+call.CallID+`"`)
	assert.Contains(t, raw, `a.go\nb.go`)

	// previous_response_id cannot work without stored responses: a clear 400.
	_, err = c.Responses.New(ctx, responses.ResponseNewParams{Model: "claude-sonnet-4-5", PreviousResponseID: sdk.String(res.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: sdk.String("and then?")}})
	var apiErr *sdk.Error
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Contains(t, apiErr.Message, "previous_response_id")
}
