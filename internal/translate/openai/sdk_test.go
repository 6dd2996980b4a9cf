package openai

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/transtest"
)

// These tests hold the package to the official Go SDK: its request encoder
// must produce bodies ParseChatRequest accepts, its SSE decoder and
// ChatCompletionAccumulator must rebuild from ChunkWriter's output the
// message the same events aggregate to, and Chat.Completions.New must read
// MarshalChatResponse's output back.

func sdkParams() sdk.ChatCompletionNewParams {
	return sdk.ChatCompletionNewParams{
		Model: shared.ChatModel("claude-sonnet-4-5"),
		Messages: []sdk.ChatCompletionMessageParamUnion{
			sdk.SystemMessage("Be brief."),
			sdk.DeveloperMessage("Use tools."),
			sdk.UserMessage([]sdk.ChatCompletionContentPartUnionParam{
				sdk.TextContentPart("Read a.go and look at this"),
				sdk.ImageContentPart(sdk.ChatCompletionContentPartImageImageURLParam{URL: "data:image/png;base64,iVBORw0KGgo=", Detail: "low"}),
			}),
			{OfAssistant: &sdk.ChatCompletionAssistantMessageParam{
				ToolCalls: []sdk.ChatCompletionMessageToolCallUnionParam{{OfFunction: &sdk.ChatCompletionMessageFunctionToolCallParam{
					ID:       "call_0",
					Function: sdk.ChatCompletionMessageFunctionToolCallFunctionParam{Name: "Read", Arguments: `{"file_path":"a.go"}`},
				}}},
			}},
			sdk.ToolMessage("package a", "call_0"),
			sdk.UserMessage("Now?"),
		},
		Tools: []sdk.ChatCompletionToolUnionParam{sdk.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name:        "Read",
			Description: sdk.String("Read a file"),
			Parameters:  shared.FunctionParameters{"type": "object", "properties": map[string]any{"file_path": map[string]any{"type": "string"}}, "required": []string{"file_path"}},
		})},
		ToolChoice:          sdk.ChatCompletionToolChoiceOptionUnionParam{OfAuto: sdk.String("auto")},
		MaxCompletionTokens: sdk.Int(4096),
		ReasoningEffort:     shared.ReasoningEffortMedium,
		Temperature:         sdk.Float(0.3),
		User:                sdk.String("user_1"),
	}
}

// server answers POST /chat/completions with respond, after checking that
// the SDK's request body parses as expected.
func server(t *testing.T, wantStream bool, respond func(w http.ResponseWriter, opts ChatOptions)) *httptest.Server {
	t.Helper()
	return transtest.SDKServer(t, "/chat/completions", func(w http.ResponseWriter, body []byte) []byte {
		req, opts, err := ParseChatRequest(body, ParseOptions{})
		if !assert.NoError(t, err, "the SDK's request must parse: %s", body) {
			return ErrorBody(err.Error(), "invalid_request_error", err.(*RequestError).Param)
		}
		assert.Equal(t, wantStream, req.Stream)
		assert.Equal(t, wantStream, opts.IncludeUsage)
		assert.Equal(t, "user_1", req.ConversationKey)
		assert.Equal(t, "Be brief.\n\nUse tools.", req.System)
		assert.Equal(t, 4096, req.MaxTokens)
		assert.Equal(t, &canon.Thinking{Mode: "adaptive", Effort: "medium"}, req.Thinking)
		assert.Equal(t, &canon.ToolChoice{Type: "auto"}, req.ToolChoice)
		if assert.Len(t, req.Messages, 4) {
			assert.Equal(t, "image/png", req.Messages[0].Content[1].Image.MediaType)
			assert.Equal(t, `{"file_path":"a.go"}`, string(req.Messages[1].Content[0].ToolUse.Input))
			assert.Equal(t, "call_0", req.Messages[2].Content[0].ToolResult.ToolUseID)
		}
		if assert.Len(t, req.Tools, 1) {
			assert.JSONEq(t, `{"type":"object","properties":{"file_path":{"type":"string"}},"required":["file_path"]}`, string(req.Tools[0].InputSchema))
		}
		respond(w, opts)
		return nil
	})
}

func client(srv *httptest.Server) *sdk.Client {
	c := sdk.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("test"), option.WithMaxRetries(0))
	return &c
}

// rebuilt is what a client sees of an answer, in comparable form.
type rebuilt struct {
	ID, Model, Content, FinishReason string
	ToolCalls                        [][3]string // id, name, arguments
	Prompt, Completion, Cached       int64
}

func fromMessage(c sdk.ChatCompletion) rebuilt {
	r := rebuilt{ID: c.ID, Model: c.Model, Prompt: c.Usage.PromptTokens, Completion: c.Usage.CompletionTokens, Cached: c.Usage.PromptTokensDetails.CachedTokens}
	if len(c.Choices) > 0 {
		ch := c.Choices[0]
		r.Content, r.FinishReason = ch.Message.Content, ch.FinishReason
		for _, tc := range ch.Message.ToolCalls {
			r.ToolCalls = append(r.ToolCalls, [3]string{tc.ID, tc.Function.Name, tc.Function.Arguments})
		}
	}
	return r
}

