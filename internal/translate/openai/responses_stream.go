package openai

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/tooldecl"
	"kirodesk/internal/translate/wire"
)

// ResponsesStart is what a streamed Responses answer needs before the first
// event.
type ResponsesStart struct {
	ID      string // "resp_...", the response id; item ids are derived from it
	Model   string
	Created int64 // Unix seconds, created_at
	// InputTokens is the local estimate reported as input_tokens when the
	// upstream sent no usage.
	InputTokens int
	// Tools is ResponsesOptions.Tools: how each tool call goes back
	// (namespaced function_call, custom_tool_call, local_shell_call).
	Tools tooldecl.Origins
}

// ResponsesWriter writes a canon.Event sequence as a Responses API stream of
// server-sent events, each "event: TYPE\ndata: JSON\n\n" with the type
// repeated in the data and a sequence_number counted from 0:
//
//	response.created, response.in_progress                       -- Start
//	per output item, in order:
//	  reasoning (thinking): output_item.added, reasoning_summary_part.added,
//	    reasoning_summary_text.delta*, reasoning_summary_text.done,
//	    reasoning_summary_part.done, output_item.done
//	  message (text): output_item.added, content_part.added,
//	    output_text.delta*, output_text.done, content_part.done,
//	    output_item.done
//	  function_call: output_item.added (arguments ""),
//	    function_call_arguments.delta (the whole JSON),
//	    function_call_arguments.done, output_item.done
//	response.completed, or response.incomplete after max_tokens  -- EventStop
//
// or, on EventError, error followed by response.failed. There is no [DONE]
// in this API. An item stays open while deltas of its kind arrive and is
// closed when another kind (or the stop) comes. Thinking goes out as a
// reasoning item's summary_text, which is what Codex and the SDKs display;
// its signature has no place here and is dropped (encrypted_content is not
// sent, so nothing invalid comes back in later requests).
//
// Every event is flushed as soon as it is written. Being a wire.Stream
// (a canon.Walker over this format's renderer) gives it Start
// (response.created and response.in_progress, called once the upstream has
// answered), Ping (an SSE comment) and Write: safe for concurrent use, the
// first write error sticky.
type ResponsesWriter = wire.Stream[responsesRenderer, *responsesRenderer]

// NewResponsesWriter returns a writer that sends events to w and calls flush
// (if not nil) after each one.
func NewResponsesWriter(w io.Writer, flush func(), start ResponsesStart) *ResponsesWriter {
	return wire.NewStream(responsesRenderer{start: start, search: -1}, w, flush, "openai", ErrStreamEnded)
}

// responsesRenderer is the canon.Renderer of Responses events.
type responsesRenderer struct {
	wire.SSE // what it writes through; its Broken is the Renderer's
	start    ResponsesStart
	seq      int
	output   []outputItemJSON // closed items, in order
	open     *outputItemJSON  // the item receiving deltas, if any
	text     strings.Builder  // the open item's text so far
	// annots are the open message's url_citation annotations; cited is
	// the rune offset where the last one ended (web search, responses_search.go).
	annots []any
	cited  int
	search int // output index of the web_search_call awaiting its result, -1 if none
}

func (rw *responsesRenderer) Ping() error { return rw.Raw(pingComment) }

func (rw *responsesRenderer) Begin() error {
	resp := rw.response("in_progress")
	if err := rw.event(&responseEventJSON{eventHead: eventHead{Type: "response.created"}, Response: resp}); err != nil {
		return err
	}
	return rw.event(&responseEventJSON{eventHead: eventHead{Type: "response.in_progress"}, Response: resp})
}

func (rw *responsesRenderer) Text(text string) error { return rw.textDelta("message", text) }

func (rw *responsesRenderer) Thinking(text, _ string) error {
	if text == "" {
		return nil
	}
	return rw.textDelta("reasoning", text)
}

// response is the response object as it stands, with status and usage set
// by the caller.
func (rw *responsesRenderer) response(status string) *responseJSON {
	return &responseJSON{
		ID: rw.start.ID, Object: "response", CreatedAt: rw.start.Created, Status: status,
		Model: rw.start.Model, Output: append([]outputItemJSON{}, rw.output...),
		ParallelToolCalls: true, Reasoning: reasoningConfigJSON{}, Text: textConfigJSON{Format: formatJSON{Type: "text"}},
		Truncation: "disabled", Metadata: map[string]string{},
	}
}

