package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	sdk "github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/transtest"
)

// These tests hold the writers to the official Go SDK: its request encoder
// must produce bodies ParseRequest accepts, its SSE decoder and
// Message.Accumulate must rebuild from SSEWriter's output exactly the
// canon.Response the same events aggregate to, and Messages.New must read
// MarshalResponse's output back into that response.

// sdkParams is a request as an SDK user would build it, exercising system
// blocks, tools, thinking and a tool round trip.
func sdkParams() sdk.MessageNewParams {
	return sdk.MessageNewParams{
		Model:     sdk.Model("claude-sonnet-4-5"),
		MaxTokens: 4096,
		System:    []sdk.TextBlockParam{{Text: "Be brief."}},
		Messages: []sdk.MessageParam{
			sdk.NewUserMessage(sdk.NewTextBlock("Read a.go")),
			sdk.NewAssistantMessage(
				sdk.NewThinkingBlock("c2ln", "I need the file."),
				sdk.NewToolUseBlock("toolu_0", map[string]any{"file_path": "a.go"}, "Read"),
			),
			sdk.NewUserMessage(sdk.NewToolResultBlock("toolu_0", "package a", false), sdk.NewTextBlock("Now?")),
		},
		Tools: []sdk.ToolUnionParam{{OfTool: &sdk.ToolParam{
			Name:        "Read",
			Description: sdk.String("Read a file"),
			InputSchema: sdk.ToolInputSchemaParam{Properties: map[string]any{"file_path": map[string]any{"type": "string"}}, Required: []string{"file_path"}},
		}}},
		Thinking: sdk.ThinkingConfigParamOfEnabled(2048),
		Metadata: sdk.MetadataParam{UserID: sdk.String("user_1")},
	}
}

// server answers POST /v1/messages with respond, after checking that the
// SDK's request body parses.
func server(t *testing.T, wantStream bool, respond func(w http.ResponseWriter)) *httptest.Server {
	t.Helper()
	return transtest.SDKServer(t, "/v1/messages", func(w http.ResponseWriter, body []byte) []byte {
		req, err := ParseRequest(body, ParseOptions{})
		if !assert.NoError(t, err, "the SDK's request must parse: %s", body) {
			return ErrorBody("invalid_request_error", err.Error())
		}
		assert.Equal(t, wantStream, req.Stream)
		assert.Equal(t, "user_1", req.ConversationKey)
		assert.Equal(t, "Be brief.", req.System)
		assert.Equal(t, &canon.Thinking{Mode: "enabled", BudgetTokens: 2048}, req.Thinking)
		if assert.Len(t, req.Messages, 3) && assert.Len(t, req.Messages[1].Content, 2) {
			assert.Equal(t, `{"file_path":"a.go"}`, string(req.Messages[1].Content[1].ToolUse.Input))
		}
		respond(w)
		return nil
	})
}

func client(srv *httptest.Server) sdk.Client {
	return sdk.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("test"), option.WithMaxRetries(0))
}

// fromSDK converts what the SDK built into a canon.Response for comparison.
func fromSDK(t *testing.T, m sdk.Message) canon.Response {
	t.Helper()
	r := canon.Response{
		ID:    m.ID,
		Model: string(m.Model),
		Stop:  canon.StopReason(m.StopReason),
		Usage: canon.Usage{
			InputTokens:              int(m.Usage.InputTokens),
			OutputTokens:             int(m.Usage.OutputTokens),
			CacheCreationInputTokens: int(m.Usage.CacheCreationInputTokens),
			CacheReadInputTokens:     int(m.Usage.CacheReadInputTokens),
			WebSearchRequests:        int(m.Usage.ServerToolUse.WebSearchRequests),
		},
	}
	for _, b := range m.Content {
		switch b.Type {
		case "text":
			blk := canon.Block{Type: canon.BlockText, Text: b.Text}
			for _, c := range b.Citations {
				blk.Citations = append(blk.Citations, canon.Citation{URL: c.URL, Title: c.Title, CitedText: c.CitedText})
			}
			r.Content = append(r.Content, blk)
		case "server_tool_use":
			var in struct{ Query string }
			require.NoError(t, json.Unmarshal(b.Input, &in))
			r.Content = append(r.Content, canon.Block{Type: canon.BlockServerToolUse,
				ServerToolUse: &canon.ServerToolUse{ID: b.ID, Name: string(b.Name), Query: in.Query}})
		case "web_search_tool_result":
			res := &canon.ServerToolResult{ToolUseID: b.ToolUseID}
			if c := b.Content; c.ErrorCode != "" {
				res.ErrorCode = string(c.ErrorCode)
			} else {
				for _, it := range c.OfWebSearchResultBlockArray {
					res.Results = append(res.Results, canon.SearchResult{Title: it.Title, URL: it.URL, Snippet: it.EncryptedContent, PageAge: it.PageAge})
				}
			}
			r.Content = append(r.Content, canon.Block{Type: canon.BlockServerToolResult, ServerToolResult: res})
		case "thinking":
			r.Content = append(r.Content, canon.Block{Type: canon.BlockThinking, Thinking: &canon.ThinkingBlock{Text: b.Thinking, Signature: b.Signature}})
		case "tool_use":
			r.Content = append(r.Content, canon.Block{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: b.ID, Name: b.Name, Input: compact(t, b.Input)}})
		default:
			t.Errorf("unexpected block type %q", b.Type)
		}
	}
	return r
}

