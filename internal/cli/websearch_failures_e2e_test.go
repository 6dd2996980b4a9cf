//go:build !windows

package cli

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
)

// The mixed case (web search among ordinary tools, as Cline and Codex send
// it) when something fails: the search itself (every way Kiro's MCP
// endpoint can fail) or a model call inside the search loop (failover, as
// for chat). Through `kirodesk serve`, streaming and not.

var streamModes = map[string]bool{"stream": true, "plain": false}

// A failed search in the mixed case is a web_search_tool_result_error
// "unavailable"; the model is told and answers in the same response.
func TestWebSearchMixedMCPFailureThroughServe(t *testing.T) {
	failures := map[string]fakekiro.SearchScript{
		"http 500":       {Status: http.StatusInternalServerError},
		"json-rpc error": {RPCError: "search backend down"},
		"tool isError":   {IsError: true},
		"garbled answer": {Raw: "not json"},
	}
	for name, failure := range failures {
		for mode, stream := range streamModes {
			t.Run(name+"/"+mode, func(t *testing.T) {
				e := startWithAccounts(t, 1)
				e.fake.EnqueueSearch(failure)
				e.fake.Enqueue(
					fakekiro.Script{fakekiro.Text("Searching."), fakekiro.ToolUse("tooluse_s1", "web_search", `{"query":"kiro status"}`, 1, true)},
					fakekiro.Script{fakekiro.Text("The search failed, so from memory: Kiro is up.")},
				)
				params := userText("is kiro up?")
				params.Tools = []anthropic.ToolUnionParam{webSearchTool(5), weatherTool()}
				msg := messages(t, e, params, stream)

				assert.Equal(t, []string{"text", "server_tool_use", "web_search_tool_result", "text"}, blockTypes(msg))
				assert.JSONEq(t, `{"query":"kiro status"}`, string(msg.Content[1].Input))
				assert.Equal(t, msg.Content[1].ID, msg.Content[2].ToolUseID)
				assert.Equal(t, "unavailable", string(msg.Content[2].Content.ErrorCode))
				assert.Empty(t, msg.Content[2].Content.OfWebSearchResultBlockArray)
				assert.Equal(t, "The search failed, so from memory: Kiro is up.", msg.Content[3].Text)
				assert.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason)
				assert.EqualValues(t, 1, msg.Usage.ServerToolUse.WebSearchRequests)

				assert.Equal(t, 1, e.fake.Calls(fakekiro.PathMCP), "one account: one try")
				chat := e.fake.ChatRequests()
				require.Len(t, chat, 2)
				second := string(chat[1].Raw)
				assert.Contains(t, second, `"toolUseId":"tooluse_s1"`)
				assert.Contains(t, second, `"status":"error"`, "the model is told the call failed")
				assert.Contains(t, second, "web search failed")
			})
		}
	}
}

// A slow search (the fake holds its answer back) is waited for: its
// results, not an error, reach the client and the model.
func TestWebSearchSlowSearchThroughServe(t *testing.T) {
	for mode, stream := range streamModes {
		t.Run(mode, func(t *testing.T) {
			e := startWithAccounts(t, 1)
			const delay = 1500 * time.Millisecond
			e.fake.EnqueueSearch(fakekiro.SearchScript{Delay: delay})
			e.fake.Enqueue(
				fakekiro.Script{fakekiro.ToolUse("tooluse_s1", "web_search", `{"query":"slow"}`, 1, true)},
				fakekiro.Script{fakekiro.Text("Found it [1].")},
			)
			params := userText("search slowly")
			params.Tools = []anthropic.ToolUnionParam{webSearchTool(5), weatherTool()}
			start := time.Now()
			msg := messages(t, e, params, stream)
			assert.GreaterOrEqual(t, time.Since(start), delay)
			assert.Equal(t, []string{"server_tool_use", "web_search_tool_result", "text"}, blockTypes(msg))
			assert.Len(t, msg.Content[1].Content.OfWebSearchResultBlockArray, 2)
			assert.Empty(t, msg.Content[1].Content.ErrorCode)
			assert.Contains(t, string(e.fake.ChatRequests()[1].Raw), "Snippet one about slow.")
		})
	}
}

// chatAuths lists the Authorization header of every chat call fake Kiro
// received, answered or not.
func chatAuths(e *kiroEnv) []string {
	var out []string
	for _, r := range e.fake.Requests() {
		if r.Path == fakekiro.PathChat {
			out = append(out, r.Header.Get("Authorization"))
		}
	}
	return out
}

