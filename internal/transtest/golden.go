package transtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/translate/jsontree"
	"kirodesk/internal/translate/wire"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Golden compares got with the file at path, or rewrites it under -update.
func Golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test -update")
	assert.Equal(t, string(want), string(got), "golden %s differs; rerun with -update if the change is intended", path)
}

// DumpJSON renders v as indented JSON without HTML escaping, for goldens.
func DumpJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(v))
	return buf.Bytes()
}

// RequestInputs lists testdata/requests/*.json without the .canon.json
// goldens.
func RequestInputs(t testing.TB) []string { return Inputs(t, "testdata/requests/*.json") }

// Inputs lists the files matching glob, the .canon.json goldens left out.
func Inputs(t testing.TB, glob string) []string {
	files, err := filepath.Glob(glob)
	require.NoError(t, err)
	var inputs []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".canon.json") {
			inputs = append(inputs, f)
		}
	}
	return inputs
}

// Seed adds each input matching glob (Inputs) as a fuzz seed; none is a
// failure.
func Seed(f *testing.F, glob string) {
	files := Inputs(f, glob)
	if len(files) == 0 {
		f.Fatal("no golden requests to seed from")
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// Refusal checks a parser's refusal: a *RequestError (jsontree.FieldError,
// in both APIs) with a message, and no request returned with it.
func Refusal(t *testing.T, err error, withRequest bool) {
	t.Helper()
	var re *jsontree.FieldError
	if !errors.As(err, &re) || re.Message == "" {
		t.Fatalf("error %T %q is not a *RequestError with a message", err, err)
	}
	if withRequest {
		t.Fatalf("request returned with an error")
	}
}

// LoadStrict decodes the JSON file at path into a T, refusing fields T
// does not have (a typo in a recording must not pass unseen).
func LoadStrict[T any](t *testing.T, path string) T {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var v T
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&v), path)
	return v
}

// KiroTool is one tool as the Kiro payload declares it.
type KiroTool struct {
	Description string
	Schema      json.RawMessage
}

// KiroPayload builds the Kiro payload for req and returns its declared
// tools by name, the whole body as text, and the builder's name map.
func KiroPayload(t *testing.T, req *canon.Request) (map[string]KiroTool, string, map[string]string) {
	t.Helper()
	built, err := payload.Build(req, payload.Options{ConversationID: "00000000-0000-4000-8000-000000000000"})
	require.NoError(t, err)
	var body struct {
		ConversationState struct {
			CurrentMessage struct {
				UserInputMessage struct {
					UserInputMessageContext *struct {
						Tools []struct {
							ToolSpecification struct {
								Name        string
								Description string
								InputSchema struct{ JSON json.RawMessage }
							}
						}
					}
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(built.Body, &body))
	out := map[string]KiroTool{}
	if c := body.ConversationState.CurrentMessage.UserInputMessage.UserInputMessageContext; c != nil {
		for _, tl := range c.Tools {
			out[tl.ToolSpecification.Name] = KiroTool{tl.ToolSpecification.Description, tl.ToolSpecification.InputSchema.JSON}
		}
	}
	return out, string(built.Body), built.ToolNames
}

// SampleResponse is a whole answer with thinking, HTML-ish text and two
// tool calls (one without input), for the non-streaming writers.
func SampleResponse(id string) *canon.Response {
	return &canon.Response{
		ID:    id,
		Model: "claude-sonnet-4-5",
		Content: []canon.Block{
			{Type: canon.BlockThinking, Thinking: &canon.ThinkingBlock{Text: "Need the file.", Signature: "c2ln"}},
			{Type: canon.BlockText, Text: "Reading <main.go> & more"},
			{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "toolu_1", Name: "Read", Input: json.RawMessage(`{ "file_path": "main.go" }`)}},
			{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: "toolu_2", Name: "Noop"}},
		},
		Stop:  canon.StopToolUse,
		Usage: canon.Usage{InputTokens: 10, OutputTokens: 20, CacheCreationInputTokens: 3, CacheReadInputTokens: 400, Credits: 0.5, Estimated: true},
	}
}

// CheckAccepted holds a request a parser accepted to what the Kiro builder
// relies on in every API: a model, messages, only user and assistant
// roles, no empty text; tool calls (assistant's) with an id, a name and an
// object input; images of a supported type, with data; tool results
// (user's) naming their call; thinking (assistant's) present. What else an
// API's parser promises is its own test's business.
func CheckAccepted(t *testing.T, req *canon.Request) {
	t.Helper()
	if req.Model == "" || len(req.Messages) == 0 {
		t.Fatalf("accepted a request without model or messages: %+v", req)
	}
	for i, m := range req.Messages {
		if m.Role != canon.RoleUser && m.Role != canon.RoleAssistant {
			t.Fatalf("messages[%d]: role %q", i, m.Role)
		}
		for j, b := range m.Content {
			if !acceptedBlock(m.Role, b) {
				t.Fatalf("messages[%d].content[%d]: bad %s block in a %s message: %+v", i, j, b.Type, m.Role, b)
			}
		}
	}
}

func acceptedBlock(role canon.Role, b canon.Block) bool {
	switch b.Type {
	case canon.BlockText:
		return b.Text != ""
	case canon.BlockToolUse:
		var obj map[string]any
		return role == canon.RoleAssistant && b.ToolUse != nil && b.ToolUse.ID != "" && b.ToolUse.Name != "" &&
			json.Unmarshal(b.ToolUse.Input, &obj) == nil && obj != nil
	case canon.BlockImage:
		return b.Image != nil && wire.ImageTypes[b.Image.MediaType] && b.Image.Data != ""
	case canon.BlockToolResult:
		return role == canon.RoleUser && b.ToolResult != nil && b.ToolResult.ToolUseID != ""
	case canon.BlockThinking:
		return role == canon.RoleAssistant && b.Thinking != nil
	}
	return false
}
