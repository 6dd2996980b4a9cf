package payload

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"kirodesk/internal/canon"
)

// fuzzReader turns fuzz bytes into decisions; past the end it yields zeros,
// so every input decodes to some request.
type fuzzReader struct {
	b []byte
	i int
}

func (r *fuzzReader) byte() byte {
	if r.i >= len(r.b) {
		return 0
	}
	c := r.b[r.i]
	r.i++
	return c
}

func (r *fuzzReader) intn(n int) int { return int(r.byte()) % n }

// str returns up to max raw bytes (possibly invalid UTF-8, possibly tags).
func (r *fuzzReader) str(max int) string {
	n := r.intn(max + 1)
	end := min(r.i+n, len(r.b))
	s := string(r.b[r.i:end])
	r.i = end
	return s
}

func (r *fuzzReader) pick(options ...string) string {
	if c := r.intn(len(options) + 1); c < len(options) {
		return options[c]
	}
	return r.str(12)
}

var fuzzSchemas = []string{
	`{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}`,
	`{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"x":{"items":{"anyOf":[{"required":[]}]}}}}`,
	`not json`,
	``,
}

// fuzzRequest builds a canon.Request from fuzz bytes. Tool ids come from a
// small pool and results usually answer the previous turn's calls, so a good
// share of inputs are well-formed and reach the encoder and Preflight.
func fuzzRequest(data []byte) *canon.Request {
	r := &fuzzReader{b: data}
	req := &canon.Request{
		Model:  r.pick("claude-sonnet-4-5-20250929", "claude-opus-4-8", "auto", "", "CLAUDE_SONNET_4_5_20250929_V1_0", "gpt-4o"),
		System: r.pick("", "You are helpful.", "<thinking_mode>enabled</thinking_mode>"),
	}
	toolNames := []string{"Bash", "Read", strings.Repeat("mcp__long_server_name__", 4) + "tool", "Grep", strings.Repeat("\xff", 60) + "x"}
	for n := r.intn(4); n > 0; n-- {
		req.Tools = append(req.Tools, canon.Tool{
			Name:        r.pick(toolNames...),
			Description: r.pick("", "runs things", strings.Repeat("d", MaxDescriptionRunes+3)),
			InputSchema: json.RawMessage(r.pick(fuzzSchemas...)),
		})
	}
	switch r.intn(4) {
	case 1:
		req.Thinking = &canon.Thinking{Mode: "enabled", BudgetTokens: int(r.byte()) * 200}
	case 2:
		req.Thinking = &canon.Thinking{Mode: "adaptive", Effort: r.pick("low", "medium", "high", "max")}
	}
	var lastUses []string
	nextID := 0
	nMsgs := 1 + r.intn(8)
	for m := 0; m < nMsgs; m++ {
		role := canon.RoleUser
		if m%2 == 1 {
			role = canon.RoleAssistant
		}
		if r.intn(8) == 7 { // break alternation now and then
			if role == canon.RoleUser {
				role = canon.RoleAssistant
			} else {
				role = canon.RoleUser
			}
		}
		if m == nMsgs-1 && r.intn(6) != 5 {
			role = canon.RoleUser
		}
		msg := canon.Message{Role: role}
		if role == canon.RoleUser {
			for _, id := range lastUses {
				if r.intn(10) == 9 {
					continue // leave a call unanswered
				}
				if r.intn(12) == 11 {
					id = "orphan-" + id
				}
				res := &canon.ToolResult{ToolUseID: id, IsError: r.intn(2) == 0}
				for k := r.intn(3); k > 0; k-- {
					if r.intn(4) == 0 {
						res.Content = append(res.Content, canon.Block{Type: canon.BlockImage, Image: &canon.Image{MediaType: r.pick("image/png", "image/webp"), Data: "iVBORw0KGgo="}})
					} else {
						res.Content = append(res.Content, canon.Block{Type: canon.BlockText, Text: r.str(20)})
					}
				}
				msg.Content = append(msg.Content, canon.Block{Type: canon.BlockToolResult, ToolResult: res})
			}
			lastUses = nil
		} else {
			lastUses = nil
		}
		for k := r.intn(4); k > 0; k-- {
			switch c := r.intn(10); {
			case c < 5:
				msg.Content = append(msg.Content, canon.Block{Type: canon.BlockText, Text: r.str(24)})
			case c < 7 && role == canon.RoleAssistant:
				nextID++
				id := "toolu_" + strconv.Itoa(nextID)
				input := r.pick(`{"command":"ls"}`, `{}`, ``, `null`, `[1]`, `{"s":"<b>\u00e9</b>"}`)
				msg.Content = append(msg.Content, canon.Block{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{ID: id, Name: r.pick(toolNames...), Input: json.RawMessage(input)}})
				lastUses = append(lastUses, id)
			case c < 8 && role == canon.RoleUser:
				msg.Content = append(msg.Content, canon.Block{Type: canon.BlockImage, Image: &canon.Image{MediaType: r.pick("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"), Data: "AAAA"}})
			case c < 9:
				msg.Content = append(msg.Content, canon.Block{Type: canon.BlockThinking, Thinking: &canon.ThinkingBlock{Text: r.str(10)}})
			default:
				msg.Content = append(msg.Content, canon.Block{Type: canon.BlockType(r.pick("tool_result", "tool_use", "image", "document"))})
			}
		}
		req.Messages = append(req.Messages, msg)
	}
	return req
}

