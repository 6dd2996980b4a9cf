package response

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
)

// TestSplitterHoldsBackOnlyTagStarts feeds deltas one by one and checks what
// each releases at once: only a possible tag start (or whitespace before the
// thinking block) may wait for the next delta.
func TestSplitterHoldsBackOnlyTagStarts(t *testing.T) {
	type step struct{ in, think, text, held string }
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"plain text streams at once", []step{{"Hello", "", "Hello", ""}, {" <thi", "", " <thi", ""}}},
		{"open tag split", []step{{"<thin", "", "", "<thin"}, {"king>ab", "ab", "", ""}}},
		{"open tag one byte", []step{{"<", "", "", "<"}, {"t", "", "", "<t"}, {"x", "", "<tx", ""}}},
		{"whitespace before the block waits", []step{{"\n ", "", "", "\n "}, {"<thinking>a", "a", "", ""}}},
		{"whitespace before text is kept", []step{{"\n ", "", "", "\n "}, {"Hi", "", "\n Hi", ""}}},
		{"close tag split", []step{{"<thinking>abc</th", "abc", "", "</th"}, {"inking>\n\nDone", "", "Done", ""}}},
		{"lone < inside thinking", []step{{"<thinking>a<", "a", "", "<"}, {"b", "<b", "", ""}}},
		{"not a close tag", []step{{"<thinking>a</thinx", "a</thinx", "", ""}}},
		{"whitespace after the block dropped", []step{{"<thinking>a</thinking>", "a", "", ""}, {" \n\t", "", "", ""}, {"\nB", "", "B", ""}}},
		{"whitespace after open tag dropped", []step{{"<thinking>", "", "", ""}, {"\n", "", "", ""}, {"\nx", "x", "", ""}}},
		{"tags after the start are text", []step{{"<thinking>a</thinking>\nb<thinking>c", "a", "b<thinking>c", ""}}},
		{"a quoted close tag is thinking", []step{{"<thinking>say `</thinking>", "say `</thinking>", "", ""}, {"` ok</thinking>\nB", "` ok", "B", ""}}},
		{"answer not starting with a tag", []step{{"x<thinking>a</thinking>", "", "x<thinking>a</thinking>", ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := splitter{enabled: true}
			for i, st := range tc.steps {
				think, text := p.push(st.in)
				assert.Equal(t, st.think, think, "step %d thinking", i)
				assert.Equal(t, st.text, text, "step %d text", i)
				assert.Equal(t, st.held, p.held, "step %d held", i)
			}
		})
	}
}

func TestSplitterFlush(t *testing.T) {
	p := splitter{enabled: true}
	p.push("<thinking>ab</thi")
	think, text := p.flush()
	assert.Equal(t, "</thi", think, "unclosed thinking stays thinking")
	assert.Empty(t, text)

	p = splitter{enabled: true}
	p.push(" <thin")
	think, text = p.flush()
	assert.Empty(t, think)
	assert.Equal(t, " <thin", text)
	_, text = p.push("king>x")
	assert.Equal(t, "king>x", text, "after a flush the answer no longer starts here")
}

// thinkingCases are answers with their expected split, used with every cut.
var thinkingCases = []struct {
	name, in, think, text string
	thinking              bool
}{
	{"block then text", "<thinking>Let me think: 2+2.</thinking>\n\nIt is 4.", "Let me think: 2+2.", "It is 4.", true},
	{"multibyte everywhere", "  <thinking>\n日本語 🙂 ü</thinking>\r\n Grüße 🙂", "日本語 🙂 ü", "Grüße 🙂", true},
	{"angle brackets inside", "<thinking>a < b </thinkin and <x></thinking>\nc</thinking>", "a < b </thinkin and <x>", "c</thinking>", true},
	{"quoted close tag", "<thinking>I end with `</thinking>` here.</thinking>\n\nDone.", "I end with `</thinking>` here.", "Done.", true},
	{"double-quoted close tag", "<thinking>write \"</thinking>\" last</thinking>ok", "write \"</thinking>\" last", "ok", true},
	{"close tag at the very end", "<thinking>only</thinking>", "only", "", true},
	{"no block", "Just <thinking> text", "", "Just <thinking> text", true},
	{"only thinking", "<thinking>unfinished </thinki", "unfinished </thinki", "", true},
	{"thinking off", "<thinking>x</thinking>\n y", "", "<thinking>x</thinking>\n y", false},
	{"tag prefix only", "<thin", "", "<thin", true},
}