func (rw *responsesRenderer) textDelta(kind, delta string) error {
	if rw.open != nil && rw.open.Type != kind {
		if err := rw.closeItem("completed"); err != nil {
			return err
		}
	}
	idx := len(rw.output)
	if rw.open == nil {
		item := &outputItemJSON{ID: itemID(kind, rw.start.ID, idx), Type: kind}
		if kind == "message" {
			item.Status, item.Role, item.Content = "in_progress", "assistant", []contentPartJSON{}
		} else {
			item.Summary = []contentPartJSON{}
		}
		rw.open = item
		rw.text.Reset()
		if err := rw.event(&itemEventJSON{eventHead: eventHead{Type: "response.output_item.added"}, OutputIndex: idx, Item: item}); err != nil {
			return err
		}
		if kind == "message" {
			err := rw.event(&partEventJSON{eventHead: eventHead{Type: "response.content_part.added"}, partPos: inPart("message", item.ID, idx), Part: outputText("")})
			if err != nil {
				return err
			}
		} else {
			err := rw.event(&partEventJSON{eventHead: eventHead{Type: "response.reasoning_summary_part.added"}, partPos: inPart("reasoning", item.ID, idx), Part: summaryText("")})
			if err != nil {
				return err
			}
		}
	}
	rw.text.WriteString(delta)
	if kind == "message" {
		return rw.event(&textEventJSON{eventHead: eventHead{Type: "response.output_text.delta"}, partPos: inPart("message", rw.open.ID, idx), Delta: &delta, Logprobs: []any{}})
	}
	return rw.event(&textEventJSON{eventHead: eventHead{Type: "response.reasoning_summary_text.delta"}, partPos: inPart("reasoning", rw.open.ID, idx), Delta: &delta})
}

// closeItem finishes the open item with the given status.
func (rw *responsesRenderer) closeItem(status string) error {
	item := rw.open
	if item == nil {
		return nil
	}
	rw.open = nil
	idx := len(rw.output)
	text := rw.text.String()
	rw.text.Reset()
	if item.Type == "message" {
		part := outputText(text)
		if len(rw.annots) > 0 {
			part.Annotations = rw.annots
		}
		rw.annots, rw.cited = nil, 0
		item.Status, item.Content = status, []contentPartJSON{part}
		rw.output = append(rw.output, *item)
		if err := rw.event(&textEventJSON{eventHead: eventHead{Type: "response.output_text.done"}, partPos: inPart("message", item.ID, idx), Text: &text, Logprobs: []any{}}); err != nil {
			return err
		}
		if err := rw.event(&partEventJSON{eventHead: eventHead{Type: "response.content_part.done"}, partPos: inPart("message", item.ID, idx), Part: part}); err != nil {
			return err
		}
	} else {
		part := summaryText(text)
		item.Summary = []contentPartJSON{part}
		rw.output = append(rw.output, *item)
		if err := rw.event(&textEventJSON{eventHead: eventHead{Type: "response.reasoning_summary_text.done"}, partPos: inPart("reasoning", item.ID, idx), Text: &text}); err != nil {
			return err
		}
		if err := rw.event(&partEventJSON{eventHead: eventHead{Type: "response.reasoning_summary_part.done"}, partPos: inPart("reasoning", item.ID, idx), Part: part}); err != nil {
			return err
		}
	}
	return rw.event(&itemEventJSON{eventHead: eventHead{Type: "response.output_item.done"}, OutputIndex: idx, Item: item})
}

func (rw *responsesRenderer) ToolUse(tu *canon.ToolUse) error {
	if err := rw.closeItem("completed"); err != nil {
		return err
	}
	idx := len(rw.output)
	done, err := callItem(tu, rw.start.ID, idx, rw.start.Tools)
	if err != nil {
		return err
	}
	added := done
	added.Status = "in_progress"
	var deltaType, doneType string
	var payload string
	switch done.Type {
	case "function_call":
		empty := ""
		added.Arguments, payload = &empty, *done.Arguments
		deltaType, doneType = "response.function_call_arguments.delta", "response.function_call_arguments.done"
	case "custom_tool_call":
		empty := ""
		added.Input, payload = &empty, *done.Input
		deltaType, doneType = "response.custom_tool_call_input.delta", "response.custom_tool_call_input.done"
	}
	if err := rw.event(&itemEventJSON{eventHead: eventHead{Type: "response.output_item.added"}, OutputIndex: idx, Item: &added}); err != nil {
		return err
	}
	if deltaType != "" {
		if err := rw.event(&textEventJSON{eventHead: eventHead{Type: deltaType}, partPos: partPos{ItemID: done.ID, OutputIndex: idx}, Delta: &payload}); err != nil {
			return err
		}
		ev := &textEventJSON{eventHead: eventHead{Type: doneType}, partPos: partPos{ItemID: done.ID, OutputIndex: idx}}
		if done.Type == "function_call" {
			ev.Name, ev.Arguments = done.Name, &payload
		} else {
			ev.Input = &payload
		}
		if err := rw.event(ev); err != nil {
			return err
		}
	}
	rw.output = append(rw.output, done)
	return rw.event(&itemEventJSON{eventHead: eventHead{Type: "response.output_item.done"}, OutputIndex: idx, Item: &done})
}

