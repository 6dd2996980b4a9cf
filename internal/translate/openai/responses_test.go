package openai

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/transtest"
)

const pngURL = "data:image/png;base64,iVBORw0KGgo="

func TestParseResponsesStringInput(t *testing.T) {
	r, _, err := ParseResponsesRequest([]byte(`{"model":"claude-sonnet-4-5","input":"Hi","instructions":"Be brief.","stream":true,
		"max_output_tokens":100,"reasoning":{"effort":"minimal","summary":"auto"},"prompt_cache_key":"conv_1","store":false,
		"parallel_tool_calls":false,"temperature":0.2,"top_p":1,"truncation":"disabled","metadata":{"a":"b"},
		"include":["reasoning.encrypted_content"],"text":{"format":{"type":"text"},"verbosity":"low"}}`), ParseOptions{})
	require.NoError(t, err)
	assert.Equal(t, &canon.Request{
		Model: "claude-sonnet-4-5", System: "Be brief.",
		Messages:  []canon.Message{{Role: canon.RoleUser, Content: []canon.Block{{Type: canon.BlockText, Text: "Hi"}}}},
		MaxTokens: 100, Stream: true, Thinking: &canon.Thinking{Mode: "adaptive", Effort: "low"}, ConversationKey: "conv_1",
	}, r)
}

func TestParseResponsesItems(t *testing.T) {
	body := `{"model":"m","instructions":"Inst.","input":[
		{"role":"developer","content":"Dev."},
		{"type":"message","role":"system","content":[{"type":"input_text","text":"Sys."}]},
		{"type":"message","role":"user","content":[{"type":"input_text","text":"Look"},{"type":"input_image","image_url":"` + pngURL + `","detail":"low"}]},
		{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"thinking"}],"encrypted_content":"xyz"},
		{"type":"message","role":"assistant","id":"msg_1","status":"completed","content":[{"type":"output_text","text":"Reading.","annotations":[]}]},
		{"type":"function_call","id":"fc_1","call_id":"call_a","name":"Read","arguments":"{\"path\": \"a\"}","status":"completed"},
		{"type":"function_call","call_id":"call_b","name":"Read","arguments":""},
		{"type":"function_call_output","call_id":"call_a","output":"A"},
		{"type":"function_call_output","call_id":"call_b","output":[{"type":"input_text","text":"B"},{"type":"input_image","image_url":"` + pngURL + `"}]},
		{"role":"user","content":"Next?"},
		{"type":"reasoning","summary":[]}
	],"tools":[{"type":"function","name":"Read","description":"Read a file","parameters":{"type":"object","properties":{"path":{"type":"string"}}},"strict":true},
		{"type":"function","name":"Noop","parameters":null}],
	"tool_choice":{"type":"function","name":"Read"}}`
	r, _, err := ParseResponsesRequest([]byte(body), ParseOptions{})
	require.NoError(t, err)
	assert.Equal(t, "Inst.\n\nDev.\n\nSys.", r.System)
	require.Len(t, r.Messages, 4)

	u := r.Messages[0]
	assert.Equal(t, canon.RoleUser, u.Role)
	require.Len(t, u.Content, 2)
	assert.Equal(t, "Look", u.Content[0].Text)
	assert.Equal(t, &canon.Image{MediaType: "image/png", Data: "iVBORw0KGgo="}, u.Content[1].Image)

	a := r.Messages[1]
	assert.Equal(t, canon.RoleAssistant, a.Role)
	require.Len(t, a.Content, 4, "reasoning, message and both calls share one assistant turn")
	assert.Equal(t, &canon.ThinkingBlock{Text: "thinking"}, a.Content[0].Thinking)
	assert.Equal(t, "Reading.", a.Content[1].Text)
	assert.Equal(t, &canon.ToolUse{ID: "call_a", Name: "Read", Input: json.RawMessage(`{"path":"a"}`)}, a.Content[2].ToolUse)
	assert.Equal(t, &canon.ToolUse{ID: "call_b", Name: "Read", Input: json.RawMessage(`{}`)}, a.Content[3].ToolUse)

	tr := r.Messages[2]
	assert.Equal(t, canon.RoleUser, tr.Role)
	require.Len(t, tr.Content, 2, "consecutive outputs share one user turn")
	assert.Equal(t, "call_a", tr.Content[0].ToolResult.ToolUseID)
	assert.Equal(t, "A", canon.TextOf(tr.Content[0].ToolResult.Content))
	assert.Equal(t, "call_b", tr.Content[1].ToolResult.ToolUseID)
	require.Len(t, tr.Content[1].ToolResult.Content, 2)
	assert.Equal(t, canon.BlockImage, tr.Content[1].ToolResult.Content[1].Type)

	assert.Equal(t, []canon.Block{{Type: canon.BlockText, Text: "Next?"}}, r.Messages[3].Content, "an empty reasoning item is dropped")

	require.Len(t, r.Tools, 2)
	assert.Equal(t, "Read a file", r.Tools[0].Description)
	assert.JSONEq(t, `{"type":"object","properties":{"path":{"type":"string"}}}`, string(r.Tools[0].InputSchema))
	assert.Equal(t, emptySchema, r.Tools[1].InputSchema)
	assert.Equal(t, &canon.ToolChoice{Type: "tool", Name: "Read"}, r.ToolChoice)
}