func compact(t *testing.T, in json.RawMessage) json.RawMessage {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, json.Compact(&buf, in))
	return buf.Bytes()
}

// expected is what a client should end up with for a recording: the events'
// aggregate, with the writer's documented defaults (stop reason from the
// content, usage from the message_start estimate) and tool inputs compacted.
func expected(t *testing.T, rec recording, want canon.Response) canon.Response {
	sawTool := false
	for i, b := range want.Content {
		for j := range b.Citations {
			want.Content[i].Citations[j].End = 0 // a position for OpenAI's annotations; not on Anthropic's wire
		}
		if b.Type == canon.BlockToolUse {
			sawTool = true
			tu := *b.ToolUse
			tu.Input = compact(t, tu.Input)
			want.Content[i].ToolUse = &tu
		}
	}
	if want.Stop == "" {
		want.Stop = defaultStop(sawTool)
	}
	if want.Usage == (canon.Usage{}) {
		want.Usage.InputTokens = rec.Message.InputTokens
	}
	return want
}

func TestSDKStreamingRoundTrip(t *testing.T) {
	transtest.EachRecording(t, 8, func(t *testing.T, _ string, rec recording) {
		sse, _, want, streamErr := play(t, rec)
		want = expected(t, rec, want)

		srv := server(t, true, func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			// Replay through a live SSEWriter so flushing is exercised too.
			transtest.Replay(t, NewSSEWriter(w, w.(http.Flusher).Flush, rec.messageStart()), rec.Steps)
		})
		c := client(srv)
		stream := c.Messages.NewStreaming(context.Background(), sdkParams())
		defer stream.Close()
		var acc sdk.Message
		for stream.Next() {
			require.NoError(t, acc.Accumulate(stream.Current()))
		}

		if streamErr == nil {
			require.NoError(t, stream.Err())
			assert.Equal(t, want, fromSDK(t, acc))
			return
		}
		var apiErr *sdk.Error
		require.True(t, errors.As(stream.Err(), &apiErr), "want *anthropic.Error, got %v", stream.Err())
		var se *canon.StreamError
		require.True(t, errors.As(streamErr, &se))
		assert.Equal(t, se.Type, string(apiErr.Type()))
		assert.Contains(t, apiErr.RawJSON(), se.Message)
		got := fromSDK(t, acc)
		assert.Equal(t, want.Content, got.Content, "the content before the error survives")
		assert.Contains(t, sse, "event: error\n")
	})
}

func TestSDKNonStreamingRoundTrip(t *testing.T) {
	files, recs := transtest.Recordings[recording](t, 8)
	responses := []canon.Response{*transtest.SampleResponse("msg_01XYZ")}
	for _, f := range files {
		rec := recs[f]
		_, _, want, streamErr := play(t, rec)
		if streamErr == nil {
			responses = append(responses, expected(t, rec, want))
		}
	}
	require.GreaterOrEqual(t, len(responses), 5)
	for _, want := range responses {
		t.Run(want.ID, func(t *testing.T) {
			body, err := MarshalResponse(&want)
			require.NoError(t, err)
			srv := server(t, false, func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			})
			c := client(srv)
			got, err := c.Messages.New(context.Background(), sdkParams())
			require.NoError(t, err)
			want.Usage.Credits, want.Usage.Estimated = 0, false // not on the wire
			for i, b := range want.Content {
				if b.Type == canon.BlockToolUse {
					tu := *b.ToolUse
					if len(tu.Input) == 0 {
						tu.Input = json.RawMessage("{}")
					}
					tu.Input = compact(t, tu.Input)
					want.Content[i].ToolUse = &tu
				}
			}
			assert.Equal(t, want, fromSDK(t, *got))
		})
	}
}

func TestSDKReadsErrorBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write(ErrorBody("rate_limit_error", "every account is rate limited"))
	}))
	defer srv.Close()
	c := client(srv)
	_, err := c.Messages.New(context.Background(), sdkParams())
	var apiErr *sdk.Error
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, http.StatusTooManyRequests, apiErr.StatusCode)
	assert.Equal(t, "rate_limit_error", string(apiErr.Type()))
}
