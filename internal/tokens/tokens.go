// Package tokens estimates token counts locally, for count_tokens and for
// usage when Kiro reports none. Claude's tokenizer is not public; cl100k
// (embedded in tiktoken-go, no download) is a close, stable stand-in, and
// the estimate is labelled as one wherever it is reported.
package tokens

import (
	"encoding/json"
	"sync"

	"github.com/tiktoken-go/tokenizer"

	"kirodesk/internal/canon"
)

// Counter counts tokens. The zero value is ready; it loads the vocabulary
// on first use (it is not needed at start-up).
type Counter struct {
	once sync.Once
	enc  tokenizer.Codec
	err  error
}

func (c *Counter) codec() tokenizer.Codec {
	c.once.Do(func() { c.enc, c.err = tokenizer.Get(tokenizer.Cl100kBase) })
	return c.enc
}

// Text counts the tokens of s.
func (c *Counter) Text(s string) int {
	if s == "" {
		return 0
	}
	enc := c.codec()
	if enc == nil {
		return (len(s) + 3) / 4 // the vocabulary is embedded; this cannot happen, but never fail a request over it
	}
	n, err := enc.Count(s)
	if err != nil {
		return (len(s) + 3) / 4
	}
	return n
}

// perMessage is the framing each message costs beyond its text (role
// markers); perImage approximates a mid-size image, which Claude bills by
// pixels the proxy does not decode.
const (
	perMessage = 4
	perImage   = 1600
	perTool    = 8
)

// Request estimates the input tokens of a whole request.
func (c *Counter) Request(r *canon.Request) int {
	n := c.Text(r.System)
	for _, m := range r.Messages {
		n += perMessage + c.blocks(m.Content)
	}
	for _, t := range r.Tools {
		n += perTool + c.Text(t.Name) + c.Text(t.Description) + c.Text(string(t.InputSchema))
	}
	return n
}

func (c *Counter) blocks(bs []canon.Block) int {
	n := 0
	for _, b := range bs {
		switch b.Type {
		case canon.BlockText:
			n += c.Text(b.Text)
		case canon.BlockImage:
			n += perImage
		case canon.BlockToolUse:
			n += c.Text(b.ToolUse.Name) + c.Text(string(b.ToolUse.Input))
		case canon.BlockToolResult:
			n += c.blocks(b.ToolResult.Content)
		case canon.BlockThinking:
			n += c.Text(b.Thinking.Text)
		}
	}
	return n
}

// JSON counts a JSON value's text form (tool input).
func (c *Counter) JSON(v json.RawMessage) int { return c.Text(string(v)) }