func TestParseResponsesTextFormatAndChoice(t *testing.T) {
	r, _, err := ParseResponsesRequest([]byte(`{"model":"m","input":"x","tools":[{"type":"function","name":"f"}],"tool_choice":"required",
		"text":{"format":{"type":"json_schema","name":"out","schema":{"type":"object"},"strict":true}},"reasoning":{"effort":"none"}}`), ParseOptions{})
	require.NoError(t, err)
	assert.Equal(t, &canon.ToolChoice{Type: "any"}, r.ToolChoice)
	assert.Nil(t, r.Thinking)
	assert.Contains(t, r.System, `named out`)
	assert.Contains(t, r.System, `{"type":"object"}`)
}

func TestParseResponsesBadRequests(t *testing.T) {
	cases := []struct {
		name, body, param, msg string
	}{
		{"not json", `{"model":`, "", "invalid JSON"},
		{"not an object", `[]`, "", "expected a JSON object"},
		{"no model", `{"input":"x"}`, "model", "field required"},
		{"no input", `{"model":"m"}`, "input", "field required"},
		{"empty input", `{"model":"m","input":""}`, "input", "must not be empty"},
		{"empty item list", `{"model":"m","input":[]}`, "input", "at least one input item"},
		{"input number", `{"model":"m","input":3}`, "input", "a string or an array"},
		{"only system", `{"model":"m","input":[{"role":"system","content":"s"}]}`, "input", "besides system messages"},
		{"previous_response_id", `{"model":"m","input":"x","previous_response_id":"resp_1"}`, "previous_response_id", "send the whole conversation"},
		{"conversation", `{"model":"m","input":"x","conversation":"conv_1"}`, "conversation", "not supported"},
		{"background", `{"model":"m","input":"x","background":true}`, "background", "not supported"},
		{"bad tool name", `{"model":"m","input":"x","tools":[{"type":"function","name":"a b"}]}`, "tools[0].name", "not a valid function name"},
		{"duplicate tool", `{"model":"m","input":"x","tools":[{"type":"function","name":"a"},{"type":"function","name":"a"}]}`, "tools[1].name", "duplicate"},
		{"tool_choice unknown fn", `{"model":"m","input":"x","tools":[{"type":"function","name":"a"}],"tool_choice":{"type":"function","name":"b"}}`, "tool_choice.name", "not one of the functions"},
		{"required without tools", `{"model":"m","input":"x","tool_choice":"required"}`, "tool_choice", "needs at least one tool"},
		{"bad role", `{"model":"m","input":[{"role":"tool","content":"x"}]}`, "input[0].role", "not a valid role"},
		{"item_reference", `{"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}`, "input[0].type", "item references are not supported"},
		{"call without call_id", `{"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]}`, "input[0].call_id", "field required"},
		{"call bad arguments", `{"model":"m","input":[{"type":"function_call","call_id":"c","name":"f","arguments":"[1]"}]}`, "input[0].arguments", "must be a JSON object"},
		{"output without output", `{"model":"m","input":[{"type":"function_call_output","call_id":"c"}]}`, "input[0].output", "field required"},
		{"remote image", `{"model":"m","input":[{"role":"user","content":[{"type":"input_image","image_url":"https://x/y.png"}]}]}`, "input[0].content[0].image_url", "remote image URLs are not fetched"},
		{"image file_id", `{"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"file_1"}]}]}`, "input[0].content[0].file_id", "uploaded files"},
		{"bad data url", `{"model":"m","input":[{"role":"user","content":[{"type":"input_image","image_url":"data:text/plain;base64,aGk="}]}]}`, "input[0].content[0].image_url", "not supported"},
		{"input_file", `{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}`, "input[0].content[0].type", "file inputs are not supported"},
		{"output_text in user", `{"model":"m","input":[{"role":"user","content":[{"type":"output_text","text":"x"}]}]}`, "input[0].content[0].type", "not allowed here"},
		{"empty user", `{"model":"m","input":[{"role":"user","content":[]}]}`, "input[0].content", "must not be empty"},
		{"max_output_tokens zero", `{"model":"m","input":"x","max_output_tokens":0}`, "max_output_tokens", "at least 1"},
		{"max_output_tokens string", `{"model":"m","input":"x","max_output_tokens":"5"}`, "max_output_tokens", "expected an integer"},
		{"bad effort", `{"model":"m","input":"x","reasoning":{"effort":"max"}}`, "reasoning.effort", "not valid"},
		{"bad text format", `{"model":"m","input":"x","text":{"format":{"type":"yaml"}}}`, "text.format.type", "not valid"},
		{"bad truncation", `{"model":"m","input":"x","truncation":"middle"}`, "truncation", "not valid"},
		{"temperature range", `{"model":"m","input":"x","temperature":3}`, "temperature", "between"},
		{"stream type", `{"model":"m","input":"x","stream":"yes"}`, "stream", "a boolean"},
		{"top_logprobs", `{"model":"m","input":"x","top_logprobs":2}`, "top_logprobs", "not available"},
	}
	require.GreaterOrEqual(t, len(cases), 15)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ParseResponsesRequest([]byte(c.body), ParseOptions{})
			var re *RequestError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, c.param, re.Param)
			assert.Contains(t, re.Message, c.msg)
			if c.param != "" {
				assert.True(t, strings.HasPrefix(re.Message, c.param+": "), "message %q names the field", re.Message)
			}
		})
	}
}

