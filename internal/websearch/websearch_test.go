package websearch

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/kiro"
	"kirodesk/internal/relay"
)

func text(s string) canon.Event { return canon.Event{Kind: canon.EventText, Text: s} }

func TestCiterMarksCitationsAcrossDeltas(t *testing.T) {
	results := []canon.SearchResult{{Title: "A", URL: "https://a", Snippet: strings.Repeat("x", 200)}, {Title: "B", URL: "https://b", Snippet: "b"}}
	c := newCiter(&results)
	var got []canon.Event
	for _, d := range []string{"See [", "1", "] and [2", "]. Not [3] nor [x] nor [12"} {
		got = append(got, c.feed(d)...)
	}
	got = append(got, c.flush()...)
	var out strings.Builder
	var cites []string
	for _, ev := range got {
		switch ev.Kind {
		case canon.EventText:
			out.WriteString(ev.Text)
		case canon.EventCitation:
			cites = append(cites, ev.Citation.URL+"@"+out.String())
			assert.LessOrEqual(t, len([]rune(ev.Citation.CitedText)), citedTextMaxRunes+1)
		}
	}
	assert.Equal(t, "See [1] and [2]. Not [3] nor [x] nor [12", out.String(), "the text passes through whole")
	assert.Equal(t, []string{"https://a@See [1]", "https://b@See [1] and [2]"}, cites, "a citation follows its marker; unknown numbers cite nothing")
}

func TestDedicatedQuery(t *testing.T) {
	msg := func(s string) []canon.Message {
		return []canon.Message{{Role: canon.RoleUser, Content: []canon.Block{{Type: canon.BlockText, Text: s}}}}
	}
	q, ok := dedicatedQuery(&canon.Request{Messages: msg("Perform a web search for the query:  go 1.26 ")})
	assert.True(t, ok)
	assert.Equal(t, "go 1.26", q)
	_, ok = dedicatedQuery(&canon.Request{Messages: msg("what is new in go?")})
	assert.False(t, ok, "a question, not Claude Code's search request: the model decides")
	_, ok = dedicatedQuery(&canon.Request{Messages: msg("Perform a web search for the query: x"), Tools: []canon.Tool{{Name: "Read"}}})
	assert.False(t, ok, "ordinary tools beside it: the mixed loop")
}

// upstream scripts the relay: each Chat plays the next round's events.
type upstream struct {
	rounds   [][]canon.Event
	chats    []*canon.Request
	searches []string
	fail     error // WebSearch's answer
	chatErr  map[int]error
}

func (u *upstream) Chat(_ context.Context, req *canon.Request, sink relay.Sink) error {
	n := len(u.chats)
	cp := *req
	u.chats = append(u.chats, &cp)
	if err := u.chatErr[n]; err != nil {
		return err
	}
	if err := sink.Start(relay.Started{Account: "a"}); err != nil {
		return err
	}
	for _, ev := range u.rounds[n] {
		if err := sink.Event(ev); err != nil {
			return err
		}
	}
	return nil
}

func (u *upstream) WebSearch(_ context.Context, _ *canon.Request, q string, _ time.Duration) ([]kiro.SearchResult, error) {
	u.searches = append(u.searches, q)
	if u.fail != nil {
		return nil, u.fail
	}
	return []kiro.SearchResult{{Title: "T " + q, URL: "https://r/" + q, Snippet: "s " + q}}, nil
}

type recorder struct {
	starts int
	events []canon.Event
}

func (r *recorder) Start(relay.Started) error  { r.starts++; return nil }
func (r *recorder) Event(ev canon.Event) error { r.events = append(r.events, ev); return nil }
func (r *recorder) Flush() error               { return nil }
func (r *recorder) kinds() (out []canon.EventKind) {
	for _, ev := range r.events {
		out = append(out, ev.Kind)
	}
	return out
}

func searchCall(id, q string) canon.Event {
	return canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: id, Name: "web_search", Input: []byte(`{"query":"` + q + `"}`)}}
}

func stop(r canon.StopReason) canon.Event { return canon.Event{Kind: canon.EventStop, Stop: r} }

func mixedRequest(maxUses int) *canon.Request {
	return &canon.Request{Model: "m", Messages: []canon.Message{{Role: canon.RoleUser, Content: []canon.Block{{Type: canon.BlockText, Text: "hi"}}}},
		Tools: []canon.Tool{{Name: "Read"}}, ServerTools: []canon.ServerTool{{Type: "web_search_20250305", Name: "web_search", MaxUses: maxUses}}}
}

