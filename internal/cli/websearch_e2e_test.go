//go:build !windows

package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
)

// Web search runs in Kirodesk (internal/websearch) through Kiro's MCP
// endpoint; these drive it with the official SDK through `kirodesk serve`.

func webSearchTool(maxUses int64) anthropic.ToolUnionParam {
	return anthropic.ToolUnionParam{OfWebSearchTool20250305: &anthropic.WebSearchTool20250305Param{MaxUses: anthropic.Int(maxUses)}}
}

func weatherTool() anthropic.ToolUnionParam {
	return anthropic.ToolUnionParam{OfTool: &anthropic.ToolParam{Name: "get_weather", Description: anthropic.String("Weather for a city"),
		InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}, Required: []string{"city"}}}}
}

// messages runs params streaming or not and returns the message the SDK built.
func messages(t *testing.T, e *kiroEnv, params anthropic.MessageNewParams, stream bool) anthropic.Message {
	t.Helper()
	ctx := context.Background()
	if !stream {
		msg, err := e.client.Messages.New(ctx, params)
		require.NoError(t, err)
		return *msg
	}
	s := e.client.Messages.NewStreaming(ctx, params)
	var msg anthropic.Message
	for s.Next() {
		require.NoError(t, msg.Accumulate(s.Current()))
	}
	require.NoError(t, s.Err())
	return msg
}

func blockTypes(m anthropic.Message) []string {
	out := make([]string, len(m.Content))
	for i, b := range m.Content {
		out[i] = b.Type
	}
	return out
}

// Claude Code's WebSearch: the search runs first, the model answers with
// the results in its prompt, and its [n] markers become citations.
func TestWebSearchDedicatedThroughServe(t *testing.T) {
	for _, stream := range []bool{true, false} {
		t.Run(map[bool]string{true: "stream", false: "plain"}[stream], func(t *testing.T) {
			e := startWithAccounts(t, 1)
			e.fake.Enqueue(fakekiro.Script{fakekiro.Text("Go 1.26 shipped in February [1"), fakekiro.Text("]. More on the blog [2]."),
				fakekiro.Usage(eventstreamUsage(200, 12))})
			params := userText("Perform a web search for the query: go 1.26 release")
			params.Tools = []anthropic.ToolUnionParam{webSearchTool(8)}
			msg := messages(t, e, params, stream)

			assert.Equal(t, []string{"server_tool_use", "web_search_tool_result", "text"}, blockTypes(msg))
			use := msg.Content[0]
			assert.Equal(t, "web_search", string(use.Name))
			assert.True(t, strings.HasPrefix(use.ID, "srvtoolu_"), use.ID)
			assert.JSONEq(t, `{"query":"go 1.26 release"}`, string(use.Input))
			res := msg.Content[1]
			assert.Equal(t, use.ID, res.ToolUseID)
			hits := res.Content.OfWebSearchResultBlockArray
			require.Len(t, hits, 2)
			want := fakekiro.DefaultSearchResults("go 1.26 release")
			assert.Equal(t, want[0].URL, hits[0].URL)
			assert.Equal(t, want[0].Title, hits[0].Title)
			assert.Equal(t, want[0].Snippet, hits[0].EncryptedContent)
			assert.Equal(t, "January 1, 2025", hits[0].PageAge)
			text := msg.Content[2]
			assert.Equal(t, "Go 1.26 shipped in February [1]. More on the blog [2].", text.Text)
			require.Len(t, text.Citations, 2)
			assert.Equal(t, "web_search_result_location", text.Citations[0].Type)
			assert.Equal(t, want[0].URL, text.Citations[0].URL)
			assert.Equal(t, want[0].Snippet, text.Citations[0].CitedText)
			assert.Equal(t, want[1].URL, text.Citations[1].URL)
			assert.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason)
			assert.EqualValues(t, 1, msg.Usage.ServerToolUse.WebSearchRequests)
			assert.EqualValues(t, 12, msg.Usage.OutputTokens)

			calls := e.fake.SearchCalls()
			require.Len(t, calls, 1)
			assert.Equal(t, "go 1.26 release", calls[0].Query)
			assert.Equal(t, "arn:aws:codewhisperer:us-east-1:123456789012:profile/P", calls[0].ProfileARN)
			// One chat call, no tools, the results in the user turn.
			chat := e.fake.ChatRequests()
			require.Len(t, chat, 1)
			assert.Empty(t, kiroToolNames(t, e))
			assert.Contains(t, chat[0].Chat.LastUserContent(), want[0].Snippet)
			assert.Contains(t, chat[0].Chat.LastUserContent(), "[2] "+want[1].Title)

			// The client sends the answer back as history (server blocks,
			// citations and all): Kirodesk reads its own blocks as text.
			params.Messages = append(params.Messages, msg.ToParam(), anthropic.NewUserMessage(anthropic.NewTextBlock("thanks")))
			e.fake.Enqueue(fakekiro.Script{fakekiro.Text("welcome")})
			next := messages(t, e, params, stream)
			assert.Equal(t, "welcome", next.Content[0].Text)
			history := string(e.fake.ChatRequests()[1].Raw)
			assert.Contains(t, history, want[0].Snippet)
			assert.Contains(t, history, "Go 1.26 shipped in February [1]")
		})
	}
}