// sseEvent is one parsed event of a Responses stream.
type sseEvent struct {
	Name string
	Data map[string]any
	Raw  string
}

func parseSSE(t *testing.T, s string) []sseEvent {
	t.Helper()
	var out []sseEvent
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, 1<<20)
	var cur sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			cur.Name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.Raw = strings.TrimPrefix(line, "data: ")
			require.NoError(t, json.Unmarshal([]byte(cur.Raw), &cur.Data))
		case strings.HasPrefix(line, ":"):
		case line == "":
			if cur.Name != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		default:
			t.Fatalf("unexpected SSE line %q", line)
		}
	}
	require.Empty(t, cur.Name, "the stream ends with a blank line")
	return out
}

func names(evs []sseEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Name
	}
	return out
}

func textEv(s string) canon.Event  { return canon.Event{Kind: canon.EventText, Text: s} }
func thinkEv(s string) canon.Event { return canon.Event{Kind: canon.EventThinking, Text: s} }
func stopEv(r canon.StopReason) canon.Event {
	return canon.Event{Kind: canon.EventStop, Stop: r}
}
func toolEv(id, name, input string) canon.Event {
	return canon.Event{Kind: canon.EventToolUse, ToolUse: &canon.ToolUse{ID: id, Name: name, Input: json.RawMessage(input)}}
}
func usageEv(in, out, cached int) canon.Event {
	return canon.Event{Kind: canon.EventUsage, Usage: &canon.Usage{InputTokens: in, OutputTokens: out, CacheReadInputTokens: cached}}
}

var testStart = ResponsesStart{ID: "resp_t1", Model: "claude-sonnet-4-5", Created: 1700000000, InputTokens: 42}

// runWriter plays events through a ResponsesWriter and returns the SSE text.
func runWriter(t *testing.T, evs []canon.Event) string {
	t.Helper()
	var buf bytes.Buffer
	flushes := 0
	w := NewResponsesWriter(&buf, func() { flushes++ }, testStart)
	require.NoError(t, w.Ping(), "ping before start")
	assert.Empty(t, buf.String(), "nothing is written before Start")
	for _, ev := range evs {
		require.NoError(t, w.Write(ev))
	}
	assert.ErrorIs(t, w.Write(textEv("late")), ErrStreamEnded)
	assert.ErrorIs(t, w.Ping(), ErrStreamEnded)
	assert.Equal(t, strings.Count(buf.String(), "\n\n"), flushes, "every event is flushed")
	return buf.String()
}

// checkSequence checks the invariants every stream keeps: data type equals
// the event name, sequence numbers count from 0.
func checkSequence(t *testing.T, evs []sseEvent) {
	t.Helper()
	for i, e := range evs {
		assert.Equal(t, e.Name, e.Data["type"], "event %d", i)
		assert.EqualValues(t, i, e.Data["sequence_number"], "event %d", i)
	}
}

