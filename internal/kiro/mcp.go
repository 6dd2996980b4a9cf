package kiro

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"kirodesk/internal/kiro/endpoint"
	"kirodesk/internal/store"
)

// DefaultSearchTimeout bounds one MCP web search, as both peers do.
const DefaultSearchTimeout = 60 * time.Second

// SearchResult is one hit of Kiro's web search.
type SearchResult struct {
	Title         string `json:"title"`
	URL           string `json:"url"`
	Snippet       string `json:"snippet"`
	PublishedDate int64  `json:"publishedDate"` // unix ms, 0 if unknown
}

// SearchError is a web search that failed. Kiro's HTTP errors stay
// *UpstreamError (an expired token is refreshed like a chat call's); the
// MCP layer's own failures are this.
type SearchError struct {
	Kind    string // "rpc" (JSON-RPC error), "tool" (isError), "decode" (bad answer), "timeout"
	Message string
}

func (e *SearchError) Error() string { return "web search failed (" + e.Kind + "): " + e.Message }

// MCPURL is where an account's MCP calls go: {base}/mcp where base is the
// account's own apiBase, a configured apiBase other than Kiro's, or
// q.{region}.amazonaws.com (the runtime host refuses MCP; section 11).
func (c *Client) MCPURL(cr Credentials) (string, error) {
	region, _, err := c.regions(cr)
	if err != nil {
		return "", err
	}
	up := c.upstream()
	base := store.DefaultUpstream().APIBase
	if a, ok := c.account(cr.AccountID); ok && cr.AccountID != "" && a.APIBase != "" {
		base = a.APIBase
	} else if up.APIBase != "" {
		base = up.APIBase
	}
	b, err := endpoint.ParseBase("upstream base URL", base)
	if err != nil {
		return "", err
	}
	return b.URL(region, "mcp").String(), nil
}

// WebSearch runs query through Kiro's MCP web_search tool. timeout <= 0
// means DefaultSearchTimeout.
func (c *Client) WebSearch(ctx context.Context, cr Credentials, machineID, profileARN, query string, timeout time.Duration) ([]SearchResult, error) {
	if timeout <= 0 {
		timeout = DefaultSearchTimeout
	}
	u, err := c.MCPURL(cr)
	if err != nil {
		return nil, fmt.Errorf("no request sent: %w", err)
	}
	id := mcpRequestID(time.Now())
	body, _ := json.Marshal(map[string]any{"id": id, "jsonrpc": "2.0", "method": "tools/call",
		"params": map[string]any{"name": "web_search", "arguments": map[string]string{"query": query}}})
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	c.headers(req.Header, cr.AccessToken, machineID)
	req.Header.Set("Accept", "application/json")
	req.Header.Del("x-amzn-kiro-agent-mode") // a chat header; the peers send none on MCP
	if profileARN != "" {
		req.Header.Set("x-amzn-kiro-profile-arn", profileARN)
	}
	resp, err := c.httpFor(cr.AccountID).Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &SearchError{Kind: "timeout", Message: fmt.Sprintf("no answer within %s", timeout)}
		}
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &SearchError{Kind: "timeout", Message: fmt.Sprintf("no answer within %s", timeout)}
		}
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, Classify(resp.StatusCode, b)
	}
	return parseMCPAnswer(b)
}

func parseMCPAnswer(b []byte) ([]SearchResult, error) {
	var ans struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Result *struct {
			Content []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"content"`
			IsError bool `json:"isError"`
		} `json:"result"`
	}
	if err := json.Unmarshal(b, &ans); err != nil {
		return nil, &SearchError{Kind: "decode", Message: "the answer is not JSON"}
	}
	switch {
	case ans.Error != nil:
		return nil, &SearchError{Kind: "rpc", Message: fmt.Sprintf("%d %s", ans.Error.Code, ans.Error.Message)}
	case ans.Result == nil:
		return nil, &SearchError{Kind: "decode", Message: "the answer holds neither result nor error"}
	case ans.Result.IsError:
		var msg []string
		for _, c := range ans.Result.Content {
			msg = append(msg, c.Text)
		}
		return nil, &SearchError{Kind: "tool", Message: strings.Join(msg, " ")}
	}
	out := []SearchResult{}
	for _, c := range ans.Result.Content {
		if c.Type != "text" {
			continue
		}
		var inner struct {
			Results []SearchResult `json:"results"`
		}
		if err := json.Unmarshal([]byte(c.Text), &inner); err != nil {
			return nil, &SearchError{Kind: "decode", Message: "the result text is not the results JSON"}
		}
		out = append(out, inner.Results...)
	}
	return out, nil
}

// mcpRequestID is the id shape the peers send:
// web_search_tooluse_<22 alnum>_<unix ms>_<8 alnum>.
func mcpRequestID(now time.Time) string {
	return "web_search_tooluse_" + alnum(22) + "_" + strconv.FormatInt(now.UnixMilli(), 10) + "_" + alnum(8)
}

func alnum(n int) string {
	const set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = set[int(b[i])%len(set)]
	}
	return string(b)
}
