package kiro_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/store"
)

func TestWebSearchCallsMCPAndParsesResults(t *testing.T) {
	fake, c := setup(t)
	arn := "arn:aws:codewhisperer:us-east-1:123456789012:profile/X"
	acct := fake.AddAccount(fakekiro.FakeAccount{ProfileARN: arn})
	cr := kiro.Credentials{AccessToken: acct.AccessToken, AuthMethod: store.AuthSocial, ProfileARN: arn}

	got, err := c.WebSearch(context.Background(), cr, kiro.MachineID("a"), arn, "go generics", 0)
	require.NoError(t, err)
	want := fakekiro.DefaultSearchResults("go generics")
	require.Len(t, got, 2)
	assert.Equal(t, kiro.SearchResult{Title: want[0].Title, URL: want[0].URL, Snippet: want[0].Snippet, PublishedDate: want[0].PublishedDate}, got[0])
	assert.Equal(t, want[1].URL, got[1].URL)

	calls := fake.SearchCalls()
	require.Len(t, calls, 1, "the fake accepted the call as well formed")
	assert.Equal(t, "go generics", calls[0].Query)
	assert.Equal(t, arn, calls[0].ProfileARN)
	var mcp fakekiro.RecordedRequest
	for _, r := range fake.Requests() {
		if r.Path == fakekiro.PathMCP {
			mcp = r
		}
	}
	assert.Equal(t, "Bearer "+acct.AccessToken, mcp.Header.Get("Authorization"))
	assert.Equal(t, "application/json", mcp.Header.Get("Content-Type"))
	assert.NotContains(t, mcp.JSON, "profileArn")
}

func TestWebSearchFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script fakekiro.SearchScript
		kind   string // SearchError kind, or "" for an *UpstreamError
		status int
	}{
		{"json-rpc error", fakekiro.SearchScript{RPCError: "quota"}, "rpc", 0},
		{"isError", fakekiro.SearchScript{IsError: true}, "tool", 0},
		{"http 500", fakekiro.SearchScript{Status: 500}, "", 500},
		{"bad json", fakekiro.SearchScript{Raw: "not json"}, "decode", 0},
		{"bad inner json", fakekiro.SearchScript{Raw: `{"jsonrpc":"2.0","id":"x","result":{"content":[{"type":"text","text":"oops"}],"isError":false}}`}, "decode", 0},
		{"slow", fakekiro.SearchScript{Delay: 2 * time.Second}, "timeout", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake, c := setup(t)
			acct := fake.AddAccount(fakekiro.FakeAccount{})
			fake.EnqueueSearch(tc.script)
			cr := kiro.Credentials{AccessToken: acct.AccessToken, AuthMethod: store.AuthBuilderID}
			_, err := c.WebSearch(context.Background(), cr, kiro.MachineID("a"), "", "q", 100*time.Millisecond)
			require.Error(t, err)
			if tc.kind == "" {
				var ue *kiro.UpstreamError
				require.ErrorAs(t, err, &ue)
				assert.Equal(t, tc.status, ue.Status)
				return
			}
			var se *kiro.SearchError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.kind, se.Kind)
		})
	}
}

func TestWebSearchBadTokenIsAnAuthError(t *testing.T) {
	_, c := setup(t)
	_, err := c.WebSearch(context.Background(), kiro.Credentials{AccessToken: "nope"}, kiro.MachineID("a"), "", "q", time.Second)
	var ue *kiro.UpstreamError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, kiro.ClassAuth, ue.Class)
	assert.Equal(t, http.StatusUnauthorized, ue.Status)
}

func TestMCPURLGoesToTheQHost(t *testing.T) {
	c := kiro.New(kiro.Options{Upstream: store.DefaultUpstream})
	u, err := c.MCPURL(kiro.Credentials{Region: "eu-central-1"})
	require.NoError(t, err)
	assert.Equal(t, "https://q.eu-central-1.amazonaws.com/mcp", u)
	_, err = c.MCPURL(kiro.Credentials{Region: "evil.example/x"})
	assert.Error(t, err)
}
