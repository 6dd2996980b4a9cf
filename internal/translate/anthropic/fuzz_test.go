package anthropic

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"kirodesk/internal/canon"
	"kirodesk/internal/transtest"
)

// FuzzParseRequest checks that no body makes the parsers panic, that every
// refusal is a *RequestError, and that whatever is accepted satisfies what
// the Kiro request builder relies on. The committed corpus is under
// testdata/fuzz/FuzzParseRequest; the golden requests are added as seeds too.
func FuzzParseRequest(f *testing.F) {
	files, err := filepath.Glob("testdata/requests/*.json")
	if err != nil {
		f.Fatal(err)
	}
	transtest.Seed(f, files)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, parse := range []func([]byte, ParseOptions) (*canon.Request, error){ParseRequest, CountTokensRequest} {
			req, err := parse(body, ParseOptions{})
			if err != nil {
				transtest.Refusal(t, err, req != nil)
				continue
			}
			checkAccepted(t, req)
		}
		if req, err := ParseRequest(body, ParseOptions{}); err == nil && req.MaxTokens < 1 {
			t.Fatalf("accepted max_tokens %d", req.MaxTokens)
		}
	})
}

func checkAccepted(t *testing.T, req *canon.Request) {
	t.Helper()
	if req.Model == "" || len(req.Messages) == 0 {
		t.Fatalf("accepted a request without model or messages: %+v", req)
	}
	for i, m := range req.Messages {
		if m.Role != canon.RoleUser && m.Role != canon.RoleAssistant {
			t.Fatalf("messages[%d]: role %q", i, m.Role)
		}
		for j, b := range m.Content {
			switch b.Type {
			case canon.BlockText:
				if b.Text == "" {
					t.Fatalf("messages[%d].content[%d]: empty text", i, j)
				}
			case canon.BlockToolUse:
				var obj map[string]any
				if b.ToolUse == nil || json.Unmarshal(b.ToolUse.Input, &obj) != nil || obj == nil {
					t.Fatalf("messages[%d].content[%d]: tool input is not an object", i, j)
				}
			case canon.BlockImage:
				if b.Image == nil || !imageTypes[b.Image.MediaType] {
					t.Fatalf("messages[%d].content[%d]: bad image", i, j)
				}
			case canon.BlockToolResult:
				if b.ToolResult == nil || b.ToolResult.ToolUseID == "" {
					t.Fatalf("messages[%d].content[%d]: bad tool_result", i, j)
				}
			case canon.BlockThinking:
				if b.Thinking == nil {
					t.Fatalf("messages[%d].content[%d]: nil thinking", i, j)
				}
			default:
				t.Fatalf("messages[%d].content[%d]: type %q", i, j, b.Type)
			}
		}
	}
	for i, tool := range req.Tools {
		if !json.Valid(tool.InputSchema) || tool.Name == "" {
			t.Fatalf("tools[%d] invalid", i)
		}
	}
	if th := req.Thinking; th != nil && th.Mode == "enabled" && th.BudgetTokens < minThinkingBudget {
		t.Fatalf("accepted budget %d", th.BudgetTokens)
	}
}