func TestLoopRunsSearchesUntilTheModelAnswers(t *testing.T) {
	up := &upstream{rounds: [][]canon.Event{
		{text("a"), searchCall("t1", "q1"), searchCall("t2", "q2"), stop(canon.StopToolUse)},
		{searchCall("t3", "q3"), stop(canon.StopToolUse)},
		{text("done [2]"), {Kind: canon.EventUsage, Usage: &canon.Usage{InputTokens: 5, OutputTokens: 2}}, stop(canon.StopEndTurn)},
	}}
	rec := &recorder{}
	require.NoError(t, New(Options{}).Run(context.Background(), mixedRequest(2), rec, up))
	assert.Equal(t, 1, rec.starts)
	assert.Equal(t, []string{"q1", "q2"}, up.searches, "max_uses 2")
	assert.Equal(t, []canon.EventKind{canon.EventText,
		canon.EventServerToolUse, canon.EventServerToolResult, canon.EventServerToolUse, canon.EventServerToolResult,
		canon.EventServerToolUse, canon.EventServerToolResult,
		canon.EventText, canon.EventCitation, canon.EventUsage, canon.EventStop}, rec.kinds())
	assert.Equal(t, ErrMaxUses, rec.events[6].ServerToolResult.ErrorCode)
	assert.Equal(t, "https://r/q2", rec.events[8].Citation.URL, "[2] is the second result shown")
	assert.Equal(t, 2, rec.events[9].Usage.WebSearchRequests)
	assert.Equal(t, canon.StopEndTurn, rec.events[10].Stop)
	require.Len(t, up.chats, 3)
	for _, c := range up.chats {
		assert.Empty(t, c.ServerTools)
		assert.Equal(t, []string{"Read", "web_search"}, []string{c.Tools[0].Name, c.Tools[1].Name})
	}
	second := up.chats[1].Messages
	require.Len(t, second, 3)
	assert.Equal(t, canon.RoleAssistant, second[1].Role)
	assert.Equal(t, "a", second[1].Content[0].Text)
	assert.Equal(t, "t1", second[1].Content[1].ToolUse.ID)
	assert.Equal(t, "t1", second[2].Content[0].ToolResult.ToolUseID)
	assert.Contains(t, canon.TextOf(second[2].Content[1].ToolResult.Content), "[2] T q2")
}

func TestLoopBoundsRounds(t *testing.T) {
	var rounds [][]canon.Event
	for range 10 {
		rounds = append(rounds, []canon.Event{searchCall("t", "q"), stop(canon.StopToolUse)})
	}
	up := &upstream{rounds: rounds}
	rec := &recorder{}
	require.NoError(t, New(Options{}).Run(context.Background(), mixedRequest(1), rec, up))
	assert.Len(t, up.chats, 3, "max_uses 1: one search, one round told the limit, one last answer")
	assert.Equal(t, canon.StopEndTurn, rec.events[len(rec.events)-1].Stop)
}

func TestLoopLateFailureIsAnErrorEvent(t *testing.T) {
	up := &upstream{rounds: [][]canon.Event{{searchCall("t1", "q"), stop(canon.StopToolUse)}},
		chatErr: map[int]error{1: &kiro.UpstreamError{Status: 429, Class: kiro.ClassThrottle, Message: "slow down"}}}
	rec := &recorder{}
	require.NoError(t, New(Options{}).Run(context.Background(), mixedRequest(3), rec, up))
	last := rec.events[len(rec.events)-1]
	require.Equal(t, canon.EventError, last.Kind)
	assert.Equal(t, "overloaded_error", last.Err.Type)
}

// The conversation grown by the search results is too long for the next
// model call: a streaming client gets the error event its compaction keys
// on (canon.ErrContextTooLong, "prompt is too long").
func TestLoopLateTooLongIsContextTooLong(t *testing.T) {
	tooLong := &kiro.UpstreamError{Status: 400, Class: kiro.ClassTooLong, Message: "Input is too long."}
	up := &upstream{rounds: [][]canon.Event{{searchCall("t1", "q"), stop(canon.StopToolUse)}},
		chatErr: map[int]error{1: &relay.Failed{Last: tooLong, Accounts: []string{"A"}, Tries: 1}}}
	rec := &recorder{}
	require.NoError(t, New(Options{}).Run(context.Background(), mixedRequest(3), rec, up))
	last := rec.events[len(rec.events)-1]
	require.Equal(t, canon.EventError, last.Kind)
	assert.Equal(t, canon.ErrContextTooLong, last.Err.Type)
	assert.Equal(t, "prompt is too long: Kiro refused it (Input is too long.)", last.Err.Message)
}

// A non-streaming answer has sent nothing yet: a late failure forgets it
// and is returned, for the handler to answer with its own status.
func TestLoopLateFailureOfAWholeAnswerIsReturned(t *testing.T) {
	throttled := &kiro.UpstreamError{Status: 429, Class: kiro.ClassThrottle, Message: "slow down"}
	up := &upstream{rounds: [][]canon.Event{{text("a"), searchCall("t1", "q"), stop(canon.StopToolUse)}},
		chatErr: map[int]error{1: throttled}}
	sink := &rewinder{}
	err := New(Options{}).Run(context.Background(), mixedRequest(3), sink, up)
	assert.ErrorIs(t, err, throttled)
	assert.Equal(t, 1, sink.rewinds)
	assert.Empty(t, sink.events, "nothing of the broken answer is left to send")
}

