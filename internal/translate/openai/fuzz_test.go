package openai

import (
	"encoding/json"
	"testing"

	"kirodesk/internal/canon"
	"kirodesk/internal/translate/tooldecl"
	"kirodesk/internal/transtest"
)

// FuzzParseChatRequest checks that no body makes the parser panic, that
// every refusal is a *RequestError with a message, and that whatever is
// accepted satisfies what the Kiro request builder relies on. The committed
// corpus is under testdata/fuzz/FuzzParseChatRequest; the golden requests
// are added as seeds too. A body parsed in place (the server owns it) gives
// the same request or the same refusal as one parsed otherwise.
func FuzzParseChatRequest(f *testing.F) {
	transtest.Seed(f, "testdata/requests/*.json")
	// Long strings with escapes everywhere the parser reads them, and a
	// mistake after them: what an in-place parse rewrites.
	l := transtest.LongEscaped
	f.Add([]byte("{\n\"model\": \"m\",\n\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"t\", \"description\": \"" + l +
		"\", \"parameters\": {\"type\": \"object\", \"description\": \"" + l + "\"}}}],\n\"messages\": [{\"role\": \"system\", \"content\": \"" + l +
		"\"}, {\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"" + l + "\"}]}, {\"role\": \"assistant\", \"tool_calls\": [{\"id\": \"c\", \"type\": \"function\", \"function\": {\"name\": \"t\", \"arguments\": \"{\\\"cmd\\\": \\\"" + l +
		"\\\"}\"}}]}, {\"role\": \"tool\", \"tool_call_id\": \"c\", \"content\": \"" + l + "\"}]}"))
	f.Add([]byte("{\n\"model\": \"m\",\n\"messages\": [{\"role\": \"system\", \"content\": \"" + l + "\"}, {\"role\": \"user\", \"content\": \"hi\"}],\n\"max_tokens\": \"ten\"}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := transtest.Accepted(t, body, func(b []byte, inPlace bool) (chatResult, *canon.Request, error) {
			req, opts, err := ParseChatRequest(b, ParseOptions{InPlace: inPlace})
			return chatResult{req, opts}, req, err
		})
		if req != nil {
			checkAccepted(t, req)
		}
	})
}

type chatResult struct {
	Req  *canon.Request
	Opts ChatOptions
}

// checkAccepted adds Chat Completions' own promises to what every front
// end promises (transtest.CheckAccepted).
func checkAccepted(t *testing.T, req *canon.Request) {
	t.Helper()
	transtest.CheckAccepted(t, req)
	for i, m := range req.Messages {
		if len(m.Content) == 0 {
			t.Fatalf("messages[%d]: empty", i)
		}
	}
	for i, tool := range req.Tools {
		var obj map[string]any
		if json.Unmarshal(tool.InputSchema, &obj) != nil || obj == nil || !tooldecl.ValidName(tool.Name, 64) {
			t.Fatalf("tools[%d] invalid", i)
		}
	}
	if req.MaxTokens < 0 {
		t.Fatalf("max tokens %d", req.MaxTokens)
	}
}