// A model call of the search loop that fails is tried on another account,
// before the client has a byte (the first call) and after (a later one),
// as for chat; the client gets one whole answer.
func TestWebSearchMixedFailsOverInsideTheLoop(t *testing.T) {
	for mode, stream := range streamModes {
		t.Run(mode, func(t *testing.T) {
			e := startWithAccounts(t, 2)
			high := fakekiro.Status(http.StatusInternalServerError, fakekiro.BodyHighLoad)
			e.fake.Enqueue(
				fakekiro.Script{high},
				fakekiro.Script{fakekiro.Text("Let me search."), fakekiro.ToolUse("tooluse_s1", "web_search", `{"query":"kiro mcp"}`, 1, true)},
				fakekiro.Script{high},
				fakekiro.Script{fakekiro.Text("Kiro has an MCP endpoint [1].")},
			)
			params := userText("what is kiro's mcp endpoint?")
			params.Tools = []anthropic.ToolUnionParam{webSearchTool(5), weatherTool()}
			msg := messages(t, e, params, stream)

			assert.Equal(t, []string{"text", "server_tool_use", "web_search_tool_result", "text"}, blockTypes(msg))
			assert.Equal(t, "Let me search.", msg.Content[0].Text)
			assert.Len(t, msg.Content[2].Content.OfWebSearchResultBlockArray, 2)
			assert.Equal(t, "Kiro has an MCP endpoint [1].", msg.Content[3].Text)
			require.Len(t, msg.Content[3].Citations, 1)
			assert.Equal(t, "https://example.com/one", msg.Content[3].Citations[0].URL)
			assert.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason)
			assert.EqualValues(t, 1, msg.Usage.ServerToolUse.WebSearchRequests)

			auths := chatAuths(e)
			require.Len(t, auths, 4, "two failed calls, each tried again")
			assert.NotEqual(t, auths[0], auths[1], "the first call went to the other account")
			assert.NotEqual(t, auths[2], auths[3], "so did the call after the search")
			chat := e.fake.ChatRequests()
			assert.Contains(t, string(chat[len(chat)-1].Raw), "Snippet one about kiro mcp.")
			require.Len(t, e.fake.SearchCalls(), 1)
		})
	}
}

// Claude Code's dedicated search: the model call after the search fails
// over like a chat call; the client gets the search once and one answer.
func TestWebSearchDedicatedFailsOver(t *testing.T) {
	for mode, stream := range streamModes {
		t.Run(mode, func(t *testing.T) {
			e := startWithAccounts(t, 2)
			e.fake.Enqueue(fakekiro.Script{fakekiro.Status(http.StatusInternalServerError, fakekiro.BodyHighLoad)},
				fakekiro.Script{fakekiro.Text("Go 1.26 is out [1].")})
			params := userText("Perform a web search for the query: go 1.26")
			params.Tools = []anthropic.ToolUnionParam{webSearchTool(8)}
			msg := messages(t, e, params, stream)

			assert.Equal(t, []string{"server_tool_use", "web_search_tool_result", "text"}, blockTypes(msg))
			assert.Len(t, msg.Content[1].Content.OfWebSearchResultBlockArray, 2)
			assert.Equal(t, "Go 1.26 is out [1].", msg.Content[2].Text)
			require.Len(t, msg.Content[2].Citations, 1)
			auths := chatAuths(e)
			require.Len(t, auths, 2)
			assert.NotEqual(t, auths[0], auths[1], "the other account answered")
			assert.Len(t, e.fake.SearchCalls(), 1, "the search is not run again")
		})
	}
}

// Codex's web_search when the search fails: the web_search_call item is
// "failed" and the model's answer follows in the same response.
func TestWebSearchResponsesMCPFailureThroughServe(t *testing.T) {
	for mode, stream := range streamModes {
		t.Run(mode, func(t *testing.T) {
			e := startWithAccounts(t, 1)
			c := openaiClient(e)
			e.fake.EnqueueSearch(fakekiro.SearchScript{Status: http.StatusInternalServerError})
			e.fake.Enqueue(
				fakekiro.Script{fakekiro.ToolUse("tooluse_s1", "web_search", `{"query":"latest go"}`, 1, true)},
				fakekiro.Script{fakekiro.Text("I could not search; Go 1.26 is the latest I know.")},
			)
			res, _ := latestGoSearch(t, c, stream)
			require.Len(t, res.Output, 2)
			ws := res.Output[0].AsWebSearchCall()
			assert.Equal(t, "web_search_call", res.Output[0].Type)
			assert.Equal(t, "failed", string(ws.Status))
			assert.Equal(t, "latest go", ws.Action.Query)
			assert.Equal(t, "I could not search; Go 1.26 is the latest I know.", res.OutputText())
			assert.Equal(t, "completed", string(res.Status))
			chat := e.fake.ChatRequests()
			require.Len(t, chat, 2)
			assert.Contains(t, string(chat[1].Raw), "web search failed")
		})
	}
}

