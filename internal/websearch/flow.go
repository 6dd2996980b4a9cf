package websearch

import (
	"context"
	"encoding/json"
	"slices"

	"kirodesk/internal/canon"
)

// dedicated answers a request that is only a search: the search runs
// before any model call (a failure becomes an error result the model is
// told about), and the model's answer is streamed after the call and its
// results.
func (ex *exchange) dedicated(ctx context.Context, query string) error {
	call, result, forModel, _, err := ex.search(ctx, query)
	if err != nil {
		return err
	}
	chat := *ex.req
	chat.Tools, chat.ToolChoice, chat.ServerTools = nil, nil, nil
	chat.Messages = slices.Clone(ex.req.Messages)
	last := len(chat.Messages) - 1
	prompt := canon.TextOf(chat.Messages[last].Content) + "\n\n" + forModel +
		"\n\nAnswer the request above using these results."
	chat.Messages[last] = canon.Message{Role: canon.RoleUser, Content: []canon.Block{{Type: canon.BlockText, Text: prompt}}}
	rd := &round{ex: ex, first: true, prelude: []canon.Event{call, result}, cite: newCiter(&ex.results)}
	if err := ex.up.Chat(ctx, &chat, rd); err != nil {
		return err // nothing was sent: the handler answers with a status
	}
	return ex.end(rd)
}

// end finishes the response after its last round.
func (ex *exchange) end(rd *round) error {
	if rd.failed {
		return nil // the error event ended the response
	}
	ex.addUsage(rd.usage)
	stop := rd.stop
	if rd.others {
		stop = canon.StopToolUse
	} else if stop == canon.StopToolUse || stop == "" {
		stop = canon.StopEndTurn // the only calls were searches, never shown as tool calls
	}
	return ex.finish(stop)
}

// maxRounds bounds the model calls of one response, whatever the model
// asks: max_uses searches, one round told the limit is reached, one answer.
func (ex *exchange) maxRounds() int { return ex.maxUses + 2 }

// loop declares web search to Kiro as an ordinary tool and runs each call
// the model makes, calling the model again with the results, until it
// answers without searching (or calls an ordinary tool, which the client
// runs).
func (ex *exchange) loop(ctx context.Context) error {
	conv := *ex.req
	conv.Tools = append(slices.Clone(ex.req.Tools), ex.toolSpec())
	conv.ServerTools = nil // run here, not by Kiro
	conv.Messages = slices.Clone(ex.req.Messages)
	cite := newCiter(&ex.results)
	for n := 0; ; n++ {
		rd := &round{ex: ex, first: n == 0, cite: cite.reset()}
		if err := ex.up.Chat(ctx, &conv, rd); err != nil {
			if !ex.started || ctx.Err() != nil {
				return err // before the first byte: the handler answers with a status
			}
			return ex.failLate(err)
		}
		if rd.failed || rd.others || len(rd.searches) == 0 || n+1 >= ex.maxRounds() {
			return ex.end(rd)
		}
		ex.addUsage(rd.usage)
		if err := ex.runSearches(ctx, &conv, rd); err != nil {
			return err
		}
	}
}

// runSearches runs a round's search calls, shows them to the client and
// appends them with their results to the conversation.
func (ex *exchange) runSearches(ctx context.Context, conv *canon.Request, rd *round) error {
	var said []canon.Block
	if t := rd.text.String(); t != "" {
		said = append(said, canon.Block{Type: canon.BlockText, Text: t})
	}
	var answers []canon.Block
	for _, tu := range rd.searches {
		var in struct {
			Query string `json:"query"`
		}
		_ = json.Unmarshal(tu.Input, &in) // a bad input is an empty query: invalid_tool_input
		call, result, forModel, isErr, err := ex.search(ctx, in.Query)
		if err != nil {
			return err
		}
		if err := ex.sink.Event(call); err != nil {
			return err
		}
		if err := ex.sink.Event(result); err != nil {
			return err
		}
		said = append(said, canon.Block{Type: canon.BlockToolUse, ToolUse: &tu})
		answers = append(answers, canon.Block{Type: canon.BlockToolResult, ToolResult: &canon.ToolResult{
			ToolUseID: tu.ID, IsError: isErr, Content: []canon.Block{{Type: canon.BlockText, Text: forModel}}}})
	}
	if err := ex.sink.Flush(); err != nil {
		return err
	}
	conv.Messages = append(conv.Messages,
		canon.Message{Role: canon.RoleAssistant, Content: said},
		canon.Message{Role: canon.RoleUser, Content: answers})
	return nil
}
