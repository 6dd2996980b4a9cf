package payload

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"kirodesk/internal/canon"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current Build output")

const testConversationID = "7f0e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"

// goldenCases lists every testdata/<name>.input.json (a canon.Request as
// JSON). A case without wantRule must build, and its body (indented) must
// equal testdata/<name>.golden.json; a case with wantRule must fail with that
// rule and a message containing each of wantInMessage.
var goldenCases = []struct {
	name          string
	opts          Options
	wantRule      string
	wantInMessage []string
	wantModel     string
}{
	{name: "simple_single_turn", wantModel: "claude-sonnet-4.5"},
	{name: "system_prompt_single_turn", wantModel: "claude-haiku-4.5"},
	{name: "system_prompt_multi_turn", wantModel: "claude-opus-4.6"},
	{name: "merge_adjacent"},
	{name: "starts_with_assistant"},
	{name: "empty_turns", wantModel: "auto"},
	{name: "images"},
	{name: "tool_loop"},
	{name: "tool_result_shapes"},
	{name: "auto_declare"},
	{name: "long_tool_name_and_description"},
	{name: "thinking_enabled"},
	{name: "thinking_enabled_clamped_high"},
	{name: "thinking_adaptive", wantModel: "claude-opus-4.8"},
	{name: "thinking_with_tool_results"},
	{name: "profile_arn", opts: Options{ProfileARN: "arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK"}},
	{name: "catalog_model", wantModel: "CLAUDE_SONNET_4_5_20250929_V1_0", opts: Options{Models: ModelCatalog{
		{ID: "CLAUDE_SONNET_4_5_20250929_V1_0", Name: "Claude Sonnet 4.5", MaxInputTokens: 200_000},
		{ID: "auto", Name: "Auto"},
	}}},
	{name: "unknown_model_passthrough", wantModel: "qwen3-coder-480b"},

	{name: "err_trailing_assistant", wantRule: RuleTrailingAssistant, wantInMessage: []string{"messages[1]"}},
	{name: "err_orphan_tool_result", wantRule: RuleOrphanToolResult, wantInMessage: []string{"toolu_gone", "the current message"}},
	{name: "err_missing_tool_result", wantRule: RuleMissingToolResult, wantInMessage: []string{"toolu_x", "the current message"}},
	{name: "err_unsupported_image", wantRule: RuleUnsupportedImage, wantInMessage: []string{"image/bmp", "messages[0].content[0]"}},
	{name: "err_payload_too_large", wantRule: RulePayloadTooLarge, opts: Options{MaxPayloadBytes: 2000}, wantInMessage: []string{"2000-byte limit"}},
	{name: "err_tool_input_not_object", wantRule: RuleInvalidToolInput, wantInMessage: []string{"toolu_s", "JSON object"}},
}

func loadRequest(t testing.TB, name string) *canon.Request {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var req canon.Request
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a misspelt field in an input file must not pass silently
	if err := dec.Decode(&req); err != nil {
		t.Fatalf("%s.input.json: %v", name, err)
	}
	return &req
}

func TestBuildGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			req := loadRequest(t, tc.name)
			opts := tc.opts
			opts.ConversationID = testConversationID
			got, err := Build(req, opts)
			if tc.wantRule != "" {
				var re *RuleError
				if !errors.As(err, &re) {
					t.Fatalf("Build error = %v, want a *RuleError %s", err, tc.wantRule)
				}
				if re.Rule != tc.wantRule {
					t.Fatalf("rule = %s (%s), want %s", re.Rule, re.Message, tc.wantRule)
				}
				for _, s := range tc.wantInMessage {
					if !strings.Contains(re.Message, s) {
						t.Errorf("message %q does not mention %q", re.Message, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if tc.wantModel != "" && got.ModelID != tc.wantModel {
				t.Errorf("ModelID = %q, want %q", got.ModelID, tc.wantModel)
			}
			checkInvariants(t, got.Body, opts)
			var indented bytes.Buffer
			if err := json.Indent(&indented, got.Body, "", "  "); err != nil {
				t.Fatal(err)
			}
			indented.WriteByte('\n')
			path := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(path, indented.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestBuildGolden -update to create it)", err)
			}
			if !bytes.Equal(indented.Bytes(), want) {
				t.Errorf("body differs from %s (run with -update after checking the change):\n%s", path, firstDiff(indented.String(), string(want)))
			}
		})
	}
}

// TestGoldenCasesCoverTestdata keeps input files and the table in step.
func TestGoldenCasesCoverTestdata(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.input.json"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, tc := range goldenCases {
		known[tc.name] = true
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".input.json")
		if !known[name] {
			t.Errorf("%s has no entry in goldenCases", f)
		}
		delete(known, name)
	}
	for name := range known {
		t.Errorf("goldenCases entry %s has no testdata/%s.input.json", name, name)
	}
}

// checkInvariants asserts the fixed parts of section 3 on any built body.
func checkInvariants(t *testing.T, body []byte, opts Options) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	for _, forbidden := range []string{"inferenceConfig", "maxTokens", "max_tokens", "temperature", "topP", "top_p", "stopSequences", "system"} {
		if hasKey(m, forbidden) {
			t.Errorf("body has forbidden key %q", forbidden)
		}
	}
	cs, _ := m["conversationState"].(map[string]any)
	if cs["chatTriggerType"] != "MANUAL" || cs["agentTaskType"] != "vibe" || cs["conversationId"] != opts.ConversationID {
		t.Errorf("conversationState header fields wrong: %v %v %v", cs["chatTriggerType"], cs["agentTaskType"], cs["conversationId"])
	}
	if _, ok := m["profileArn"]; ok != (opts.ProfileARN != "") {
		t.Errorf("profileArn present = %v, want %v", ok, opts.ProfileARN != "")
	}
	hist, _ := cs["history"].([]any)
	for i, h := range hist {
		if u, ok := h.(map[string]any)["userInputMessage"].(map[string]any); ok {
			if u["origin"] != "AI_EDITOR" {
				t.Errorf("history[%d] origin = %v", i, u["origin"])
			}
			if ctx, ok := u["userInputMessageContext"].(map[string]any); ok && ctx["tools"] != nil {
				t.Errorf("history[%d] carries tools", i)
			}
		}
	}
	if err := Preflight(body, opts.MaxPayloadBytes); err != nil {
		t.Errorf("Preflight(built body) = %v", err)
	}
}

func hasKey(v any, key string) bool {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if k == key || hasKey(e, key) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if hasKey(e, key) {
				return true
			}
		}
	}
	return false
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + clip(gl, 200) + "\nwant: " + clip(wl, 200)
		}
	}
	return "(no line differs)"
}