// A failed search is an error result; the model is told and still answers.
func TestWebSearchMCPFailureThroughServe(t *testing.T) {
	e := startWithAccounts(t, 1)
	e.fake.EnqueueSearch(fakekiro.SearchScript{RPCError: "search backend down"})
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("The search failed; from memory: Go 1.26 exists.")})
	params := userText("Perform a web search for the query: go 1.26")
	params.Tools = []anthropic.ToolUnionParam{webSearchTool(8)}
	msg := messages(t, e, params, true)

	assert.Equal(t, []string{"server_tool_use", "web_search_tool_result", "text"}, blockTypes(msg))
	assert.Equal(t, "unavailable", string(msg.Content[1].Content.ErrorCode))
	assert.Contains(t, msg.Content[2].Text, "from memory")
	assert.Contains(t, e.fake.ChatRequests()[0].Chat.LastUserContent(), "web search failed")
	assert.EqualValues(t, 1, msg.Usage.ServerToolUse.WebSearchRequests)
}

// Cline's case: web search among ordinary tools. The model's search calls
// run in Kirodesk inside the one response, up to max_uses; the client sees
// server tool blocks, never a plain tool_use for the search.
func TestWebSearchMixedThroughServe(t *testing.T) {
	for _, stream := range []bool{true, false} {
		t.Run(map[bool]string{true: "stream", false: "plain"}[stream], func(t *testing.T) {
			e := startWithAccounts(t, 1)
			e.fake.Enqueue(
				fakekiro.Script{fakekiro.Text("Let me search."), fakekiro.ToolUse("tooluse_s1", "web_search", `{"query":"kiro mcp"}`, 2, true),
					fakekiro.Usage(eventstreamUsage(100, 10))},
				fakekiro.Script{fakekiro.ToolUse("tooluse_s2", "web_search", `{"query":"kiro mcp again"}`, 1, true),
					fakekiro.Usage(eventstreamUsage(150, 5))},
				fakekiro.Script{fakekiro.Text("Kiro has an MCP endpoint [1]."), fakekiro.Usage(eventstreamUsage(180, 7))},
			)
			params := userText("what is kiro's mcp endpoint?")
			params.Tools = []anthropic.ToolUnionParam{webSearchTool(1), weatherTool()}
			msg := messages(t, e, params, stream)

			assert.Equal(t, []string{"text", "server_tool_use", "web_search_tool_result", "server_tool_use", "web_search_tool_result", "text"},
				blockTypes(msg))
			assert.Equal(t, "Let me search.", msg.Content[0].Text)
			assert.JSONEq(t, `{"query":"kiro mcp"}`, string(msg.Content[1].Input))
			assert.Len(t, msg.Content[2].Content.OfWebSearchResultBlockArray, 2)
			assert.JSONEq(t, `{"query":"kiro mcp again"}`, string(msg.Content[3].Input))
			assert.Equal(t, "max_uses_exceeded", string(msg.Content[4].Content.ErrorCode))
			assert.Equal(t, "Kiro has an MCP endpoint [1].", msg.Content[5].Text)
			require.Len(t, msg.Content[5].Citations, 1)
			assert.Equal(t, "https://example.com/one", msg.Content[5].Citations[0].URL)
			assert.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason)
			assert.EqualValues(t, 1, msg.Usage.ServerToolUse.WebSearchRequests)
			assert.EqualValues(t, 100+150+180, msg.Usage.InputTokens, "each model call's input counts")
			assert.EqualValues(t, 22, msg.Usage.OutputTokens)

			require.Len(t, e.fake.SearchCalls(), 1, "max_uses 1: the second call is refused without searching")
			chat := e.fake.ChatRequests()
			require.Len(t, chat, 3)
			assert.ElementsMatch(t, []string{"get_weather", "web_search"}, kiroToolNames(t, e))
			second := string(chat[1].Raw)
			assert.Contains(t, second, `"toolUseId":"tooluse_s1"`)
			assert.Contains(t, second, "Snippet one about kiro mcp.")
			assert.Contains(t, string(chat[2].Raw), "search limit for this answer is reached")
		})
	}
}

