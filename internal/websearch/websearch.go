// Package websearch runs the web search server tool for the relay. Kiro
// runs no server tools; it offers web search as an MCP tool instead
// (kiro-protocol.md section 11). A request that declares web search is
// answered here, inside one client response:
//
//   - Dedicated (Claude Code's WebSearch: web search is the only tool and
//     the user turn is "Perform a web search for the query: <q>"): search
//     first, show the call and its results, then let the model answer with
//     the results in its user turn.
//   - Otherwise the model gets web_search as an ordinary tool; each call it
//     makes is run here, shown as a server tool call and result, appended to
//     the conversation, and the model is called again, up to max_uses.
//
// The client never sees a plain tool call for the search. Translators only
// render the canonical server tool events; failover stays the relay's.
package websearch

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"kirodesk/internal/canon"
	"kirodesk/internal/kiro"
	"kirodesk/internal/relay"
)

// DedicatedPrefix opens the user turn of Claude Code's WebSearch request.
const DedicatedPrefix = "Perform a web search for the query:"

// DefaultMaxUses bounds the searches of one response when the client set
// no max_uses (Claude Code sends 8).
const DefaultMaxUses = 8

// Error codes of web_search_tool_result_error that Kirodesk produces.
const (
	ErrUnavailable     = "unavailable"
	ErrMaxUses         = "max_uses_exceeded"
	ErrInvalidInput    = "invalid_tool_input"
	ErrQueryTooLong    = "query_too_long"
	maxQueryRunes      = 500
	citedTextMaxRunes  = 150
	toolResultMaxBytes = 12 << 10
)

// Options configure a Runner.
type Options struct {
	// Timeout bounds one MCP search (0: kiro.DefaultSearchTimeout).
	Timeout func() time.Duration
	Logger  *slog.Logger
}

// Runner is a relay.ServerToolRunner; safe for concurrent use.
type Runner struct {
	opts Options
	log  *slog.Logger
}

// New returns a Runner.
func New(opts Options) *Runner {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Timeout == nil {
		opts.Timeout = func() time.Duration { return kiro.DefaultSearchTimeout }
	}
	return &Runner{opts: opts, log: opts.Logger}
}

// Run answers req; it has relay.ServerToolRunner's signature.
func (rn *Runner) Run(ctx context.Context, req *canon.Request, sink relay.Sink, up relay.ServerUpstream) error {
	decl := req.ServerTools[0]
	if decl.Name == "" {
		decl.Name = "web_search"
	}
	for _, t := range req.Tools {
		if t.Name == decl.Name {
			// The client has its own tool of that name (an MCP search
			// tool, say): two tools of one name would be refused, and the
			// model's calls are the client's to run.
			rn.log.Warn("web search not run: the client declares its own tool of the same name", "name", decl.Name)
			return up.Chat(ctx, req, sink)
		}
	}
	ex := &exchange{rn: rn, req: req, sink: sink, up: up, name: decl.Name, maxUses: decl.MaxUses, domains: domainsOf(decl.Config)}
	if ex.maxUses <= 0 {
		ex.maxUses = DefaultMaxUses
	}
	if q, ok := dedicatedQuery(req); ok {
		return ex.dedicated(ctx, q)
	}
	return ex.loop(ctx)
}

// dedicatedQuery returns the query of a request that is only a search.
func dedicatedQuery(req *canon.Request) (string, bool) {
	if len(req.Tools) > 0 || len(req.Messages) == 0 {
		return "", false
	}
	last := req.Messages[len(req.Messages)-1]
	if last.Role != canon.RoleUser {
		return "", false
	}
	text := strings.TrimSpace(canon.TextOf(last.Content))
	q, ok := strings.CutPrefix(text, DedicatedPrefix)
	q = strings.TrimSpace(q)
	return q, ok && q != ""
}

// exchange is one client response: its searches, rounds and usage.
type exchange struct {
	rn      *Runner
	req     *canon.Request
	sink    relay.Sink
	up      relay.ServerUpstream
	name    string
	maxUses int
	domains domains

	results  []canon.SearchResult // every result shown so far, numbered from 1 for citations
	searches int                  // MCP calls made
	usage    canon.Usage
	started  bool // the client has the response's start
}

