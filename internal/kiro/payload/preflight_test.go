package payload

import (
	"errors"
	"strings"
	"testing"

	"kirodesk/internal/canon"
)

// body assembles a payload from a history JSON array and a current message's
// JSON, so each case shows only the part that breaks a rule.
func body(history, current string) []byte {
	s := `{"conversationState":{"conversationId":"c","chatTriggerType":"MANUAL","agentTaskType":"vibe","currentMessage":{"userInputMessage":` + current + `}`
	if history != "" {
		s += `,"history":` + history
	}
	return []byte(s + `}}`)
}

const (
	bashTool   = `"tools":[{"toolSpecification":{"name":"Bash","description":"d","inputSchema":{"json":{"type":"object","properties":{}}}}}]`
	userHi     = `{"userInputMessage":{"content":"hi","modelId":"m","origin":"AI_EDITOR"}}`
	asstOK     = `{"assistantResponseMessage":{"content":"ok"}}`
	asstCallsA = `{"assistantResponseMessage":{"content":".","toolUses":[{"toolUseId":"A","name":"Bash","input":{}}]}}`
)

func TestPreflight(t *testing.T) {
	tests := []struct {
		name     string
		body     []byte
		max      int
		wantRule string // "" = passes
		wantIn   []string
	}{
		{"minimal", body("", `{"content":"hi","modelId":"m","origin":"AI_EDITOR"}`), 0, "", nil},
		{"tool loop answered",
			body(`[`+userHi+`,`+asstCallsA+`]`, `{"content":".","modelId":"m","origin":"AI_EDITOR","userInputMessageContext":{`+bashTool+`,"toolResults":[{"toolUseId":"A","content":[{"text":"x"}],"status":"success"}]}}`),
			0, "", nil},
		{"not JSON", []byte(`{"conversationState":`), 0, RuleInvalidPayload, nil},
		{"trailing data", append(body("", `{"content":"hi","modelId":"m","origin":"AI_EDITOR"}`), []byte(` {}`)...), 0, RuleInvalidPayload, nil},
		{"no conversation id", []byte(`{"conversationState":{"currentMessage":{"userInputMessage":{"content":"hi","modelId":"m"}}}}`), 0, RuleMissingConversationID, nil},
		{"no current user message", body("", `null`), 0, RuleTrailingAssistant, nil},
		{"no model", body("", `{"content":"hi","origin":"AI_EDITOR"}`), 0, RuleMissingModel, nil},
		{"history starts with assistant", body(`[`+asstOK+`,`+userHi+`]`, `{"content":"hi","modelId":"m"}`), 0, RuleHistoryAlternation, []string{"history[0]"}},
		{"two user turns in history", body(`[`+userHi+`,`+userHi+`]`, `{"content":"hi","modelId":"m"}`), 0, RuleHistoryAlternation, []string{"history[1]"}},
		{"history ends with user", body(`[`+userHi+`]`, `{"content":"hi","modelId":"m"}`), 0, RuleHistoryAlternation, []string{"history[0]", "current"}},
		{"entry with both roles", body(`[{"userInputMessage":{"content":"a","modelId":"m"},"assistantResponseMessage":{"content":"b"}},`+asstOK+`]`, `{"content":"hi","modelId":"m"}`), 0, RuleHistoryAlternation, []string{"exactly one"}},
		{"empty user turn", body(`[{"userInputMessage":{"content":" \n","modelId":"m"}},`+asstOK+`]`, `{"content":"hi","modelId":"m"}`), 0, RuleEmptyTurn, []string{"history[0] (user)"}},
		{"empty assistant turn", body(`[`+userHi+`,{"assistantResponseMessage":{"content":""}}]`, `{"content":"hi","modelId":"m"}`), 0, RuleEmptyTurn, []string{"history[1] (assistant)"}},
		{"empty current message", body("", `{"content":"","modelId":"m"}`), 0, RuleEmptyTurn, []string{"current message"}},
		{"orphan tool result",
			body(`[`+userHi+`,`+asstOK+`]`, `{"content":".","modelId":"m","userInputMessageContext":{"toolResults":[{"toolUseId":"ghost","content":[{"text":"x"}],"status":"success"}]}}`),
			0, RuleOrphanToolResult, []string{`"ghost"`, "the current message"}},
		{"tool use without result",
			body(`[`+userHi+`,`+asstCallsA+`]`, `{"content":"never mind","modelId":"m","userInputMessageContext":{`+bashTool+`}}`),
			0, RuleMissingToolResult, []string{"A (Bash)", "the current message"}},
		{"result two turns late",
			body(`[`+userHi+`,`+asstCallsA+`,`+userHi+`,`+asstOK+`]`, `{"content":".","modelId":"m","userInputMessageContext":{`+bashTool+`,"toolResults":[{"toolUseId":"A","content":[{"text":"x"}],"status":"success"}]}}`),
			0, RuleMissingToolResult, []string{"history[2]"}},
		{"undeclared tool",
			body(`[`+userHi+`,`+asstCallsA+`]`, `{"content":".","modelId":"m","userInputMessageContext":{"toolResults":[{"toolUseId":"A","content":[{"text":"x"}],"status":"success"}]}}`),
			0, RuleUndeclaredTool, []string{`"Bash"`, "history[1]"}},
		{"tool use without id",
			body(`[`+userHi+`,{"assistantResponseMessage":{"content":".","toolUses":[{"toolUseId":"","name":"Bash","input":{}}]}}]`, `{"content":".","modelId":"m","userInputMessageContext":{`+bashTool+`}}`),
			0, RuleMissingToolUseID, nil},
		{"tool input not an object",
			body(`[`+userHi+`,{"assistantResponseMessage":{"content":".","toolUses":[{"toolUseId":"A","name":"Bash","input":"ls"}]}}]`, `{"content":".","modelId":"m","userInputMessageContext":{`+bashTool+`,"toolResults":[{"toolUseId":"A","content":[{"text":"x"}],"status":"success"}]}}`),
			0, RuleInvalidToolInput, []string{"A"}},
		{"bad status",
			body(`[`+userHi+`,`+asstCallsA+`]`, `{"content":".","modelId":"m","userInputMessageContext":{`+bashTool+`,"toolResults":[{"toolUseId":"A","content":[{"text":"x"}],"status":"ok"}]}}`),
			0, RuleInvalidPayload, []string{`"ok"`}},
		{"tools in a history turn",
			body(`[{"userInputMessage":{"content":"a","modelId":"m","userInputMessageContext":{`+bashTool+`}}},`+asstOK+`]`, `{"content":"hi","modelId":"m"}`),
			0, RuleInvalidPayload, []string{"history[0]"}},
		{"tool name too long",
			body("", `{"content":"hi","modelId":"m","userInputMessageContext":{"tools":[{"toolSpecification":{"name":"`+strings.Repeat("n", 65)+`","description":"d","inputSchema":{"json":{}}}}]}}`),
			0, RuleInvalidToolName, []string{"tools[0]"}},
		{"thinking prefix with tool results",
			body(`[`+userHi+`,`+asstCallsA+`]`, `{"content":"<thinking_mode>enabled</thinking_mode>\n.","modelId":"m","userInputMessageContext":{`+bashTool+`,"toolResults":[{"toolUseId":"A","content":[{"text":"x"}],"status":"success"}]}}`),
			0, RuleThinkingWithToolResults, []string{"the current message"}},
		{"thinking prefix without tool results is fine", body("", `{"content":"<thinking_mode>enabled</thinking_mode>\nhi","modelId":"m"}`), 0, "", nil},
		{"too large", body("", `{"content":"`+strings.Repeat("z", 500)+`","modelId":"m"}`), 400, RulePayloadTooLarge, []string{"bytes, above the 400-byte limit"}},
		{"just fits", body("", `{"content":"hi","modelId":"m"}`), len(body("", `{"content":"hi","modelId":"m"}`)), "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Preflight(tc.body, tc.max)
			if tc.wantRule == "" {
				if err != nil {
					t.Fatalf("Preflight = %v, want nil", err)
				}
				return
			}
			checkRule(t, "Preflight", err, tc.wantRule, tc.wantIn)
		})
	}
}