var (
	openEvents     = []string{"response.created", "response.in_progress"}
	messageEvents  = []string{"response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done"}
	toolEvents     = []string{"response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done"}
	reasoningEvent = []string{"response.output_item.added", "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done"}
)

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestResponsesWriterText(t *testing.T) {
	evs := parseSSE(t, runWriter(t, []canon.Event{textEv("Hello, "), textEv("world"), usageEv(10, 5, 3), stopEv(canon.StopEndTurn)}))
	checkSequence(t, evs)
	assert.Equal(t, concat(openEvents, messageEvents, []string{"response.completed"}), names(evs))
	created := evs[0].Data["response"].(map[string]any)
	assert.Equal(t, "in_progress", created["status"])
	assert.Equal(t, "resp_t1", created["id"])
	assert.Equal(t, []any{}, created["output"])
	assert.Equal(t, "msg_t1_0", evs[2].Data["item"].(map[string]any)["id"])
	assert.Equal(t, "in_progress", evs[2].Data["item"].(map[string]any)["status"])
	for _, e := range evs[3:8] { // content_part.added .. content_part.done
		assert.Equal(t, "msg_t1_0", e.Data["item_id"])
		assert.EqualValues(t, 0, e.Data["output_index"])
		assert.EqualValues(t, 0, e.Data["content_index"])
	}
	assert.Equal(t, "world", evs[5].Data["delta"])
	assert.Equal(t, "Hello, world", evs[6].Data["text"])
	assert.JSONEq(t, `{"id":"resp_t1","object":"response","created_at":1700000000,"status":"completed","background":false,"error":null,
		"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"claude-sonnet-4-5",
		"output":[{"id":"msg_t1_0","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello, world","annotations":[],"logprobs":[]}]}],
		"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":false,"text":{"format":{"type":"text"}},
		"truncation":"disabled","metadata":{},
		"usage":{"input_tokens":13,"input_tokens_details":{"cached_tokens":3},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":18}}`,
		mustJSON(t, evs[len(evs)-1].Data["response"]))
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestResponsesWriterTextThenTool(t *testing.T) {
	evs := parseSSE(t, runWriter(t, []canon.Event{thinkEv("hmm"), textEv("Let me "), textEv("read."), toolEv("call_1", "Read", `{"path": "a"}`), stopEv(canon.StopToolUse)}))
	checkSequence(t, evs)
	assert.Equal(t, concat(openEvents, reasoningEvent, messageEvents, toolEvents, []string{"response.completed"}), names(evs))
	added := evs[2+6+7]
	assert.EqualValues(t, 2, added.Data["output_index"])
	assert.Equal(t, map[string]any{"id": "fc_t1_2", "type": "function_call", "status": "in_progress", "arguments": "", "call_id": "call_1", "name": "Read"}, added.Data["item"])
	assert.Equal(t, `{"path":"a"}`, evs[2+6+7+1].Data["delta"])
	assert.Equal(t, `{"path":"a"}`, evs[2+6+7+2].Data["arguments"])
	final := evs[len(evs)-1].Data["response"].(map[string]any)
	out := final["output"].([]any)
	require.Len(t, out, 3)
	assert.Equal(t, "reasoning", out[0].(map[string]any)["type"])
	assert.Equal(t, []any{map[string]any{"type": "summary_text", "text": "hmm"}}, out[0].(map[string]any)["summary"])
	assert.Equal(t, "completed", out[2].(map[string]any)["status"])
	assert.EqualValues(t, 42, final["usage"].(map[string]any)["input_tokens"], "the estimate stands in without usage")
}

func TestResponsesWriterTwoTools(t *testing.T) {
	evs := parseSSE(t, runWriter(t, []canon.Event{toolEv("call_1", "Read", `{"path":"a"}`), toolEv("call_2", "Read", ``), stopEv(canon.StopToolUse)}))
	checkSequence(t, evs)
	assert.Equal(t, concat(openEvents, toolEvents, toolEvents, []string{"response.completed"}), names(evs))
	assert.EqualValues(t, 1, evs[6].Data["output_index"])
	assert.Equal(t, "fc_t1_1", evs[6].Data["item"].(map[string]any)["id"])
	assert.Equal(t, "{}", evs[7].Data["delta"], "an empty input is {}")
}

func TestResponsesWriterMaxTokens(t *testing.T) {
	evs := parseSSE(t, runWriter(t, []canon.Event{textEv("Hello, "), textEv("wor"), usageEv(10, 2, 0), stopEv(canon.StopMaxTokens)}))
	checkSequence(t, evs)
	assert.Equal(t, concat(openEvents, messageEvents, []string{"response.incomplete"}), names(evs))
	assert.Equal(t, "incomplete", evs[len(evs)-2].Data["item"].(map[string]any)["status"])
	final := evs[len(evs)-1].Data["response"].(map[string]any)
	assert.Equal(t, "incomplete", final["status"])
	assert.Equal(t, map[string]any{"reason": "max_output_tokens"}, final["incomplete_details"])
}

func TestResponsesWriterError(t *testing.T) {
	evs := parseSSE(t, runWriter(t, []canon.Event{textEv("Hel"), {Kind: canon.EventError, Err: &canon.StreamError{Type: "overloaded_error", Message: "try later"}}}))
	checkSequence(t, evs)
	assert.Equal(t, concat(openEvents, messageEvents[:3], []string{"error", "response.failed"}), names(evs))
	errEv := evs[len(evs)-2].Data
	assert.Equal(t, "server_error", errEv["code"])
	assert.Equal(t, "try later", errEv["message"])
	assert.Nil(t, errEv["param"])
	final := evs[len(evs)-1].Data["response"].(map[string]any)
	assert.Equal(t, "failed", final["status"])
	assert.Equal(t, map[string]any{"code": "server_error", "message": "try later"}, final["error"])
	out := final["output"].([]any)
	require.Len(t, out, 1)
	assert.Equal(t, "incomplete", out[0].(map[string]any)["status"])

	// Before Start: only the error and the failed response.
	evs = parseSSE(t, runWriter(t, []canon.Event{{Kind: canon.EventError, Err: &canon.StreamError{Type: "rate_limit_error", Message: "slow down"}}}))
	checkSequence(t, evs)
	assert.Equal(t, []string{"error", "response.failed"}, names(evs))
	assert.Equal(t, "rate_limit_exceeded", evs[0].Data["code"])
}

// Too long after the response started: the code Codex compacts on, in
// the error event and the failed response.
func TestResponsesWriterContextTooLong(t *testing.T) {
	evs := parseSSE(t, runWriter(t, []canon.Event{textEv("Hel"), {Kind: canon.EventError, Err: &canon.StreamError{Type: canon.ErrContextTooLong, Message: "prompt is too long: x"}}}))
	checkSequence(t, evs)
	assert.Equal(t, "context_length_exceeded", evs[len(evs)-2].Data["code"])
	final := evs[len(evs)-1].Data["response"].(map[string]any)
	assert.Equal(t, map[string]any{"code": "context_length_exceeded", "message": "prompt is too long: x"}, final["error"])
}

func TestResponsesWriterStickyError(t *testing.T) {
	w := NewResponsesWriter(failingWriter{}, nil, testStart)
	err := w.Start()
	require.Error(t, err)
	assert.Equal(t, err, w.Write(textEv("x")))
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// The stream's final response object is exactly the non-streaming one.
func TestResponsesStreamMatchesMarshal(t *testing.T) {
	for name, evs := range map[string][]canon.Event{
		"text":       {textEv("a"), textEv("b"), usageEv(1, 2, 0), stopEv(canon.StopEndTurn)},
		"mixed":      {thinkEv("t"), textEv("x"), toolEv("c1", "f", `{"a":1}`), textEv("after"), toolEv("c2", "g", `{}`), usageEv(5, 6, 7), stopEv(canon.StopToolUse)},
		"max_tokens": {textEv("cut"), stopEv(canon.StopMaxTokens)},
		"empty":      {stopEv(canon.StopEndTurn)},
		"web_search": webSearchEvents(),
	} {
		t.Run(name, func(t *testing.T) {
			evs2 := parseSSE(t, runWriter(t, evs))
			streamed := mustJSON(t, evs2[len(evs2)-1].Data["response"])
			resp := canon.Response{ID: testStart.ID, Model: testStart.Model}
			for _, ev := range evs {
				require.NoError(t, resp.Append(ev))
			}
			body, err := MarshalResponsesResponse(&resp, testStart.Created, testStart.InputTokens, nil)
			require.NoError(t, err)
			assert.JSONEq(t, streamed, string(body))
			assert.NotContains(t, string(body), "output_text\":", "no output_text convenience field") // only part types
		})
	}
}

// sdkResponsesParams is a Codex-like request built with the official SDK.
func sdkResponsesParams() responses.ResponseNewParams {
	return responses.ResponseNewParams{
		Model:        shared.ResponsesModel("claude-sonnet-4-5"),
		Instructions: sdk.String("Be brief."),
		Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
			responses.ResponseInputItemParamOfMessage("Read a.go", responses.EasyInputMessageRoleUser),
			responses.ResponseInputItemParamOfMessage(responses.ResponseInputMessageContentListParam{
				responses.ResponseInputContentParamOfInputText("and this"),
				{OfInputImage: &responses.ResponseInputImageParam{ImageURL: sdk.String(pngURL), Detail: responses.ResponseInputImageDetailLow}},
			}, responses.EasyInputMessageRoleUser),
			responses.ResponseInputItemParamOfFunctionCall(`{"path":"a.go"}`, "call_0", "Read"),
			{OfFunctionCallOutput: &responses.ResponseInputItemFunctionCallOutputParam{
				CallID: sdk.String("call_0"), Output: responses.ResponseInputItemFunctionCallOutputOutputUnionParam{OfString: sdk.String("package a")},
			}},
			responses.ResponseInputItemParamOfMessage("Now?", responses.EasyInputMessageRoleUser),
		}},
		Tools: []responses.ToolUnionParam{responses.ToolParamOfFunction("Read",
			map[string]any{"type": "object", "properties": map[string]any{"path": map[string]any{"type": "string"}}, "required": []string{"path"}}, true)},
		ToolChoice:        responses.ResponseNewParamsToolChoiceUnion{OfToolChoiceMode: sdk.Opt(responses.ToolChoiceOptionsAuto)},
		MaxOutputTokens:   sdk.Int(4096),
		Reasoning:         shared.ReasoningParam{Effort: shared.ReasoningEffortHigh, Summary: shared.ReasoningSummaryAuto},
		ParallelToolCalls: sdk.Bool(false),
		Store:             sdk.Bool(false),
		PromptCacheKey:    sdk.String("conv_1"),
		Include:           []responses.ResponseIncludable{responses.ResponseIncludableReasoningEncryptedContent},
	}
}

