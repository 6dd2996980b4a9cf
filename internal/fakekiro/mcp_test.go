package fakekiro

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mcpCall(t *testing.T, s *Server, token, arn, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+PathMCP, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-amz-user-agent", "aws-sdk-js/1.0.34 KiroIDE-0.11.63-abc")
	req.Header.Set("amz-sdk-invocation-id", "00000000-0000-4000-8000-000000000000")
	if arn != "" {
		req.Header.Set("x-amzn-kiro-profile-arn", arn)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func mcpBody(id, method, name, query string) string {
	b, _ := json.Marshal(map[string]any{"id": id, "jsonrpc": "2.0", "method": method,
		"params": map[string]any{"name": name, "arguments": map[string]any{"query": query}}})
	return string(b)
}

const goodID = "web_search_tooluse_ABCDEFGHIJKLMNOPQRSTUV_1735689600000_abcd1234"

func TestMCPValidatesWhatKirodeskSends(t *testing.T) {
	s := newServer(t, Options{})
	arn := "arn:aws:codewhisperer:us-east-1:123456789012:profile/X"
	a := s.AddAccount(FakeAccount{ProfileARN: arn})
	for name, tc := range map[string]struct{ arn, body, want string }{
		"method":  {arn, mcpBody(goodID, "tools/list", "web_search", "q"), "tools/call"},
		"name":    {arn, mcpBody(goodID, "tools/call", "fetch", "q"), "web_search"},
		"query":   {arn, mcpBody(goodID, "tools/call", "web_search", " "), "query is empty"},
		"id":      {arn, mcpBody("1", "tools/call", "web_search", "q"), "web_search_tooluse_"},
		"profile": {"", mcpBody(goodID, "tools/call", "web_search", "q"), "profile-arn"},
	} {
		t.Run(name, func(t *testing.T) {
			status, out := mcpCall(t, s, a.AccessToken, tc.arn, tc.body)
			assert.Equal(t, http.StatusOK, status)
			require.Contains(t, out, "error")
			assert.Contains(t, out["error"].(map[string]any)["message"], tc.want)
		})
	}
	assert.Empty(t, s.SearchCalls(), "refused calls are not recorded as searches")

	status, _ := mcpCall(t, s, "bad-token", arn, mcpBody(goodID, "tools/call", "web_search", "q"))
	assert.Equal(t, http.StatusUnauthorized, status)

	status, out := mcpCall(t, s, a.AccessToken, arn, mcpBody(goodID, "tools/call", "web_search", "go"))
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, goodID, out["id"])
	result := out["result"].(map[string]any)
	assert.Equal(t, false, result["isError"])
	var inner struct {
		Results []SearchResult
		Query   string
	}
	require.NoError(t, json.Unmarshal([]byte(result["content"].([]any)[0].(map[string]any)["text"].(string)), &inner))
	assert.Equal(t, DefaultSearchResults("go"), inner.Results)
	assert.Equal(t, []SearchCall{{ID: goodID, Query: "go", ProfileARN: arn}}, s.SearchCalls())
	assert.Equal(t, 7, s.Calls(PathMCP))
}