// checkRule checks that err, what fn returned, is a *RuleError of rule
// whose message mentions each of wantIn.
func checkRule(t *testing.T, fn string, err error, rule string, wantIn []string) {
	t.Helper()
	var re *RuleError
	if !errors.As(err, &re) || re.Rule != rule {
		t.Fatalf("%s = %v, want rule %s", fn, err, rule)
	}
	for _, s := range wantIn {
		if !strings.Contains(re.Message, s) {
			t.Errorf("message %q does not mention %q", re.Message, s)
		}
	}
}

func text(s string) canon.Block { return canon.Block{Type: canon.BlockText, Text: s} }

func userMsg(b ...canon.Block) canon.Message { return canon.Message{Role: canon.RoleUser, Content: b} }

func asstMsg(b ...canon.Block) canon.Message {
	return canon.Message{Role: canon.RoleAssistant, Content: b}
}

func useBlock(id, name string) canon.Block {
	return canon.Block{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: id, Name: name, Input: []byte(`{}`)}}
}

func resultBlock(id, out string) canon.Block {
	return canon.Block{Type: canon.BlockToolResult, ToolResult: &canon.ToolResult{ToolUseID: id, Content: []canon.Block{text(out)}}}
}

// TestBuildRules covers the rules Build enforces on the canonical request
// before anything is encoded (the golden cases cover the rest).
func TestBuildRules(t *testing.T) {
	long := strings.Repeat("t", 70)
	tests := []struct {
		name     string
		req      *canon.Request
		opts     Options
		wantRule string
		wantIn   []string
	}{
		{"nil request", nil, Options{ConversationID: "c"}, RuleNoMessages, nil},
		{"no messages", &canon.Request{Model: "auto"}, Options{ConversationID: "c"}, RuleNoMessages, nil},
		{"no conversation id", &canon.Request{Model: "auto", Messages: []canon.Message{userMsg(text("hi"))}}, Options{}, RuleMissingConversationID, nil},
		{"no model", &canon.Request{Model: " ", Messages: []canon.Message{userMsg(text("hi"))}}, Options{ConversationID: "c"}, RuleMissingModel, nil},
		{"system role", &canon.Request{Model: "auto", Messages: []canon.Message{{Role: "system", Content: []canon.Block{text("x")}}, userMsg(text("hi"))}}, Options{ConversationID: "c"}, RuleUnknownRole, []string{"messages[0]"}},
		{"tool_use in user message", &canon.Request{Model: "auto", Messages: []canon.Message{userMsg(useBlock("a", "Bash"))}}, Options{ConversationID: "c"}, RuleMisplacedBlock, []string{"messages[0].content[0]"}},
		{"tool_result in assistant message", &canon.Request{Model: "auto", Messages: []canon.Message{userMsg(text("hi")), asstMsg(resultBlock("a", "x")), userMsg(text("hi"))}}, Options{ConversationID: "c"}, RuleMisplacedBlock, []string{"messages[1]"}},
		{"image in assistant message", &canon.Request{Model: "auto", Messages: []canon.Message{userMsg(text("hi")), asstMsg(canon.Block{Type: canon.BlockImage, Image: &canon.Image{MediaType: "image/png", Data: "x"}}), userMsg(text("hi"))}}, Options{ConversationID: "c"}, RuleMisplacedBlock, nil},
		{"tool_use block without payload", &canon.Request{Model: "auto", Messages: []canon.Message{userMsg(text("hi")), asstMsg(canon.Block{Type: canon.BlockToolUse}), userMsg(text("hi"))}}, Options{ConversationID: "c"}, RuleInvalidBlock, nil},
		{"image without data", &canon.Request{Model: "auto", Messages: []canon.Message{userMsg(canon.Block{Type: canon.BlockImage, Image: &canon.Image{MediaType: "image/png"}})}}, Options{ConversationID: "c"}, RuleInvalidBlock, nil},
		{"image in tool result of unknown type", &canon.Request{Model: "auto", Messages: []canon.Message{userMsg(text("hi")), asstMsg(useBlock("a", "Read")), userMsg(canon.Block{Type: canon.BlockToolResult, ToolResult: &canon.ToolResult{ToolUseID: "a", Content: []canon.Block{{Type: canon.BlockImage, Image: &canon.Image{MediaType: "image/tiff", Data: "x"}}}}})}}, Options{ConversationID: "c"}, RuleUnsupportedImage, []string{"image/tiff"}},
		{"tool_use without id", &canon.Request{Model: "auto", Messages: []canon.Message{userMsg(text("hi")), asstMsg(useBlock("", "Bash")), userMsg(text("hi"))}}, Options{ConversationID: "c"}, RuleMissingToolUseID, nil},
		{"tool_result without id", &canon.Request{Model: "auto", Messages: []canon.Message{userMsg(resultBlock("", "x"))}}, Options{ConversationID: "c"}, RuleMissingToolUseID, nil},
		{"unnamed tool", &canon.Request{Model: "auto", Tools: []canon.Tool{{Description: "d"}}, Messages: []canon.Message{userMsg(text("hi"))}}, Options{ConversationID: "c"}, RuleInvalidToolName, []string{"tools[0]"}},
		{"shortened name collides with a declared one", &canon.Request{Model: "auto", Tools: []canon.Tool{{Name: ShortenToolName(long)}, {Name: long}}, Messages: []canon.Message{userMsg(text("hi"))}}, Options{ConversationID: "c"}, RuleToolNameCollision, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(tc.req, tc.opts)
			checkRule(t, "Build", err, tc.wantRule, tc.wantIn)
		})
	}
}

