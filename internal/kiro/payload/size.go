package payload

import (
	"strings"

	"kirodesk/internal/canon"
)

// MinSize is a lower bound of the size of the body Build makes from req:
// the bytes of what Build copies over unchanged (the system prompt, texts,
// tool results' texts, images' base64), without the quotes, escapes and
// fields it adds around them, and without anything it may drop or cut
// (thinking, tools, tool inputs). Whitespace-only texts, which Build may
// leave out, are not counted either.
func MinSize(req *canon.Request) int {
	n := 0
	if strings.TrimSpace(req.System) != "" {
		n += len(req.System)
	}
	for i := range req.Messages {
		m := &req.Messages[i]
		if m.Role != canon.RoleUser && m.Role != canon.RoleAssistant {
			continue
		}
		for j := range m.Content {
			n += blockMinSize(&m.Content[j], m.Role == canon.RoleUser)
		}
	}
	return n
}

func blockMinSize(b *canon.Block, user bool) int {
	switch {
	case b.Type == canon.BlockText && strings.TrimSpace(b.Text) != "":
		return len(b.Text)
	case b.Type == canon.BlockImage && user && b.Image != nil:
		return len(b.Image.Data)
	case b.Type == canon.BlockToolResult && user && b.ToolResult != nil:
		n := 0
		for k := range b.ToolResult.Content {
			// Build keeps a result's texts and images, nothing else.
			if c := &b.ToolResult.Content[k]; c.Type == canon.BlockText || c.Type == canon.BlockImage {
				n += blockMinSize(c, true)
			}
		}
		return n
	}
	return 0
}

// CheckSize refuses, as Build would, a request whose Kiro body would be
// larger than maxBytes (<= 0: DefaultMaxPayloadBytes) by MinSize alone.
// Building a large request costs several times its size in memory; this
// costs nothing, so callers run it first. A nil result does not promise
// that Build succeeds.
func CheckSize(req *canon.Request, maxBytes int) error {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxPayloadBytes
	}
	if n := MinSize(req); n > maxBytes {
		return ruleErr(RulePayloadTooLarge, "the Kiro request would be at least %d bytes, above the %d-byte limit; compact or shorten the conversation, or drop large tool results and images", n, maxBytes)
	}
	return nil
}