func responsesServer(t *testing.T, wantStream bool, respond func(w http.ResponseWriter)) *httptest.Server {
	t.Helper()
	return transtest.SDKServer(t, "/responses", func(w http.ResponseWriter, body []byte) []byte {
		req, _, err := ParseResponsesRequest(body, ParseOptions{})
		if !assert.NoError(t, err, "the SDK's request must parse: %s", body) {
			var re *RequestError
			errors.As(err, &re)
			return ErrorBody(re.Message, "invalid_request_error", re.Param)
		}
		assert.Equal(t, wantStream, req.Stream)
		assert.Equal(t, "Be brief.", req.System)
		assert.Equal(t, 4096, req.MaxTokens)
		assert.Equal(t, "conv_1", req.ConversationKey)
		assert.Equal(t, &canon.Thinking{Mode: "adaptive", Effort: "high"}, req.Thinking)
		assert.Equal(t, &canon.ToolChoice{Type: "auto"}, req.ToolChoice)
		if assert.Len(t, req.Messages, 5) {
			assert.Equal(t, "Read a.go", canon.TextOf(req.Messages[0].Content))
			assert.Equal(t, "image/png", req.Messages[1].Content[1].Image.MediaType)
			assert.Equal(t, canon.RoleAssistant, req.Messages[2].Role)
			assert.Equal(t, &canon.ToolUse{ID: "call_0", Name: "Read", Input: json.RawMessage(`{"path":"a.go"}`)}, req.Messages[2].Content[0].ToolUse)
			assert.Equal(t, "call_0", req.Messages[3].Content[0].ToolResult.ToolUseID)
			assert.Equal(t, "package a", canon.TextOf(req.Messages[3].Content[0].ToolResult.Content))
			assert.Equal(t, "Now?", canon.TextOf(req.Messages[4].Content))
		}
		if assert.Len(t, req.Tools, 1) {
			assert.Equal(t, "Read", req.Tools[0].Name)
			assert.JSONEq(t, `{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}`, string(req.Tools[0].InputSchema))
		}
		respond(w)
		return nil
	})
}