// callItem is the finished output item of a tool call, in the form its
// tool was declared in: a function_call (with its namespace, for a
// flattened namespace member), a custom_tool_call carrying the raw input,
// or a local_shell_call with an exec action.
func callItem(tu *canon.ToolUse, respID string, idx int, tools tooldecl.Origins) (outputItemJSON, error) {
	og := tools.Of(tu.Name)
	switch og.Kind {
	case tooldecl.KindCustom:
		in := tooldecl.CustomInputOf(tu.Input)
		return outputItemJSON{ID: itemID("custom_tool_call", respID, idx), Type: "custom_tool_call", Status: "completed",
			CallID: tu.ID, Name: og.Name, Namespace: og.Namespace, Input: &in}, nil
	case tooldecl.KindLocalShell:
		a := tooldecl.LocalShellActionOf(tu.Input)
		return outputItemJSON{ID: itemID("local_shell_call", respID, idx), Type: "local_shell_call", Status: "completed",
			CallID: tu.ID, Action: &a}, nil
	}
	args, err := toolArguments(tu.Input)
	if err != nil {
		return outputItemJSON{}, fmt.Errorf("openai: tool call %s: %w", tu.ID, err)
	}
	return outputItemJSON{ID: itemID("function_call", respID, idx), Type: "function_call", Status: "completed",
		Arguments: &args, CallID: tu.ID, Name: og.Name, Namespace: og.Namespace}, nil
}

func (rw *responsesRenderer) End(reason canon.StopReason, usage *canon.Usage, _ bool) error {
	status, typ := "completed", "response.completed"
	if reason == canon.StopMaxTokens {
		status, typ = "incomplete", "response.incomplete"
	}
	if err := rw.closeItem(status); err != nil {
		return err
	}
	resp := rw.response(status)
	if status == "incomplete" {
		resp.IncompleteDetails = &incompleteDetailsJSON{Reason: "max_output_tokens"}
	}
	u := canon.Usage{}
	if usage != nil {
		u = *usage
	}
	ru := responsesUsageOf(u, rw.start.InputTokens)
	resp.Usage = &ru
	return rw.event(&responseEventJSON{eventHead: eventHead{Type: typ}, Response: resp})
}

func (rw *responsesRenderer) Fail(errType, msg string) error {
	code := responsesErrorCode(errType)
	if err := rw.event(&errorEventJSON{eventHead: eventHead{Type: "error"}, Code: code, Message: msg}); err != nil {
		return err
	}
	resp := rw.response("failed")
	if rw.open != nil {
		// The item cut short goes into the failed response as it stood.
		item := *rw.open
		text := rw.text.String()
		item.Status = "incomplete"
		if item.Type == "message" {
			item.Content = []contentPartJSON{outputText(text)}
		} else {
			item.Status, item.Summary = "", []contentPartJSON{summaryText(text)}
		}
		resp.Output = append(resp.Output, item)
	}
	resp.Error = &responseErrorJSON{Code: code, Message: msg}
	return rw.event(&responseEventJSON{eventHead: eventHead{Type: "response.failed"}, Response: resp})
}

// event writes "event: TYPE\ndata: JSON\n\n", numbering it, and flushes.
func (rw *responsesRenderer) event(ev sequenced) error {
	ev.setSeq(rw.seq)
	rw.seq++
	return rw.Event(ev.eventType(), ev)
}

