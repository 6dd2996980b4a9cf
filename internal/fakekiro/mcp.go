package fakekiro

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// PathMCP is Kiro's MCP endpoint, where web search runs (kiro-protocol.md section 11).
const PathMCP = "/mcp"

// SearchResult is one hit of a scripted web search, in Kiro's words.
type SearchResult struct {
	Title         string `json:"title"`
	URL           string `json:"url"`
	Snippet       string `json:"snippet"`
	PublishedDate int64  `json:"publishedDate,omitempty"` // unix ms
	ID            string `json:"id,omitempty"`
	Domain        string `json:"domain,omitempty"`
}

// SearchScript is the answer to one tools/call web_search. The zero value
// answers with DefaultSearchResults for the query.
type SearchScript struct {
	Results []SearchResult // nil: DefaultSearchResults(query)
	// RPCError answers a JSON-RPC error member with this message.
	RPCError string
	// IsError answers a result with isError true.
	IsError bool
	// Status answers this HTTP status with a Kiro error body (when not 200).
	Status int
	// Delay holds the answer back this long (or until the caller leaves).
	Delay time.Duration
	// Raw, when set, is sent as the body as is (status 200).
	Raw string
}

// SearchCall is one MCP call the fake accepted as well formed.
type SearchCall struct {
	ID         string
	Query      string
	ProfileARN string // the x-amzn-kiro-profile-arn header
}

// DefaultSearchResults are the two hits the fake returns for query when no
// script is queued.
func DefaultSearchResults(query string) []SearchResult {
	return []SearchResult{
		{Title: "First result for " + query, URL: "https://example.com/one", Snippet: "Snippet one about " + query + ".",
			PublishedDate: 1735689600000, ID: "r1", Domain: "example.com"},
		{Title: "Second result for " + query, URL: "https://example.org/two", Snippet: "Snippet two about " + query + ".",
			ID: "r2", Domain: "example.org"},
	}
}

// EnqueueSearch queues answers for the next MCP web searches.
func (s *Server) EnqueueSearch(scripts ...SearchScript) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.searchQ = append(s.searchQ, scripts...)
}

// SearchCalls returns the well-formed web searches received so far.
func (s *Server) SearchCalls() []SearchCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SearchCall(nil), s.searches...)
}

// mcpID is the id shape both peers send:
// web_search_tooluse_<22 alnum>_<unix ms>_<8 alnum>.
var mcpID = regexp.MustCompile(`^web_search_tooluse_[A-Za-z0-9]{22}_[0-9]{13}_[A-Za-z0-9]{8}$`)

type mcpRequest struct {
	ID      string `json:"id"`
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  struct {
		Name      string `json:"name"`
		Arguments struct {
			Query string `json:"query"`
		} `json:"arguments"`
	} `json:"params"`
}

// checkMCP returns why Kiro would refuse the call, or "".
func checkMCP(r *http.Request, req mcpRequest, acct *account) string {
	switch {
	case req.JSONRPC != "2.0":
		return "jsonrpc must be 2.0"
	case req.Method != "tools/call":
		return fmt.Sprintf("method %q is not tools/call", req.Method)
	case req.Params.Name != "web_search":
		return fmt.Sprintf("tool %q is not web_search", req.Params.Name)
	case strings.TrimSpace(req.Params.Arguments.Query) == "":
		return "arguments.query is empty"
	case !mcpID.MatchString(req.ID):
		return fmt.Sprintf("id %q is not web_search_tooluse_<22>_<ms>_<8>", req.ID)
	case acct.ProfileARN != "" && r.Header.Get("x-amzn-kiro-profile-arn") != acct.ProfileARN:
		return "x-amzn-kiro-profile-arn must be the account's profile ARN"
	case !strings.Contains(r.Header.Get("x-amz-user-agent"), "KiroIDE-"):
		return "x-amz-user-agent must name KiroIDE-<version>-<machineId>"
	case len(r.Header.Get("amz-sdk-invocation-id")) != 36:
		return "amz-sdk-invocation-id must be a UUID"
	}
	return ""
}

func (s *Server) mcp(w http.ResponseWriter, r *http.Request) {
	acct := s.bearer(w, r)
	if acct == nil {
		return
	}
	var req mcpRequest
	if !decodeBody(w, r, &req) {
		return
	}
	if msg := checkMCP(r, req, acct); msg != "" {
		s.log.Info("fakekiro: rejecting MCP request", "why", msg)
		writeJSON(w, http.StatusOK, map[string]any{"id": req.ID, "jsonrpc": "2.0",
			"error": map[string]any{"code": -32602, "message": "fakekiro: " + msg}})
		return
	}
	s.mu.Lock()
	s.searches = append(s.searches, SearchCall{ID: req.ID, Query: req.Params.Arguments.Query,
		ProfileARN: r.Header.Get("x-amzn-kiro-profile-arn")})
	var sc SearchScript
	if len(s.searchQ) > 0 {
		sc, s.searchQ = s.searchQ[0], s.searchQ[1:]
	}
	s.mu.Unlock()
	if sc.Delay > 0 && !s.sleep(r.Context(), sc.Delay) {
		return
	}
	switch {
	case sc.Status != 0 && sc.Status != http.StatusOK:
		writeRaw(w, sc.Status, BodyHighLoad)
	case sc.Raw != "":
		writeRaw(w, http.StatusOK, sc.Raw)
	case sc.RPCError != "":
		writeJSON(w, http.StatusOK, map[string]any{"id": req.ID, "jsonrpc": "2.0",
			"error": map[string]any{"code": -32000, "message": sc.RPCError}})
	case sc.IsError:
		writeJSON(w, http.StatusOK, map[string]any{"id": req.ID, "jsonrpc": "2.0", "result": map[string]any{
			"content": []any{map[string]any{"type": "text", "text": "search failed"}}, "isError": true}})
	default:
		results := sc.Results
		if results == nil {
			results = DefaultSearchResults(req.Params.Arguments.Query)
		}
		inner, _ := json.Marshal(map[string]any{"results": results, "totalResults": len(results), "query": req.Params.Arguments.Query})
		writeJSON(w, http.StatusOK, map[string]any{"id": req.ID, "jsonrpc": "2.0", "result": map[string]any{
			"content": []any{map[string]any{"type": "text", "text": string(inner)}}, "isError": false}})
	}
}
