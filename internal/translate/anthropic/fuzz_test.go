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
			req := transtest.Accepted(t, body, func(b []byte, inPlace bool) (*canon.Request, *canon.Request, error) {
				r, err := parse(b, ParseOptions{InPlace: inPlace})
				return r, r, err
			})
			if req != nil {
				checkAccepted(t, req)
			}
		}
		if req, err := ParseRequest(body, ParseOptions{}); err == nil && req.MaxTokens < 1 {
			t.Fatalf("accepted max_tokens %d", req.MaxTokens)
		}
	})
}

// checkAccepted adds the Messages API's own promises to what every front
// end promises (transtest.CheckAccepted).
func checkAccepted(t *testing.T, req *canon.Request) {
	t.Helper()
	transtest.CheckAccepted(t, req)
	for i, tool := range req.Tools {
		if !json.Valid(tool.InputSchema) || tool.Name == "" {
			t.Fatalf("tools[%d] invalid", i)
		}
	}
	if th := req.Thinking; th != nil && th.Mode == "enabled" && th.BudgetTokens < minThinkingBudget {
		t.Fatalf("accepted budget %d", th.BudgetTokens)
	}
}