// The search results made the conversation too long for the model's next
// call: the client gets the refusal its compaction keys on, as it would
// before any answer. A streaming client has the start of the answer and
// gets an error event; a non-streaming one gets the status.
func TestWebSearchTooLongAfterASearchThroughServe(t *testing.T) {
	script := func(e *kiroEnv) {
		e.fake.Enqueue(
			fakekiro.Script{fakekiro.Text("Let me search."), fakekiro.ToolUse("tooluse_s1", "web_search", `{"query":"big"}`, 1, true)},
			fakekiro.Script{fakekiro.Status(http.StatusBadRequest, fakekiro.BodyInputTooLong)},
		)
	}
	for mode, stream := range streamModes {
		t.Run("anthropic/"+mode, func(t *testing.T) {
			e := startWithAccounts(t, 1)
			script(e)
			params := userText("search something big")
			params.Tools = []anthropic.ToolUnionParam{webSearchTool(5), weatherTool()}
			ctx := context.Background()
			var err error
			if stream {
				s := e.client.Messages.NewStreaming(ctx, params)
				var seen []string
				for s.Next() {
					seen = append(seen, s.Current().Type)
				}
				err = s.Err()
				assert.Contains(t, seen, "content_block_start", "the answer had started")
			} else {
				_, err = e.client.Messages.New(ctx, params)
				var apiErr *anthropic.Error
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "invalid_request_error")
			assert.Contains(t, err.Error(), "prompt is too long")
			assert.Len(t, e.fake.ChatRequests(), 2, "a too-long refusal is not tried again")
		})
		t.Run("responses/"+mode, func(t *testing.T) {
			e := startWithAccounts(t, 1)
			script(e)
			c := openaiClient(e)
			ctx := context.Background()
			params := responses.ResponseNewParams{Model: "claude-sonnet-4-5",
				Input: responses.ResponseNewParamsInputUnion{OfString: sdk.String("search something big")},
				Tools: []responses.ToolUnionParam{{OfWebSearch: &responses.WebSearchToolParam{Type: responses.WebSearchToolTypeWebSearch}}}}
			if stream {
				s := c.Responses.NewStreaming(ctx, params)
				var code string
				for s.Next() {
					if ev := s.Current(); ev.Type == "response.failed" {
						code = string(ev.Response.Error.Code)
					}
				}
				require.NoError(t, s.Err())
				assert.Equal(t, "context_length_exceeded", code, "the response.failed event's code")
			} else {
				_, err := c.Responses.New(ctx, params)
				var apiErr *sdk.Error
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
				assert.Equal(t, "context_length_exceeded", apiErr.Code)
				assert.Contains(t, apiErr.Message, "prompt is too long")
			}
		})
	}
}

// Kiro's answer breaks off in the model call after a search, when the
// earlier round is already part of the answer and cannot be tried again:
// a streaming client gets an error event after what it had, a
// non-streaming one a 502 that says what broke (not an internal error).
func TestWebSearchBrokenLaterRoundThroughServe(t *testing.T) {
	corrupt := []byte{0, 0, 0, 40, 0, 0, 0, 0, 1, 2, 3, 4, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x',
		'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'}
	for mode, stream := range streamModes {
		t.Run(mode, func(t *testing.T) {
			e := startWithAccounts(t, 1)
			e.fake.Enqueue(
				fakekiro.Script{fakekiro.Text("Let me search."), fakekiro.ToolUse("tooluse_s1", "web_search", `{"query":"q"}`, 1, true)},
				fakekiro.Script{fakekiro.Text("Half an ans"), fakekiro.Raw(corrupt)},
			)
			params := userText("search q")
			params.Tools = []anthropic.ToolUnionParam{webSearchTool(5), weatherTool()}
			ctx := context.Background()
			if stream {
				s := e.client.Messages.NewStreaming(ctx, params)
				var msg anthropic.Message
				for s.Next() {
					require.NoError(t, msg.Accumulate(s.Current()))
				}
				require.Error(t, s.Err())
				assert.Contains(t, s.Err().Error(), "broke off")
				assert.Equal(t, []string{"text", "server_tool_use", "web_search_tool_result", "text"}, blockTypes(msg))
				return
			}
			_, err := e.client.Messages.New(ctx, params)
			var apiErr *anthropic.Error
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
			assert.Contains(t, err.Error(), "broke off")
			assert.NotContains(t, err.Error(), "request id")
		})
	}
}
