// Package tokens estimates token counts locally, for count_tokens and for
// usage when Kiro reports none. Claude's tokenizer is not public; cl100k
// (its vocabulary embedded, no download) is a close, stable stand-in, and
// the estimate is labelled as one wherever it is reported. The counts are
// tiktoken's, checked against tiktoken-go in the tests; the vocabulary is
// kept in a compact form of our own (bpe.go says why).
package tokens

import (
	"encoding/json"
	"hash/maphash"
	"sync"

	"kirodesk/internal/canon"
)

// Counter counts tokens. The zero value is ready; it loads the vocabulary
// on first use (it is not needed at start-up).
//
// It remembers the counts of long texts it has seen: a coding agent sends
// its whole conversation every turn (system prompt, tool schemas, every
// earlier message and tool result), so after the first turn nearly every
// text of a request was counted before, and BPE on a 500 KB turn costs tens
// of milliseconds while hashing it costs tens of microseconds.
type Counter struct {
	once  sync.Once
	vocab *vocab

	mu        sync.Mutex
	cur, prev map[textKey]int // two generations: a text still in use survives a turnover
}

// seed keys the memory of counts (textKey), for every Counter.
var seed = maphash.MakeSeed()

// textKey names a text by its hash and length.
type textKey struct {
	hash uint64
	n    int
}

const (
	// minCached is the shortest text whose count is remembered: all of
	// them. Even a tool's four-letter name costs microseconds and
	// allocations through the tokenizer's regexp, and tens of nanoseconds
	// to look up; a conversation has hundreds of short texts.
	minCached = 1
	// cacheGeneration is how many texts one generation of the memory
	// holds (a 500 KB conversation has a few hundred); two generations of
	// small entries stay well under a few MB.
	cacheGeneration = 16 << 10
)

func (c *Counter) cl100k() *vocab {
	c.once.Do(func() { c.vocab = newVocab(cl100kData) })
	return c.vocab
}

// Text counts the tokens of s.
func (c *Counter) Text(s string) int {
	if s == "" {
		return 0
	}
	if len(s) < minCached {
		return c.count(s)
	}
	return c.cached(textKey{hash: maphash.String(seed, s), n: len(s)}, func() string { return s })
}

// raw counts a JSON text (tool input, schema) without copying it into a
// string unless it was never counted.
func (c *Counter) raw(b []byte) int {
	if len(b) < minCached {
		return c.Text(string(b))
	}
	return c.cached(textKey{hash: maphash.Bytes(seed, b), n: len(b)}, func() string { return string(b) })
}

// cached is count, remembered by the text's key; text returns the text.
func (c *Counter) cached(k textKey, text func() string) int {
	c.mu.Lock()
	if c.cur == nil {
		c.cur = make(map[textKey]int)
	}
	n, ok := c.cur[k]
	if !ok {
		if n, ok = c.prev[k]; ok {
			c.cur[k] = n
		}
	}
	c.mu.Unlock()
	if ok {
		return n
	}
	n = c.count(text())
	c.mu.Lock()
	if len(c.cur) >= cacheGeneration {
		c.prev, c.cur = c.cur, make(map[textKey]int, len(c.cur))
	}
	c.cur[k] = n
	c.mu.Unlock()
	return n
}

// count runs the tokenizer.
func (c *Counter) count(s string) int { return c.cl100k().count(s) }

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
		n += perTool + c.Text(t.Name) + c.Text(t.Description) + c.raw(t.InputSchema)
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
			n += c.Text(b.ToolUse.Name) + c.raw(b.ToolUse.Input)
		case canon.BlockToolResult:
			n += c.blocks(b.ToolResult.Content)
		case canon.BlockThinking:
			n += c.Text(b.Thinking.Text)
		}
	}
	return n
}

// JSON counts a JSON value's text form (tool input).
func (c *Counter) JSON(v json.RawMessage) int { return c.raw(v) }