// An ordinary tool call in the same turn as a search ends the response
// there: the client runs its tool; the search is not run.
func TestWebSearchMixedWithOrdinaryToolCall(t *testing.T) {
	e := startWithAccounts(t, 1)
	e.fake.Enqueue(fakekiro.Script{fakekiro.ToolUse("tooluse_s", "web_search", `{"query":"paris weather"}`, 1, true),
		fakekiro.ToolUse("tooluse_w", "get_weather", `{"city":"Paris"}`, 1, true)})
	params := userText("weather in Paris?")
	params.Tools = []anthropic.ToolUnionParam{webSearchTool(5), weatherTool()}
	msg := messages(t, e, params, false)
	assert.Equal(t, []string{"tool_use"}, blockTypes(msg))
	assert.Equal(t, "get_weather", msg.Content[0].Name)
	assert.Equal(t, anthropic.StopReasonToolUse, msg.StopReason)
	assert.Empty(t, e.fake.SearchCalls())
	assert.Len(t, e.fake.ChatRequests(), 1)
}

// Codex declares {"type":"web_search"} beside its function tools: the
// search runs in Kirodesk and comes back as a web_search_call item before
// the message, whose text carries a url_citation for the [n] it cites.
func TestWebSearchResponsesThroughServe(t *testing.T) {
	for _, stream := range []bool{true, false} {
		t.Run(map[bool]string{true: "stream", false: "plain"}[stream], func(t *testing.T) {
			e := startWithAccounts(t, 1)
			c := openaiClient(e)
			e.fake.Enqueue(
				fakekiro.Script{fakekiro.ToolUse("tooluse_s1", "web_search", `{"query":"latest go"}`, 1, true)},
				fakekiro.Script{fakekiro.Text("Go 1.26 is the latest [1].")},
			)
			res, seen := latestGoSearch(t, c, stream)
			if stream {
				assert.Subset(t, seen, []string{"response.web_search_call.in_progress", "response.web_search_call.searching",
					"response.web_search_call.completed", "response.output_text.annotation.added"})
			}
			require.Len(t, res.Output, 2)
			assert.Equal(t, "web_search_call", res.Output[0].Type)
			ws := res.Output[0].AsWebSearchCall()
			assert.Equal(t, "completed", string(ws.Status))
			assert.Equal(t, "latest go", ws.Action.Query)
			assert.Equal(t, "message", res.Output[1].Type)
			assert.Equal(t, "Go 1.26 is the latest [1].", res.OutputText())
			ann := res.Output[1].Content[0].Annotations
			require.Len(t, ann, 1)
			assert.Equal(t, "url_citation", ann[0].Type)
			assert.Equal(t, "https://example.com/one", ann[0].URL)
			assert.EqualValues(t, len("Go 1.26 is the latest [1]"), ann[0].EndIndex)

			require.Len(t, e.fake.SearchCalls(), 1)
			assert.ElementsMatch(t, []string{"shell", "web_search"}, kiroToolNames(t, e))
		})
	}
}

