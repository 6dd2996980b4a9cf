package response

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro/eventstream"
)

// decodeHTTP plays one script through a real HTTP response of the fake Kiro,
// reads it with eventstream.Reader and feeds every event to a Decoder.
func decodeHTTP(t *testing.T, opts Options, sc fakekiro.Script) []canon.Event {
	t.Helper()
	s := fakekiro.New(fakekiro.Options{})
	t.Cleanup(s.Close)
	acct := s.AddAccount(fakekiro.FakeAccount{})
	s.Enqueue(sc)

	body, err := json.Marshal(map[string]any{"conversationState": map[string]any{
		"conversationId": "c1", "chatTriggerType": "MANUAL", "agentTaskType": "vibe",
		"currentMessage": map[string]any{"userInputMessage": map[string]any{"content": "hi", "modelId": "claude-sonnet-4.5", "origin": "AI_EDITOR"}},
	}})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL+fakekiro.PathChat, strings.NewReader(string(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+acct.AccessToken)
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	rd := eventstream.NewReader(resp.Body)
	d := NewDecoder(opts)
	var out []canon.Event
	for {
		ev, err := rd.Next()
		if errors.Is(err, io.EOF) {
			out = d.End(out)
			break
		}
		if err != nil {
			out = d.Fail(out, err)
			break
		}
		out = d.Feed(out, ev)
	}
	require.NoError(t, checkShape(out))
	return out
}

func TestEndToEndFakeKiro(t *testing.T) {
	input := `{"path":"/tmp/日本語.txt","content":"` + strings.Repeat("x", 100) + `"}`
	long := "mcp__files__write_a_file_with_a_name_far_longer_than_kiro_allows_ok"

	t.Run("thinking, text, tools and usage", func(t *testing.T) {
		evs := decodeHTTP(t, Options{Thinking: true, ToolNames: map[string]string{"write_9f8e": long}}, fakekiro.Script{
			fakekiro.Reasoning("native "),
			fakekiro.Text("<think"), fakekiro.Text("ing>I should wr"), fakekiro.Text("ite it.</thinking"), fakekiro.Text(">\n\nWriting "),
			fakekiro.Text("日本語 now."),
			fakekiro.ToolUse("t1", "write_9f8e", input, 5, true),
			fakekiro.ToolUse("t2", "read", `{"path":"a"}`, 2, true),
			fakekiro.Event("followupPromptEvent", map[string]any{"x": 1}),
			fakekiro.Metering(0.25), fakekiro.ContextUsage(0.4),
			fakekiro.Usage(eventstream.TokenUsage{UncachedInput: 900, CacheRead: 1000, CacheWrite: 50, Output: 80}),
		})
		got := summarize(evs)
		assert.Equal(t, "native I should write it.", got.Thinking)
		assert.Equal(t, []string{"fake-signature"}, got.Signatures)
		assert.Equal(t, "Writing 日本語 now.", got.Text)
		require.Len(t, got.Tools, 2)
		assert.Equal(t, "t1", got.Tools[0].ID)
		assert.Equal(t, long, got.Tools[0].Name)
		assert.JSONEq(t, input, string(got.Tools[0].Input))
		assert.Equal(t, "read", got.Tools[1].Name)
		assert.Equal(t, canon.StopToolUse, got.Stop)
		assert.Equal(t, &canon.Usage{InputTokens: 900, CacheReadInputTokens: 1000, CacheCreationInputTokens: 50, OutputTokens: 80, Credits: 0.25}, got.Usage)
	})

	t.Run("truncated tool call", func(t *testing.T) {
		evs := decodeHTTP(t, Options{}, fakekiro.Script{
			fakekiro.Text("Here goes."),
			fakekiro.ToolUse("t2", "big", `{"content":"cut off here`, 3, false),
			fakekiro.Metering(1),
		})
		got := summarize(evs)
		assert.Equal(t, "Here goes.", got.Text)
		assert.Empty(t, got.Tools)
		require.NotNil(t, got.Err)
		assert.Equal(t, "api_error", got.Err.Type)
		assert.Contains(t, got.Err.Message, "Kiro cut off the input of tool big (t2) after 24 bytes")
	})

	t.Run("estimated usage from context usage", func(t *testing.T) {
		evs := decodeHTTP(t, Options{EstimateInput: 100, ContextWindow: 200_000}, fakekiro.Script{
			fakekiro.Text("ok"), fakekiro.Metering(0.01), fakekiro.ContextUsage(1.5),
		})
		got := summarize(evs)
		assert.Equal(t, &canon.Usage{InputTokens: 3000, OutputTokens: 1, Credits: 0.01, Estimated: true}, got.Usage)
		assert.Equal(t, canon.StopEndTurn, got.Stop)
	})

	t.Run("content length exception", func(t *testing.T) {
		got := summarize(decodeHTTP(t, Options{}, fakekiro.Script{
			fakekiro.Text("long answer"), fakekiro.Exception("ContentLengthExceededException", "Response too long"),
		}))
		assert.Equal(t, canon.StopMaxTokens, got.Stop)
		assert.Equal(t, "long answer", got.Text)
	})

	t.Run("throttling exception", func(t *testing.T) {
		got := summarize(decodeHTTP(t, Options{}, fakekiro.Script{
			fakekiro.Text("a"), fakekiro.Exception("ThrottlingException", "I am experiencing high traffic, please try again shortly."),
		}))
		assert.Equal(t, &canon.StreamError{Type: "overloaded_error", Message: "I am experiencing high traffic, please try again shortly."}, got.Err)
	})

	t.Run("connection reset", func(t *testing.T) {
		got := summarize(decodeHTTP(t, Options{}, fakekiro.Script{
			fakekiro.Text("partial "), fakekiro.ToolUse("t1", "w", `{"a":1}`, 2, false), fakekiro.Reset(),
		}))
		assert.Equal(t, "partial ", got.Text)
		assert.Empty(t, got.Tools)
		require.NotNil(t, got.Err)
		assert.Equal(t, "api_error", got.Err.Type)
		assert.Contains(t, got.Err.Message, "Kiro's response stream broke off")
	})
}