func TestSDKResponsesStringInput(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, _, err := ParseResponsesRequest(body, ParseOptions{})
		require.NoError(t, err)
		assert.Equal(t, []canon.Message{{Role: canon.RoleUser, Content: []canon.Block{{Type: canon.BlockText, Text: "Hi"}}}}, req.Messages)
		resp := canon.Response{ID: "resp_s", Model: req.Model, Content: []canon.Block{{Type: canon.BlockText, Text: "Hello"}}, Stop: canon.StopEndTurn}
		out, err := MarshalResponsesResponse(&resp, 1, 3, nil)
		require.NoError(t, err)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	}))
	defer srv.Close()
	got, err := client(srv).Responses.New(context.Background(), responses.ResponseNewParams{
		Model: shared.ResponsesModel("m"), Input: responses.ResponseNewParamsInputUnion{OfString: sdk.String("Hi")},
	})
	require.NoError(t, err)
	assert.Equal(t, "Hello", got.OutputText())
	assert.Equal(t, int64(3), got.Usage.InputTokens)
}

// sdkView is what a client sees of a response object, in comparable form.
type sdkView struct {
	ID, Status, Text, Reasoning string
	Calls                       [][3]string // call_id, name, arguments
	Input, Cached, Output       int64
	Total                       int64
}

func viewOf(r responses.Response) sdkView {
	v := sdkView{ID: r.ID, Status: string(r.Status), Text: r.OutputText(),
		Input: r.Usage.InputTokens, Cached: r.Usage.InputTokensDetails.CachedTokens, Output: r.Usage.OutputTokens, Total: r.Usage.TotalTokens}
	for _, item := range r.Output {
		switch item.Type {
		case "function_call":
			fc := item.AsFunctionCall()
			v.Calls = append(v.Calls, [3]string{fc.CallID, fc.Name, fc.Arguments})
		case "reasoning":
			for _, s := range item.AsReasoning().Summary {
				v.Reasoning += s.Text
			}
		}
	}
	return v
}

var sdkCases = map[string][]canon.Event{
	"text":       {textEv("Hello, "), textEv("world"), usageEv(10, 5, 3), stopEv(canon.StopEndTurn)},
	"text_tool":  {thinkEv("think"), textEv("Reading."), toolEv("call_1", "Read", `{"path":"a.go"}`), usageEv(20, 8, 0), stopEv(canon.StopToolUse)},
	"two_tools":  {toolEv("call_1", "Read", `{"path":"a"}`), toolEv("call_2", "Read", `{"path":"b"}`), stopEv(canon.StopToolUse)},
	"max_tokens": {textEv("cut sh"), usageEv(4, 100, 0), stopEv(canon.StopMaxTokens)},
}

func wantView(t *testing.T, evs []canon.Event) sdkView {
	resp := canon.Response{ID: testStart.ID, Model: testStart.Model}
	for _, ev := range evs {
		require.NoError(t, resp.Append(ev))
	}
	v := sdkView{ID: testStart.ID, Status: "completed"}
	if resp.Stop == canon.StopMaxTokens {
		v.Status = "incomplete"
	}
	for _, b := range resp.Content {
		switch b.Type {
		case canon.BlockText:
			v.Text += b.Text
		case canon.BlockThinking:
			v.Reasoning += b.Thinking.Text
		case canon.BlockToolUse:
			v.Calls = append(v.Calls, [3]string{b.ToolUse.ID, b.ToolUse.Name, string(b.ToolUse.Input)})
		}
	}
	u := responsesUsageOf(resp.Usage, testStart.InputTokens)
	v.Input, v.Cached, v.Output, v.Total = int64(u.InputTokens), int64(u.InputTokensDetails.CachedTokens), int64(u.OutputTokens), int64(u.TotalTokens)
	return v
}

func TestSDKResponsesStreamingRoundTrip(t *testing.T) {
	for name, evs := range sdkCases {
		t.Run(name, func(t *testing.T) {
			srv := responsesServer(t, true, func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "text/event-stream")
				w.WriteHeader(http.StatusOK)
				rw := NewResponsesWriter(w, w.(http.Flusher).Flush, testStart)
				require.NoError(t, rw.Start())
				require.NoError(t, rw.Ping())
				for _, ev := range evs {
					require.NoError(t, rw.Write(ev))
				}
			})
			stream := client(srv).Responses.NewStreaming(context.Background(), sdkResponsesParams())
			defer stream.Close()
			var types []string
			var text strings.Builder
			var final *responses.Response
			for stream.Next() {
				ev := stream.Current()
				types = append(types, ev.Type)
				assert.EqualValues(t, len(types)-1, ev.SequenceNumber)
				switch ev.Type {
				case "response.output_text.delta":
					text.WriteString(ev.AsResponseOutputTextDelta().Delta)
				case "response.completed":
					r := ev.AsResponseCompleted().Response
					final = &r
				case "response.incomplete":
					r := ev.AsResponseIncomplete().Response
					final = &r
				}
			}
			require.NoError(t, stream.Err())
			require.NotNil(t, final, "the stream ends with the final response: %v", types)
			want := wantView(t, evs)
			assert.Equal(t, want, viewOf(*final))
			assert.Equal(t, want.Text, text.String(), "the deltas add up to the text")
			if want.Status == "incomplete" {
				assert.Equal(t, "max_output_tokens", string(final.IncompleteDetails.Reason))
			}
		})
	}
}