// expected is what the client should rebuild from an aggregated response.
func expected(t *testing.T, want canon.Response, inputEstimate int) rebuilt {
	r := rebuilt{ID: want.ID, Model: want.Model}
	for _, b := range want.Content {
		switch b.Type {
		case canon.BlockText:
			r.Content += b.Text
		case canon.BlockToolUse:
			args, err := toolArguments(b.ToolUse.Input)
			require.NoError(t, err)
			r.ToolCalls = append(r.ToolCalls, [3]string{b.ToolUse.ID, b.ToolUse.Name, args})
		}
	}
	r.FinishReason = finishReason(want.Stop, len(r.ToolCalls) > 0)
	u := usageOf(want.Usage, inputEstimate)
	r.Prompt, r.Completion, r.Cached = int64(u.PromptTokens), int64(u.CompletionTokens), int64(u.PromptTokensDetails.CachedTokens)
	return r
}

func TestSDKStreamingRoundTrip(t *testing.T) {
	transtest.EachRecording(t, 5, func(t *testing.T, _ string, rec recording) {
		rec.Start.IncludeUsage = true // what the SDK asks for below
		_, _, want, streamErr := play(t, rec)

		srv := server(t, true, func(w http.ResponseWriter, opts ChatOptions) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			start := rec.chunkStart()
			start.IncludeUsage = opts.IncludeUsage
			transtest.Replay(t, NewChunkWriter(w, w.(http.Flusher).Flush, start), rec.Steps)
		})
		params := sdkParams()
		params.StreamOptions = sdk.ChatCompletionStreamOptionsParam{IncludeUsage: sdk.Bool(true)}
		stream := client(srv).Chat.Completions.NewStreaming(context.Background(), params)
		defer stream.Close()
		var acc sdk.ChatCompletionAccumulator
		var reasoning strings.Builder
		for stream.Next() {
			chunk := stream.Current()
			require.True(t, acc.AddChunk(chunk), "chunk rejected: %s", chunk.RawJSON())
			if len(chunk.Choices) > 0 {
				if f, ok := chunk.Choices[0].Delta.JSON.ExtraFields["reasoning_content"]; ok {
					var s string
					require.NoError(t, json.Unmarshal([]byte(f.Raw()), &s))
					reasoning.WriteString(s)
				}
			}
		}
		var wantReasoning strings.Builder
		for _, b := range want.Content {
			if b.Type == canon.BlockThinking {
				wantReasoning.WriteString(b.Thinking.Text)
			}
		}
		assert.Equal(t, wantReasoning.String(), reasoning.String(), "reasoning_content reaches the client")

		if streamErr == nil {
			require.NoError(t, stream.Err())
			assert.Equal(t, expected(t, want, rec.Start.InputTokens), fromMessage(acc.ChatCompletion))
			return
		}
		require.Error(t, stream.Err())
		assert.Contains(t, stream.Err().Error(), streamErr.(*canon.StreamError).Message)
		got := fromMessage(acc.ChatCompletion)
		assert.Equal(t, canon.TextOf(want.Content), got.Content, "the content before the error survives")
	})
}

func TestSDKNonStreamingRoundTrip(t *testing.T) {
	files, recs := transtest.Recordings[recording](t, 5)
	type tc struct {
		want     canon.Response
		estimate int
	}
	cases := []tc{{*transtest.SampleResponse("chatcmpl-01XYZ"), 0}}
	for _, f := range files {
		rec := recs[f]
		_, _, want, streamErr := play(t, rec)
		if streamErr == nil {
			cases = append(cases, tc{want, rec.Start.InputTokens})
		}
	}
	require.GreaterOrEqual(t, len(cases), 5)
	for _, c := range cases {
		t.Run(c.want.ID, func(t *testing.T) {
			body, err := MarshalChatResponse(&c.want, 1700000000, c.estimate, nil)
			require.NoError(t, err)
			srv := server(t, false, func(w http.ResponseWriter, _ ChatOptions) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			})
			got, err := client(srv).Chat.Completions.New(context.Background(), sdkParams())
			require.NoError(t, err)
			assert.Equal(t, expected(t, c.want, c.estimate), fromMessage(*got))
			assert.Equal(t, int64(1700000000), got.Created)
			assert.Equal(t, "chat.completion", string(got.Object))
		})
	}
}

func TestSDKReadsErrorBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, _, err := ParseChatRequest(body, ParseOptions{})
		if assert.NoError(t, err) {
			_, _, err = ParseChatRequest([]byte(`{"model":"m","messages":[],"n":2}`), ParseOptions{})
		}
		re := err.(*RequestError)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(ErrorBody(re.Message, "invalid_request_error", re.Param))
	}))
	defer srv.Close()
	_, err := client(srv).Chat.Completions.New(context.Background(), sdkParams())
	var apiErr *sdk.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "invalid_request_error", apiErr.Type)
	assert.Equal(t, "messages", apiErr.Param)
	assert.Equal(t, "messages: at least one message is required", apiErr.Message)
}
