//go:build !windows

package cli

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
)

// The real agents' web search: the model asks for a search, Kirodesk runs
// it through fake Kiro's MCP endpoint, and the results flow back to the
// model and into the agent's answer. The hit is one no model could guess,
// and the fake's last turn builds the answer from what it received, so the
// answer holds the hit's figures only if they made the whole trip.

const (
	// agentSearchPrompt is what each agent is asked to search for.
	agentSearchPrompt = "How many quokkas live on Rottnest Island? Search the web."
	agentSearchQuery  = "quokka census rottnest"
)

var agentSearchHit = fakekiro.SearchResult{
	Title:   "Quokka census of Rottnest Island 2031",
	URL:     "https://quokka-census.example/rottnest-2031",
	Snippet: "Rangers counted 12347 quokkas on Rottnest Island in 2031.",
	ID:      "q1", Domain: "quokka-census.example",
}

// agentSearchAnswer is the answer the fake gives once the hit reached it.
const agentSearchAnswer = "The census counted 12347 quokkas (https://quokka-census.example/rottnest-2031)."

var (
	searchedURL   = regexp.MustCompile(`https://quokka-census\.example/[a-z0-9-]+`)
	searchedCount = regexp.MustCompile(`counted ([0-9]+) quokkas`)
)

// answerFromSearch is the fake's last turn: it repeats the count and the
// URL it finds in the request, or says that nothing came.
func answerFromSearch(raw string) fakekiro.Script {
	url, count := searchedURL.FindString(raw), searchedCount.FindStringSubmatch(raw)
	if url == "" || count == nil {
		return fakekiro.Script{fakekiro.Text("No search results reached me.")}
	}
	return fakekiro.Script{fakekiro.Text("The census counted " + count[1] + " quokkas (" + url + ").")}
}

// startAgentSearch starts Kirodesk with one account, the agent's side
// recorded, and fake Kiro's search holding agentSearchHit.
func startAgentSearch(t *testing.T) (*kiroEnv, *clientRecorder) {
	t.Helper()
	e := startWithAccounts(t, 1)
	rec := newClientRecorder(t, e.serve.url)
	e.fake.EnqueueSearch(fakekiro.SearchScript{Results: []fakekiro.SearchResult{agentSearchHit}})
	return e, rec
}

// mixedSearchScript answers an agent whose request declares web search
// among its tools (Codex, Cline): the first turn of agentSearchPrompt calls
// web_search, the turn that carries its result answers from it.
func mixedSearchScript(r fakekiro.RecordedRequest) fakekiro.Script {
	raw := string(r.Raw)
	switch {
	case r.Chat == nil:
		return fakekiro.EchoScript(r)
	case strings.Contains(raw, `"toolUseId":"tooluse_search1"`) && strings.Contains(raw, "toolResults"):
		return answerFromSearch(raw)
	case strings.Contains(raw, agentSearchPrompt):
		return fakekiro.Script{fakekiro.Text("Let me search."),
			fakekiro.ToolUse("tooluse_search1", "web_search", `{"query":"`+agentSearchQuery+`"}`, 2, true)}
	}
	return fakekiro.EchoScript(r)
}

// assertSearchReachedKiro checks that fake Kiro ran the agent's query and
// that a later chat turn carried the hit back to the model as the result
// of the call named toolUseID.
func assertSearchReachedKiro(t *testing.T, e *kiroEnv, toolUseID string) {
	t.Helper()
	calls := e.fake.SearchCalls()
	require.Len(t, calls, 1)
	assert.Equal(t, agentSearchQuery, calls[0].Query)
	var carried bool
	for _, c := range e.fake.ChatRequests() {
		ctx := currentContext(c)
		if ctx == nil {
			continue
		}
		for _, tr := range ctx.ToolResults {
			if tr.ToolUseID != toolUseID {
				continue
			}
			var text strings.Builder
			for _, part := range tr.Content {
				text.WriteString(part.Text)
			}
			assert.Contains(t, text.String(), agentSearchHit.URL)
			assert.Contains(t, text.String(), agentSearchHit.Title)
			carried = true
		}
	}
	assert.True(t, carried, "no chat turn carried the result of %s", toolUseID)
}

// kiroToolSchemas maps each tool name the chat requests to fake Kiro
// declared to its input schema, failing on a name declared twice in one
// request or a server tool's type leaking into the body.
func kiroToolSchemas(t *testing.T, e *kiroEnv) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, c := range e.fake.ChatRequests() {
		raw := string(c.Raw)
		assert.NotContains(t, raw, "web_search_20250305")
		assert.NotContains(t, raw, `"type":"namespace"`)
		assert.NotContains(t, raw, `"type":"web_search"`)
		ctx := currentContext(c)
		if ctx == nil {
			continue
		}
		inRequest := map[string]bool{}
		for _, tl := range ctx.Tools {
			name := tl.ToolSpecification.Name
			assert.NotEmpty(t, name)
			assert.False(t, inRequest[name], "%s declared twice in one request", name)
			inRequest[name] = true
			out[name] = tl.ToolSpecification.InputSchema.JSON
		}
	}
	return out
}

// assertKiroGetsWebSearch checks that web search reached Kiro as an
// ordinary tool taking a query.
func assertKiroGetsWebSearch(t *testing.T, e *kiroEnv) {
	t.Helper()
	schemas := kiroToolSchemas(t, e)
	require.Contains(t, schemas, "web_search")
	b, err := json.Marshal(schemas["web_search"])
	require.NoError(t, err)
	var schema struct {
		Type       string
		Properties map[string]struct{ Type string }
		Required   []string
	}
	require.NoError(t, json.Unmarshal(b, &schema))
	assert.Equal(t, "object", schema.Type)
	require.Len(t, schema.Properties, 1, "%s", b)
	assert.Equal(t, "string", schema.Properties["query"].Type)
	assert.Equal(t, []string{"query"}, schema.Required)
}

// currentContext is the tools and tool results of a chat request's
// current message, or nil.
func currentContext(r fakekiro.RecordedRequest) *fakekiro.UserInputMessageContext {
	if r.Chat == nil || r.Chat.ConversationState.CurrentMessage.UserInputMessage == nil {
		return nil
	}
	return r.Chat.ConversationState.CurrentMessage.UserInputMessage.UserInputMessageContext
}