func TestSDKResponsesStreamingError(t *testing.T) {
	srv := responsesServer(t, true, func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/event-stream")
		rw := NewResponsesWriter(w, w.(http.Flusher).Flush, testStart)
		require.NoError(t, rw.Write(textEv("Hel")))
		require.NoError(t, rw.Write(canon.Event{Kind: canon.EventError, Err: &canon.StreamError{Type: "api_error", Message: "upstream reset"}}))
	})
	stream := client(srv).Responses.NewStreaming(context.Background(), sdkResponsesParams())
	defer stream.Close()
	var sawError bool
	var failed *responses.Response
	for stream.Next() {
		ev := stream.Current()
		switch ev.Type {
		case "error":
			sawError = true
			assert.Equal(t, "upstream reset", ev.AsError().Message)
			assert.Equal(t, "server_error", ev.AsError().Code)
		case "response.failed":
			r := ev.AsResponseFailed().Response
			failed = &r
		}
	}
	require.NoError(t, stream.Err())
	assert.True(t, sawError)
	require.NotNil(t, failed)
	assert.Equal(t, responses.ResponseStatusFailed, failed.Status)
	assert.Equal(t, "upstream reset", failed.Error.Message)
	assert.Equal(t, "Hel", failed.OutputText())
}

func TestSDKResponsesNonStreamingRoundTrip(t *testing.T) {
	for name, evs := range sdkCases {
		t.Run(name, func(t *testing.T) {
			resp := canon.Response{ID: testStart.ID, Model: testStart.Model}
			for _, ev := range evs {
				require.NoError(t, resp.Append(ev))
			}
			body, err := MarshalResponsesResponse(&resp, testStart.Created, testStart.InputTokens, nil)
			require.NoError(t, err)
			srv := responsesServer(t, false, func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			})
			got, err := client(srv).Responses.New(context.Background(), sdkResponsesParams())
			require.NoError(t, err)
			want := wantView(t, evs)
			assert.Equal(t, want, viewOf(*got))
			assert.Equal(t, canon.TextOf(resp.Content), got.OutputText())
			assert.Equal(t, "claude-sonnet-4-5", string(got.Model))
			assert.Equal(t, float64(testStart.Created), got.CreatedAt)
			assert.Equal(t, "response", string(got.Object))
			assert.NotContains(t, string(body), `"output_text":`, "output_text is the SDK's convenience, not wire format")
		})
	}
}

// A request shaped like the Codex CLI's second turn: developer and user
// context messages, an echoed reasoning item, a function call and its output
// as content items, a JSON-schema output and nulls where Codex sends them.
func TestParseResponsesCodexShaped(t *testing.T) {
	body := `{"model":"claude-sonnet-4-5","instructions":"You are Codex.","input":[
		{"type":"message","role":"developer","content":[{"type":"input_text","text":"<permissions>"}]},
		{"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context>"}]},
		{"type":"message","role":"user","content":[{"type":"input_text","text":"list files"}]},
		{"type":"reasoning","summary":[{"type":"summary_text","text":"**Listing**"}],"content":null,"encrypted_content":null},
		{"type":"function_call","name":"shell","arguments":"{\"command\":[\"ls\"]}","call_id":"call_9"},
		{"type":"function_call_output","call_id":"call_9","output":[{"type":"input_text","text":"a.go"}]}
	],"tools":[{"type":"function","name":"shell","description":"Runs a shell command","strict":false,
		"parameters":{"type":"object","properties":{"command":{"type":"array","items":{"type":"string"}}},"required":["command"],"additionalProperties":false}}],
	"tool_choice":"auto","parallel_tool_calls":false,"reasoning":null,"store":false,"stream":true,"include":[],
	"prompt_cache_key":"0199","text":{"verbosity":"medium","format":{"type":"json_schema","name":"codex_output_schema","schema":{"type":"object"},"strict":true}}}`
	r, _, err := ParseResponsesRequest([]byte(body), ParseOptions{})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(r.System, "You are Codex.\n\n<permissions>\n\nRespond with a single valid JSON value named codex_output_schema"), r.System)
	require.Len(t, r.Messages, 4)
	assert.Equal(t, canon.RoleAssistant, r.Messages[2].Role)
	assert.Equal(t, canon.BlockThinking, r.Messages[2].Content[0].Type)
	assert.Equal(t, json.RawMessage(`{"command":["ls"]}`), r.Messages[2].Content[1].ToolUse.Input)
	assert.Equal(t, "a.go", canon.TextOf(r.Messages[3].Content[0].ToolResult.Content))
	assert.Nil(t, r.Thinking)
	assert.Equal(t, "0199", r.ConversationKey)
}

func TestResponsesWriterConcurrentPing(t *testing.T) {
	var buf bytes.Buffer
	w := NewResponsesWriter(&buf, nil, testStart)
	require.NoError(t, w.Start())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 100; i++ {
			if w.Ping() != nil {
				return
			}
		}
	}()
	for i := 0; i < 100; i++ {
		require.NoError(t, w.Write(textEv("x")))
	}
	require.NoError(t, w.Write(canon.Event{Kind: canon.EventThinking, Signature: "sig"}), "a signature alone writes nothing")
	require.NoError(t, w.Write(stopEv(canon.StopEndTurn)))
	<-done
	evs := parseSSE(t, buf.String())
	checkSequence(t, evs)
	assert.Equal(t, strings.Repeat("x", 100), evs[len(evs)-1].Data["response"].(map[string]any)["output"].([]any)[0].(map[string]any)["content"].([]any)[0].(map[string]any)["text"])
}