// search runs one query and returns the events for the client and the
// text the model reads as the result.
func (ex *exchange) search(ctx context.Context, query string) (call, result canon.Event, forModel string, isErr bool, err error) {
	id := serverToolID()
	call = canon.Event{Kind: canon.EventServerToolUse, ServerToolUse: &canon.ServerToolUse{ID: id, Name: ex.name, Query: query}}
	res := &canon.ServerToolResult{ToolUseID: id}
	result = canon.Event{Kind: canon.EventServerToolResult, ServerToolResult: res}
	switch {
	case strings.TrimSpace(query) == "":
		res.ErrorCode = ErrInvalidInput
	case len([]rune(query)) > maxQueryRunes:
		res.ErrorCode = ErrQueryTooLong
	case ex.searches >= ex.maxUses:
		res.ErrorCode = ErrMaxUses
	}
	if res.ErrorCode != "" {
		return call, result, failureText(res.ErrorCode), true, nil
	}
	ex.searches++
	hits, serr := ex.up.WebSearch(ctx, ex.req, query, ex.rn.opts.Timeout())
	if serr != nil {
		if ctx.Err() != nil {
			return call, result, "", true, ctx.Err()
		}
		ex.rn.log.Warn("web search failed", "err", serr)
		res.ErrorCode = ErrUnavailable
		return call, result, failureText(res.ErrorCode), true, nil
	}
	first := len(ex.results) + 1
	for _, h := range ex.domains.filter(hits) {
		res.Results = append(res.Results, canon.SearchResult{Title: h.Title, URL: h.URL, Snippet: h.Snippet, PageAge: pageAge(h.PublishedDate)})
	}
	ex.results = append(ex.results, res.Results...)
	return call, result, resultsText(query, res.Results, first), false, nil
}

// addUsage folds one round's usage into the response's.
func (ex *exchange) addUsage(u *canon.Usage) {
	if u == nil {
		return
	}
	ex.usage.InputTokens += u.InputTokens
	ex.usage.OutputTokens += u.OutputTokens
	ex.usage.CacheCreationInputTokens += u.CacheCreationInputTokens
	ex.usage.CacheReadInputTokens += u.CacheReadInputTokens
	ex.usage.Credits += u.Credits
	ex.usage.Estimated = ex.usage.Estimated || u.Estimated
}

// finish ends the response with the summed usage and stop reason.
func (ex *exchange) finish(stop canon.StopReason) error {
	u := ex.usage
	u.WebSearchRequests = ex.searches
	if err := ex.sink.Event(canon.Event{Kind: canon.EventUsage, Usage: &u}); err != nil {
		return err
	}
	if err := ex.sink.Event(canon.Event{Kind: canon.EventStop, Stop: stop}); err != nil {
		return err
	}
	return ex.sink.Flush()
}

// failLate ends a started response whose next model call failed before
// it answered. A non-streaming answer is still all Kirodesk's: it is
// forgotten and the failure returned, so the handler answers with the
// status that failure gets anywhere (429 with Retry-After, 400 "prompt is
// too long", ...). A streaming client already has part of the answer, so
// the failure is an error event of the same kind.
func (ex *exchange) failLate(err error) error {
	if rw, ok := ex.sink.(relay.Rewinder); ok && rw.Rewind() {
		ex.started = false
		return err
	}
	msg := err.Error()
	typ := "api_error"
	var ue *kiro.UpstreamError
	if errors.As(err, &ue) {
		switch ue.Class {
		case kiro.ClassCapacity, kiro.ClassThrottle:
			typ = "overloaded_error"
		case kiro.ClassTooLong:
			// Likely here: the search results made the conversation longer.
			typ, msg = canon.ErrContextTooLong, kiro.PromptTooLong(ue)
		}
	}
	if werr := ex.sink.Event(canon.Event{Kind: canon.EventError, Err: &canon.StreamError{Type: typ, Message: msg}}); werr != nil {
		return werr
	}
	return ex.sink.Flush()
}

// toolSpec is web search declared to Kiro as an ordinary tool.
func (ex *exchange) toolSpec() canon.Tool {
	return canon.Tool{Name: ex.name,
		Description: "Search the web for current information. Returns numbered results (title, URL, snippet). " +
			"When your answer uses a result, cite it by its number in square brackets, e.g. [1].",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"query":{"type":"string","description":"The search query"}},"required":["query"]}`)}
}

// serverToolID is an id in Anthropic's shape: srvtoolu_ and 24 letters and digits.
func serverToolID() string {
	const set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = set[int(b[i])%len(set)]
	}
	return "srvtoolu_" + string(b)
}

func pageAge(ms int64) string {
	if ms <= 0 {
		return ""
	}
	return time.UnixMilli(ms).UTC().Format("January 2, 2006")
}
