package payload

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"kirodesk/internal/canon"
)

// benchRequest is an agent session of the usual shape: a Claude Code sized
// system prompt, 30 tools with JSON schemas, and 40 turns in which every
// assistant turn calls a tool and every user turn answers it.
func benchRequest() *canon.Request {
	req := &canon.Request{
		Model:    "claude-sonnet-4-5-20250929",
		System:   strings.Repeat("You are an interactive CLI tool that helps users with software engineering tasks. ", 150),
		Thinking: &canon.Thinking{Mode: "enabled", BudgetTokens: 16000},
	}
	for i := 0; i < 30; i++ {
		req.Tools = append(req.Tools, canon.Tool{
			Name:        fmt.Sprintf("mcp__workspace_server__tool_number_%02d_with_a_descriptive_name", i),
			Description: strings.Repeat("Does one specific thing to the workspace and reports the outcome. ", 12),
			InputSchema: json.RawMessage(`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"path":{"type":"string","description":"Absolute path"},"recursive":{"type":"boolean"},"options":{"type":"object","properties":{"depth":{"type":"integer","minimum":0},"filters":{"type":"array","items":{"type":"string"}}},"additionalProperties":false}},"required":["path"],"additionalProperties":false}`),
		})
	}
	req.Messages = append(req.Messages, userMsg(text("Refactor the payload builder and run the tests.")))
	for i := 0; i < 20; i++ {
		id := fmt.Sprintf("toolu_%03d", i)
		req.Messages = append(req.Messages,
			asstMsg(text("Let me look at the next file."), canon.Block{Type: canon.BlockToolUse, ToolUse: &canon.ToolUse{
				ID: id, Name: req.Tools[i%30].Name, Input: json.RawMessage(`{"path":"/work/main/internal/kiro/payload/build.go","recursive":false}`),
			}}),
			userMsg(canon.Block{Type: canon.BlockToolResult, ToolResult: &canon.ToolResult{ToolUseID: id, Content: []canon.Block{text(strings.Repeat("func example() { return }\n", 60))}}}),
		)
	}
	return req
}

func BenchmarkBuild(b *testing.B) {
	req := benchRequest()
	opts := Options{ConversationID: "7f0e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"}
	built, err := Build(req, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(built.Body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(req, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPreflight(b *testing.B) {
	built, err := Build(benchRequest(), Options{ConversationID: "c"})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(built.Body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Preflight(built.Body, 0); err != nil {
			b.Fatal(err)
		}
	}
}