func TestThinkingPrefix(t *testing.T) {
	tests := []struct {
		in   *canon.Thinking
		want string
	}{
		{nil, ""},
		{&canon.Thinking{Mode: "disabled"}, ""},
		{&canon.Thinking{Mode: "enabled"}, "<thinking_mode>enabled</thinking_mode><max_thinking_length>1024</max_thinking_length>"},
		{&canon.Thinking{Mode: "enabled", BudgetTokens: 10000}, "<thinking_mode>enabled</thinking_mode><max_thinking_length>10000</max_thinking_length>"},
		{&canon.Thinking{Mode: "enabled", BudgetTokens: 24577}, "<thinking_mode>enabled</thinking_mode><max_thinking_length>24576</max_thinking_length>"},
		{&canon.Thinking{Mode: "adaptive", Effort: "low"}, "<thinking_mode>adaptive</thinking_mode><thinking_effort>low</thinking_effort>"},
		{&canon.Thinking{Mode: "adaptive"}, "<thinking_mode>adaptive</thinking_mode><thinking_effort>high</thinking_effort>"},
		{&canon.Thinking{Mode: "adaptive", Effort: "max"}, "<thinking_mode>adaptive</thinking_mode><thinking_effort>high</thinking_effort>"},
	}
	for _, tc := range tests {
		if got := thinkingPrefix(tc.in); got != tc.want {
			t.Errorf("thinkingPrefix(%+v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestToolNamesMapBack: every name sent maps back to the client's name, and
// the history's tool calls use the shortened name.
func TestToolNamesMapBack(t *testing.T) {
	long := "mcp__server_with_a_rather_long_name__tool_with_an_even_longer_name_here"
	req := &canon.Request{
		Model: "claude-sonnet-4-5",
		Tools: []canon.Tool{{Name: "Bash", Description: "b"}, {Name: long, Description: "l"}, {Name: "Bash", Description: "duplicate declaration"}},
		Messages: []canon.Message{
			userMsg(text("go")),
			asstMsg(useBlock("u1", long), useBlock("u2", "Grep")),
			userMsg(resultBlock("u1", "a"), resultBlock("u2", "b")),
		},
	}
	got, err := Build(req, Options{ConversationID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Bash": "Bash", ShortenToolName(long): long, "Grep": "Grep"}
	if len(got.ToolNames) != len(want) {
		t.Fatalf("ToolNames = %v, want %v", got.ToolNames, want)
	}
	for k, v := range want {
		if got.ToolNames[k] != v {
			t.Errorf("ToolNames[%q] = %q, want %q", k, got.ToolNames[k], v)
		}
	}
	if strings.Contains(string(got.Body), long) {
		t.Error("body contains the unshortened name")
	}
	if strings.Contains(string(got.Body), "duplicate declaration") {
		t.Error("second declaration of Bash was sent")
	}
	again, _ := Build(req, Options{ConversationID: "c"})
	if string(again.Body) != string(got.Body) {
		t.Error("Build is not deterministic")
	}
}

// TestBuildDoesNotAliasRequest guards the purity contract: building twice
// from one request, with the request changed in between, must not leak the
// change into the first body.
func TestBuildDoesNotAliasRequest(t *testing.T) {
	req := &canon.Request{Model: "auto", Messages: []canon.Message{
		userMsg(text("go")),
		asstMsg(canon.Block{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "u", Name: "Bash", Input: []byte(`{"command":"ls"}`)}}),
		userMsg(resultBlock("u", "out")),
	}}
	got, err := Build(req, Options{ConversationID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	before := string(got.Body)
	copy(req.Messages[1].Content[0].ToolUse.Input, `{"command":"rm"}`)
	if string(got.Body) != before {
		t.Error("Built.Body changed when the request's tool input was modified")
	}
}