// FuzzBuild: Build never panics, fails only with a *RuleError, and every
// body it returns is valid JSON that passes Preflight.
func FuzzBuild(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		req := fuzzRequest(data)
		opts := Options{ConversationID: "fuzz", MaxPayloadBytes: 60_000}
		built, err := Build(req, opts)
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) || re.Rule == "" || re.Message == "" {
				t.Fatalf("Build error %v (%T) is not a complete *RuleError", err, err)
			}
			return
		}
		if !json.Valid(built.Body) {
			t.Fatalf("body is not valid JSON: %s", built.Body)
		}
		if n := MinSize(req); n > len(built.Body) {
			t.Fatalf("MinSize %d is above the built body's %d bytes: CheckSize could refuse a request Build accepts", n, len(built.Body))
		}
		if err := Preflight(built.Body, opts.MaxPayloadBytes); err != nil {
			t.Fatalf("Preflight rejects a built body: %v\n%s", err, built.Body)
		}
		if built.ModelID == "" {
			t.Fatal("empty ModelID")
		}
		for short, orig := range built.ToolNames {
			if len(short) > MaxToolNameLen || ShortenToolName(orig) != short {
				t.Fatalf("ToolNames[%q] = %q is not a shortening", short, orig)
			}
		}
	})
}

// TestFuzzSeedsBuild keeps the committed seed corpus honest: some seeds must
// build successfully (or the fuzz property is never exercised from them) and
// some must hit rules.
func TestFuzzSeedsBuild(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzBuild", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed corpus: %v", err)
	}
	var ok, failed int
	for _, f := range files {
		data := readSeed(t, f)
		req := fuzzRequest(data)
		if built, err := Build(req, Options{ConversationID: "fuzz", MaxPayloadBytes: 60_000}); err == nil {
			assert.LessOrEqual(t, MinSize(req), len(built.Body), "%s: MinSize is a lower bound", f)
			ok++
		} else {
			failed++
		}
	}
	if ok == 0 || failed == 0 {
		t.Errorf("seed corpus: %d build, %d fail; want some of each", ok, failed)
	}
}

// readSeed decodes a "go test fuzz v1" file holding one []byte value.
func readSeed(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(strings.TrimSpace(string(raw)), "\n", 2)
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		t.Fatalf("%s: not a fuzz corpus file", path)
	}
	v := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
	s, err := strconv.Unquote(v)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}