// MarshalResponsesResponse renders a whole answer as the non-streaming
// Responses API response object, the same one ResponsesWriter sends in
// response.completed (or response.incomplete after max_tokens): each run of
// text becomes a message item with one output_text part, each thinking block
// a reasoning item with one summary_text part, each tool call a
// function_call item. output_text, the SDKs' convenience property, is not
// part of the wire format and is not sent. inputEstimate is reported as
// input_tokens when r.Usage has no input count. tools (ResponsesOptions.Tools)
// gives the form of each tool call, as for ResponsesStart.Tools.
func MarshalResponsesResponse(r *canon.Response, created int64, inputEstimate int, tools tooldecl.Origins) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("openai: nil response")
	}
	status := "completed"
	if r.Stop == canon.StopMaxTokens {
		status = "incomplete"
	}
	rw := &responsesRenderer{start: ResponsesStart{ID: r.ID, Model: r.Model, Created: created}}
	for i, b := range r.Content {
		idx := len(rw.output)
		switch b.Type {
		case canon.BlockText:
			part := outputText(b.Text)
			if len(b.Citations) > 0 {
				part.Annotations = urlCitations(b.Citations)
			}
			rw.output = append(rw.output, outputItemJSON{
				ID: itemID("message", r.ID, idx), Type: "message", Status: "completed", Role: "assistant",
				Content: []contentPartJSON{part},
			})
		case canon.BlockServerToolUse:
			if b.ServerToolUse == nil {
				return nil, fmt.Errorf("openai: content[%d]: server tool block without ServerToolUse", i)
			}
			status := "completed"
			if i+1 < len(r.Content) && r.Content[i+1].ServerToolResult != nil && r.Content[i+1].ServerToolResult.ErrorCode != "" {
				status = "failed"
			}
			rw.output = append(rw.output, searchItem(b.ServerToolUse, r.ID, idx, status))
		case canon.BlockServerToolResult:
			// Its outcome is the web_search_call's status; the results
			// themselves have no place in a Responses answer.
		case canon.BlockThinking:
			if b.Thinking == nil {
				return nil, fmt.Errorf("openai: content[%d]: thinking block without Thinking", i)
			}
			rw.output = append(rw.output, outputItemJSON{
				ID: itemID("reasoning", r.ID, idx), Type: "reasoning", Summary: []contentPartJSON{summaryText(b.Thinking.Text)},
			})
		case canon.BlockToolUse:
			if b.ToolUse == nil {
				return nil, fmt.Errorf("openai: content[%d]: tool_use block without ToolUse", i)
			}
			item, err := callItem(b.ToolUse, r.ID, idx, tools)
			if err != nil {
				return nil, fmt.Errorf("openai: content[%d]: %w", i, err)
			}
			rw.output = append(rw.output, item)
		default:
			return nil, fmt.Errorf("openai: content[%d]: %q blocks cannot appear in a response", i, b.Type)
		}
	}
	// As in the stream, the item the token limit cut short is incomplete.
	if n := len(rw.output); status == "incomplete" && n > 0 && rw.output[n-1].Type == "message" {
		rw.output[n-1].Status = "incomplete"
	}
	resp := rw.response(status)
	if status == "incomplete" {
		resp.IncompleteDetails = &incompleteDetailsJSON{Reason: "max_output_tokens"}
	}
	u := responsesUsageOf(r.Usage, inputEstimate)
	resp.Usage = &u
	return wire.Marshal(resp)
}

// itemID derives an output item's id from the response id and the item's
// output_index, with OpenAI's prefixes: msg_, rs_, fc_.
func itemID(kind, respID string, idx int) string {
	prefix := map[string]string{"message": "msg_", "reasoning": "rs_", "function_call": "fc_",
		"custom_tool_call": "ctc_", "local_shell_call": "lsh_", "web_search_call": "ws_"}[kind]
	base := strings.TrimPrefix(respID, "resp_")
	if base == "" {
		base = "0"
	}
	return prefix + base + "_" + strconv.Itoa(idx)
}

// responsesUsageOf renders canon usage the Responses way: input_tokens
// counts the whole input, cached parts included; reasoning tokens are not
// reported apart by Kiro and are 0.
func responsesUsageOf(u canon.Usage, inputEstimate int) responsesUsageJSON {
	cu := usageOf(u, inputEstimate)
	return responsesUsageJSON{
		InputTokens:         cu.PromptTokens,
		InputTokensDetails:  inputTokensDetailsJSON{CachedTokens: cu.PromptTokensDetails.CachedTokens},
		OutputTokens:        cu.CompletionTokens,
		OutputTokensDetails: outputTokensDetailsJSON{},
		TotalTokens:         cu.TotalTokens,
	}
}

// responsesErrorCode maps canon's error types to the codes of a Responses
// error (response.error.code and the error event's code).
func responsesErrorCode(t string) string {
	switch t {
	case "api_error", "overloaded_error":
		return "server_error"
	case "rate_limit_error":
		return "rate_limit_exceeded"
	case canon.ErrContextTooLong:
		return canon.ErrContextTooLong // Codex compacts on this code
	}
	return t
}

func zero() *int { z := 0; return &z }

func outputText(text string) contentPartJSON {
	return contentPartJSON{Type: "output_text", Text: text, Annotations: []any{}, Logprobs: []any{}}
}

func summaryText(text string) contentPartJSON {
	return contentPartJSON{Type: "summary_text", Text: text}
}