type responsesResult struct {
	Req  *canon.Request
	Opts ResponsesOptions
}

// FuzzParseResponsesRequest checks that no body panics the parser, that
// every error is a *RequestError, and that a body parsed in place gives
// what one parsed otherwise gives. Codex's recorded requests are seeds.
func FuzzParseResponsesRequest(f *testing.F) {
	transtest.Seed(f, "testdata/codex/*.json")
	l := transtest.LongEscaped
	f.Add([]byte("{\n\"model\": \"m\",\n\"instructions\": \"" + l + "\",\n\"tools\": [{\"type\": \"function\", \"name\": \"t\", \"description\": \"" + l +
		"\", \"parameters\": {\"type\": \"object\", \"description\": \"" + l + "\"}}],\n\"input\": [{\"role\": \"user\", \"content\": \"" + l +
		"\"}, {\"type\": \"function_call\", \"call_id\": \"c\", \"name\": \"t\", \"arguments\": \"{}\"}, {\"type\": \"function_call_output\", \"call_id\": \"c\", \"output\": \"" + l + "\"}]}"))
	f.Add([]byte("{\n\"model\": \"m\",\n\"instructions\": \"" + l + "\",\n\"max_output_tokens\": \"ten\",\n\"input\": \"x\"}"))
	f.Add([]byte(`{"model":"m","input":"x"}`))
	f.Add([]byte(`{"model":"m","input":[{"type":"function_call","call_id":"c","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c","output":"o"}]}`))
	f.Add([]byte(`{"model":"m","input":[{"role":"user","content":[{"type":"input_image","image_url":"data:image/png;base64,AA=="}]}],"tools":[{"type":"function","name":"f"}],"tool_choice":{"type":"function","name":"f"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := transtest.Accepted(t, body, func(b []byte, inPlace bool) (responsesResult, *canon.Request, error) {
			req, opts, err := ParseResponsesRequest(b, ParseOptions{InPlace: inPlace})
			return responsesResult{req, opts}, req, err
		})
		if req != nil {
			transtest.CheckAccepted(t, req)
		}
	})
}

// webSearchEvents is a response in which Kirodesk ran two searches (one
// failed) and the model cited a result.
func webSearchEvents() []canon.Event {
	return []canon.Event{
		textEv("Let me look."),
		{Kind: canon.EventServerToolUse, ServerToolUse: &canon.ServerToolUse{ID: "srvtoolu_1", Name: "web_search", Query: "go 1.26"}},
		{Kind: canon.EventServerToolResult, ServerToolResult: &canon.ServerToolResult{ToolUseID: "srvtoolu_1",
			Results: []canon.SearchResult{{Title: "Go 1.26", URL: "https://go.dev/doc/go1.26", Snippet: "notes"}}}},
		{Kind: canon.EventServerToolUse, ServerToolUse: &canon.ServerToolUse{ID: "srvtoolu_2", Name: "web_search", Query: "more"}},
		{Kind: canon.EventServerToolResult, ServerToolResult: &canon.ServerToolResult{ToolUseID: "srvtoolu_2", ErrorCode: "unavailable"}},
		textEv("Go 1.26 is out [1]."),
		{Kind: canon.EventCitation, Citation: &canon.Citation{URL: "https://go.dev/doc/go1.26", Title: "Go 1.26", CitedText: "notes"}},
		textEv(" Bye."),
		usageEv(10, 5, 0), stopEv(canon.StopEndTurn),
	}
}

func TestResponsesWriterWebSearch(t *testing.T) {
	evs := parseSSE(t, runWriter(t, webSearchEvents()))
	checkSequence(t, evs)
	search := []string{"response.output_item.added", "response.web_search_call.in_progress", "response.web_search_call.searching",
		"response.web_search_call.completed", "response.output_item.done"}
	cited := []string{"response.output_item.added", "response.content_part.added", "response.output_text.delta",
		"response.output_text.annotation.added", "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done"}
	assert.Equal(t, concat(openEvents, messageEvents[:3], messageEvents[4:], search, search, cited, []string{"response.completed"}), names(evs))
	added := evs[2+6]
	assert.Equal(t, map[string]any{"id": "ws_t1_1", "type": "web_search_call", "status": "in_progress",
		"action": map[string]any{"type": "search", "query": "go 1.26"}}, added.Data["item"])
	assert.Equal(t, "ws_t1_1", evs[2+6+1].Data["item_id"])
	assert.Equal(t, "completed", evs[2+6+4].Data["item"].(map[string]any)["status"])
	assert.Equal(t, "failed", evs[2+6+5+4].Data["item"].(map[string]any)["status"])
	ann := evs[2+6+10+3]
	assert.Equal(t, "msg_t1_3", ann.Data["item_id"])
	assert.EqualValues(t, 3, ann.Data["output_index"])
	assert.Equal(t, map[string]any{"type": "url_citation", "start_index": 0.0, "end_index": 19.0, "title": "Go 1.26", "url": "https://go.dev/doc/go1.26"},
		ann.Data["annotation"])
}