// A search that fails at the HTTP level tries another account; a rejected
// token is refreshed once, as for chat.
func TestWebSearchFailoverAndRefreshThroughServe(t *testing.T) {
	e := startWithAccounts(t, 2)
	params := userText("Perform a web search for the query: failover")
	params.Tools = []anthropic.ToolUnionParam{webSearchTool(8)}

	e.fake.EnqueueSearch(fakekiro.SearchScript{Status: 500})
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("found it [1]")})
	msg := messages(t, e, params, true)
	require.Equal(t, []string{"server_tool_use", "web_search_tool_result", "text"}, blockTypes(msg))
	assert.Len(t, msg.Content[1].Content.OfWebSearchResultBlockArray, 2, "the second account's search answered")
	var auths []string
	for _, r := range e.fake.Requests() {
		if r.Path == fakekiro.PathMCP {
			auths = append(auths, r.Header.Get("Authorization"))
		}
	}
	require.Len(t, auths, 2)
	assert.NotEqual(t, auths[0], auths[1], "two accounts")

	for _, a := range e.fake.Accounts() {
		e.fake.ExpireAccessToken(a.AccessToken)
	}
	refreshes := e.fake.Calls(fakekiro.PathRefresh)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("again")})
	msg = messages(t, e, params, false)
	require.Equal(t, []string{"server_tool_use", "web_search_tool_result", "text"}, blockTypes(msg))
	assert.Empty(t, msg.Content[1].Content.ErrorCode)
	assert.Greater(t, e.fake.Calls(fakekiro.PathRefresh), refreshes)
}

// Chat Completions' web_search_options: the search runs the same way, and
// the client gets only the model's text (the API has no shape for the call).
func TestWebSearchChatCompletionsThroughServe(t *testing.T) {
	e := startWithAccounts(t, 1)
	c := openaiClient(e)
	e.fake.Enqueue(
		fakekiro.Script{fakekiro.ToolUse("tooluse_s1", "web_search", `{"query":"oslo weather"}`, 1, true)},
		fakekiro.Script{fakekiro.Text("Snow in Oslo [1].")},
	)
	params := sdk.ChatCompletionNewParams{Model: "claude-sonnet-4-5",
		Messages:         []sdk.ChatCompletionMessageParamUnion{sdk.UserMessage("weather in Oslo?")},
		WebSearchOptions: sdk.ChatCompletionNewParamsWebSearchOptions{}}
	params.WebSearchOptions.SearchContextSize = "low"
	res, err := c.Chat.Completions.New(context.Background(), params)
	require.NoError(t, err)
	assert.Equal(t, "Snow in Oslo [1].", res.Choices[0].Message.Content)
	assert.Empty(t, res.Choices[0].Message.ToolCalls)
	assert.Equal(t, "stop", res.Choices[0].FinishReason)
	require.Len(t, e.fake.SearchCalls(), 1)
	assert.Equal(t, "oslo weather", e.fake.SearchCalls()[0].Query)
}

// latestGoSearch asks the Responses API "which Go is the latest?" with a
// shell function and the web_search tool, as Codex declares them, and
// returns the whole answer (the completed response when streaming) and the
// event types seen on the way (none for a plain request).
func latestGoSearch(t *testing.T, c sdk.Client, stream bool) (responses.Response, []string) {
	t.Helper()
	ctx := context.Background()
	shell := responses.ToolParamOfFunction("shell", map[string]any{"type": "object", "properties": map[string]any{"cmd": map[string]any{"type": "string"}}}, false)
	params := responses.ResponseNewParams{Model: "claude-sonnet-4-5",
		Input: responses.ResponseNewParamsInputUnion{OfString: sdk.String("which Go is the latest?")},
		Tools: []responses.ToolUnionParam{shell, {OfWebSearch: &responses.WebSearchToolParam{Type: responses.WebSearchToolTypeWebSearch}}}}
	if !stream {
		r, err := c.Responses.New(ctx, params)
		require.NoError(t, err)
		return *r, nil
	}
	s := c.Responses.NewStreaming(ctx, params)
	var res responses.Response
	var seen []string
	for s.Next() {
		ev := s.Current()
		seen = append(seen, ev.Type)
		if ev.Type == "response.completed" {
			res = ev.Response
		}
	}
	require.NoError(t, s.Err())
	return res, seen
}
