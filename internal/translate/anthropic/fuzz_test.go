package anthropic

import (
	"encoding/json"
	"testing"

	"kirodesk/internal/canon"
	"kirodesk/internal/transtest"
)

// FuzzParseRequest checks that no body makes the parsers panic, that every
// refusal is a *RequestError, and that whatever is accepted satisfies what
// the Kiro request builder relies on. The committed corpus is under
// testdata/fuzz/FuzzParseRequest; the golden requests are added as seeds too.
// A body parsed in place (the server owns it) gives the same request or
// the same refusal as one parsed otherwise.
func FuzzParseRequest(f *testing.F) {
	transtest.Seed(f, "testdata/requests/*.json")
	// Long strings with escapes everywhere the parser reads them, and a
	// mistake after them: what an in-place parse rewrites.
	l := transtest.LongEscaped
	f.Add([]byte("{\n\"model\": \"m\",\n\"system\": [{\"type\": \"text\", \"text\": \"" + l + "\"}],\n\"tools\": [{\"name\": \"t\", \"description\": \"" + l +
		"\", \"input_schema\": {\"type\": \"object\", \"description\": \"" + l + "\"}}],\n\"messages\": [{\"role\": \"user\", \"content\": \"" + l +
		"\"}, {\"role\": \"assistant\", \"content\": [{\"type\": \"tool_use\", \"id\": \"u\", \"name\": \"t\", \"input\": {\"cmd\": \"" + l +
		"\"}}]}, {\"role\": \"user\", \"content\": [{\"type\": \"tool_result\", \"tool_use_id\": \"u\", \"content\": \"" + l + "\"}]}],\n\"max_tokens\": 10}"))
	f.Add([]byte("{\n\"model\": \"m\",\n\"system\": \"" + l + "\",\n\"max_tokens\": \"ten\",\n\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, parse := range []func([]byte, ParseOptions) (*canon.Request, error){ParseRequest, CountTokensRequest} {
			transtest.InPlace(t, body, func(b []byte, inPlace bool) (*canon.Request, error) {
				return parse(b, ParseOptions{InPlace: inPlace})
			})
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
	transtest.CheckAcceptedBlocks(t, req, func(i, j int, _ canon.Message, b canon.Block) {
		switch b.Type {
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
	})
	for i, tool := range req.Tools {
		if !json.Valid(tool.InputSchema) || tool.Name == "" {
			t.Fatalf("tools[%d] invalid", i)
		}
	}
	if th := req.Thinking; th != nil && th.Mode == "enabled" && th.BudgetTokens < minThinkingBudget {
		t.Fatalf("accepted budget %d", th.BudgetTokens)
	}
}