// TestThinkingEverySplit cuts each answer at every pair of byte offsets
// (inside tags and inside characters) and checks the output never changes.
func TestThinkingEverySplit(t *testing.T) {
	for _, tc := range thinkingCases {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Thinking: tc.thinking}
			whole := summarize(play(opts, text(tc.in)))
			assert.Equal(t, tc.think, whole.Thinking)
			assert.Equal(t, tc.text, whole.Text)
			n := len(tc.in)
			for i := 0; i <= n; i++ {
				for j := i; j <= n; j++ {
					evs := play(opts, text(tc.in[:i]), text(tc.in[i:j]), text(tc.in[j:]))
					require.NoError(t, checkShape(evs), "cut at %d,%d", i, j)
					got := summarize(evs)
					require.Equal(t, tc.think, got.Thinking, "cut at %d,%d", i, j)
					require.Equal(t, tc.text, got.Text, "cut at %d,%d", i, j)
				}
			}
			var bytes []canon.Event
			d := NewDecoder(opts)
			for k := range n {
				bytes = d.Feed(bytes, text(tc.in[k:k+1]))
			}
			bytes = d.End(bytes)
			require.NoError(t, checkShape(bytes))
			assert.Equal(t, tc.think, summarize(bytes).Thinking, "one byte per delta")
			assert.Equal(t, tc.text, summarize(bytes).Text, "one byte per delta")
		})
	}
}

func TestMultibyteSplitAcrossDeltas(t *testing.T) {
	s := "日" // e6 97 a5
	d := NewDecoder(Options{})
	evs := d.Feed(nil, text("a"+s[:1]))
	assert.Equal(t, []canon.Event{{Kind: canon.EventText, Text: "a"}}, evs, "incomplete character held")
	evs = d.Feed(nil, text(s[1:2]))
	assert.Empty(t, evs)
	evs = d.Feed(nil, text(s[2:]+"b"))
	assert.Equal(t, []canon.Event{{Kind: canon.EventText, Text: "日b"}}, evs)

	// A character never completed becomes U+FFFD at the end, and garbage
	// bytes are replaced where they stand.
	got := summarize(play(Options{}, text("x\xff y"), text("🙂"[:3])))
	assert.Equal(t, "x\uFFFD y\uFFFD", got.Text)
	assert.True(t, utf8.ValidString(got.Text))

	// Fail drops the incomplete character instead of guessing.
	d = NewDecoder(Options{})
	evs = d.Feed(nil, text("ok"+"🙂"[:2]))
	evs = d.Fail(evs, nil)
	assert.Equal(t, "ok", summarize(evs).Text)
}

func TestRuneJoiner(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     []string
		out    string
		tailed bool
	}{
		{"ascii", []string{"ab", "c"}, "abc", false},
		{"4 bytes cut 3 ways", []string{"\xf0\x9f", "\x99", "\x82!"}, "🙂!", false},
		{"bad continuation", []string{"\xe6\x41"}, "\uFFFDA", false},
		{"stray continuation", []string{"\x80a"}, "\uFFFDa", false},
		{"dangling start", []string{"a\xe6"}, "a", true},
		{"overlong start is not carried", []string{"\xc0"}, "\uFFFD", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var j runeJoiner
			var b strings.Builder
			for _, s := range tc.in {
				b.WriteString(j.join(s))
			}
			assert.Equal(t, tc.out, b.String())
			assert.Equal(t, tc.tailed, j.end() != "")
		})
	}
}
