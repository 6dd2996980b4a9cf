package payload

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// encodingJSON is what Build wrote before appendPayload: encoding/json's
// Encoder without HTML escaping, its trailing newline cut.
func encodingJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// requireSameAsEncodingJSON assembles req and checks that appendPayload
// writes exactly encoding/json's bytes for it.
func requireSameAsEncodingJSON(t *testing.T, name string, p *wirePayload) {
	t.Helper()
	got, err := appendPayload(nil, p)
	require.NoError(t, err, name)
	if want := encodingJSON(t, p); !bytes.Equal(got, want) {
		t.Fatalf("%s: appendPayload differs from encoding/json:\n%s", name, firstDiff(string(got), string(want)))
	}
}

// TestAppendPayloadMatchesEncodingJSON: for every golden request, the
// benchmark's agent session and every fuzz seed, the hand-written encoder
// writes byte for byte what encoding/json wrote.
func TestAppendPayloadMatchesEncodingJSON(t *testing.T) {
	checked := 0
	for _, tc := range goldenCases {
		opts := tc.opts
		opts.ConversationID = testConversationID
		p, _, _, err := assemble(loadRequest(t, tc.name), opts)
		if err != nil {
			continue // a rule the case exists for, found before the encoding
		}
		requireSameAsEncodingJSON(t, tc.name, p)
		checked++
	}
	p, _, _, err := assemble(benchRequest(), Options{ConversationID: "c", ProfileARN: "arn:aws:x"})
	require.NoError(t, err)
	requireSameAsEncodingJSON(t, "benchRequest", p)

	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzBuild", "*"))
	require.NoError(t, err)
	for _, f := range files {
		if p, _, _, err := assemble(fuzzRequest(readSeed(t, f)), Options{ConversationID: "fuzz"}); err == nil {
			requireSameAsEncodingJSON(t, f, p)
			checked++
		}
	}
	assert.Greater(t, checked, 20, "too few requests compared")
}

// TestAppendPayloadEdges: shapes the builder does not make today but the
// wire types allow (nil result content, raw values with space, no
// profile ARN, a user turn and an assistant turn in one entry).
func TestAppendPayloadEdges(t *testing.T) {
	p := &wirePayload{ConversationState: wireConversationState{
		ConversationID: "c\u2028", ChatTriggerType: "MANUAL", AgentTaskType: "vibe",
		History: []wireHistoryEntry{
			{UserInputMessage: &wireUserInputMessage{Content: "a\x00b\x7f<&>", UserInputMessageContext: &wireUserInputMessageContext{
				ToolResults: []wireToolResult{{ToolUseID: "t", Status: "success"}, {ToolUseID: "u", Content: []wireToolResultContent{}}},
			}}, AssistantResponseMessage: &wireAssistantResponseMessage{Content: "x", ToolUses: []wireToolUse{{Input: json.RawMessage(" { \"a\" : [1, 2] } ")}, {}}}},
			{},
		},
	}}
	requireSameAsEncodingJSON(t, "edges", p)

	_, err := appendPayload(nil, &wirePayload{ConversationState: wireConversationState{History: []wireHistoryEntry{
		{AssistantResponseMessage: &wireAssistantResponseMessage{ToolUses: []wireToolUse{{Input: json.RawMessage("{ nope")}}}},
	}}})
	assert.Error(t, err, "a raw value that is not JSON is an error, as in encoding/json")
}

// FuzzAppendString: appendString writes what encoding/json writes for any
// string, invalid UTF-8 and control bytes included.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\/\b\f\n\r\t\x00\x1f\x7f", "<b>&amp;</b>", "\u2028\u2029\u2027", "\xff\xfe", "é\xc3", "日本語 🙂", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendString(nil, s), encodingJSON(t, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, encoding/json writes %s", s, got, want)
		}
	})
}

// TestSpecial: the eight-byte test finds every byte value that needs a
// look, in every position, and passes plain text.
func TestSpecial(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := c < 0x20 || c == '"' || c == '\\' || c >= 0x80
		for pos := range 8 {
			b := []byte("aaaaaaaa")
			b[pos] = byte(c)
			got := special(binary.LittleEndian.Uint64(b))
			if (got != 0) != want || want && bits.TrailingZeros64(got)/8 != pos {
				t.Fatalf("special(%q) = %x, want a mark at byte %d only if %v", b, got, pos, want)
			}
		}
	}
	assert.Zero(t, special(binary.LittleEndian.Uint64([]byte(" ~!#[]{}"))))
}

// TestSpecialFirstMark: in words with several bytes that need a look, the
// lowest mark is the first of them.
func TestSpecialFirstMark(t *testing.T) {
	alphabet := []byte{0, 0x1f, 0x20, '"', '\\', 'a', 0x7f, 0x80, 0xff, '!', '#', '[', ']'}
	rnd := uint64(1)
	for range 200_000 {
		var b [8]byte
		first := -1
		for i := range b {
			rnd = rnd*6364136223846793005 + 1442695040888963407
			b[i] = alphabet[(rnd>>33)%uint64(len(alphabet))]
			if c := b[i]; first < 0 && (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) {
				first = i
			}
		}
		m := special(binary.LittleEndian.Uint64(b[:]))
		if (m == 0) != (first < 0) || first >= 0 && bits.TrailingZeros64(m)/8 != first {
			t.Fatalf("special(%q) = %x, first byte that needs a look is %d", b, m, first)
		}
	}
}