func TestLoopFirstFailureIsReturned(t *testing.T) {
	want := errors.New("no account")
	up := &upstream{chatErr: map[int]error{0: want}}
	rec := &recorder{}
	assert.ErrorIs(t, New(Options{}).Run(context.Background(), mixedRequest(3), rec, up), want)
	assert.Zero(t, rec.starts)
}

func TestDedicatedSearchFailureTellsTheModel(t *testing.T) {
	up := &upstream{fail: &kiro.SearchError{Kind: "rpc", Message: "down"}, rounds: [][]canon.Event{{text("sorry"), stop(canon.StopEndTurn)}}}
	req := &canon.Request{Model: "m", Messages: []canon.Message{{Role: canon.RoleUser, Content: []canon.Block{{Type: canon.BlockText, Text: DedicatedPrefix + " q"}}}},
		ServerTools: []canon.ServerTool{{Name: "web_search"}}}
	rec := &recorder{}
	require.NoError(t, New(Options{}).Run(context.Background(), req, rec, up))
	assert.Equal(t, []canon.EventKind{canon.EventServerToolUse, canon.EventServerToolResult, canon.EventText, canon.EventUsage, canon.EventStop}, rec.kinds())
	assert.Equal(t, ErrUnavailable, rec.events[1].ServerToolResult.ErrorCode)
	assert.Contains(t, canon.TextOf(up.chats[0].Messages[0].Content), "web search failed")
	assert.Empty(t, up.chats[0].Tools)
}

// rewinder is a non-streaming client sink.
type rewinder struct {
	recorder
	rewinds int
}

func (r *rewinder) Rewind() bool { r.rewinds++; r.events = nil; r.starts = 0; return true }

func TestRewindOnlyInTheFirstRound(t *testing.T) {
	sink := &rewinder{}
	ex := &exchange{sink: sink, name: "web_search"}
	first := &round{ex: ex, first: true, prelude: []canon.Event{text("p")}, cite: newCiter(&ex.results)}
	require.NoError(t, first.Start(relay.Started{}))
	require.NoError(t, first.Event(text("x")))
	assert.True(t, first.Rewind())
	assert.False(t, ex.started)
	require.NoError(t, first.Start(relay.Started{}))
	assert.Equal(t, []canon.EventKind{canon.EventText}, sink.kinds(), "the prelude is written again after a rewind")

	later := &round{ex: ex, cite: newCiter(&ex.results)}
	assert.False(t, later.Rewind(), "earlier rounds are part of the answer")
	assert.Equal(t, 1, sink.rewinds)
}

func TestDomainLists(t *testing.T) {
	hits := []kiro.SearchResult{{URL: "https://go.dev/doc"}, {URL: "https://blog.go.dev/x"}, {URL: "https://example.com/"}, {URL: "https://notgo.dev/"}}
	urls := func(hs []kiro.SearchResult) (out []string) {
		for _, h := range hs {
			out = append(out, h.URL)
		}
		return out
	}
	assert.Equal(t, urls(hits), urls(domainsOf(nil).filter(hits)))
	assert.Equal(t, []string{"https://go.dev/doc", "https://blog.go.dev/x"},
		urls(domainsOf([]byte(`{"allowed_domains":["https://www.Go.dev/"]}`)).filter(hits)))
	assert.Equal(t, []string{"https://example.com/", "https://notgo.dev/"},
		urls(domainsOf([]byte(`{"blocked_domains":["go.dev"]}`)).filter(hits)))
	assert.Equal(t, []string{"https://go.dev/doc", "https://blog.go.dev/x"},
		urls(domainsOf([]byte(`{"type":"web_search","filters":{"allowed_domains":["go.dev"]}}`)).filter(hits)), "OpenAI's Responses form")
}

func TestClientToolOfTheSameNameWins(t *testing.T) {
	up := &upstream{rounds: [][]canon.Event{{searchCall("t1", "q"), stop(canon.StopToolUse)}}}
	req := mixedRequest(3)
	req.Tools = append(req.Tools, canon.Tool{Name: "web_search"})
	rec := &recorder{}
	require.NoError(t, New(Options{}).Run(context.Background(), req, rec, up))
	assert.Empty(t, up.searches)
	assert.Len(t, up.chats[0].Tools, 2, "the client's tools as sent")
	assert.Equal(t, []canon.EventKind{canon.EventToolUse, canon.EventStop}, rec.kinds(), "the call is the client's")
}
