package eventstream

import (
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

func TestToolCalls(t *testing.T) {
	frag := func(id, name, in string, stop bool) ToolUseFragment {
		return ToolUseFragment{ID: id, Name: name, Input: in, Stop: stop}
	}
	tests := []struct {
		name      string
		frags     []ToolUseFragment
		wantDone  []string // ids finished by Add, in order
		wantFinal []ToolCall
	}{
		{
			name:      "single call",
			frags:     []ToolUseFragment{frag("a", "read", "", false), frag("a", "", `{"p":`, false), frag("a", "", `1}`, false), frag("a", "", "", true)},
			wantDone:  []string{"a"},
			wantFinal: []ToolCall{{ID: "a", Name: "read", Input: `{"p":1}`, Status: ToolCallComplete}},
		},
		{
			name: "interleaved ids",
			frags: []ToolUseFragment{
				frag("a", "read", `{"x"`, false), frag("b", "write", `{"y"`, false),
				frag("a", "read", `:1}`, false), frag("b", "write", `:2}`, true), frag("a", "read", "", true),
			},
			wantDone: []string{"b", "a"},
			wantFinal: []ToolCall{
				{ID: "a", Name: "read", Input: `{"x":1}`, Status: ToolCallComplete},
				{ID: "b", Name: "write", Input: `{"y":2}`, Status: ToolCallComplete},
			},
		},
		{
			name:      "empty input is an empty object",
			frags:     []ToolUseFragment{frag("a", "now", "", false), frag("a", "now", "", true)},
			wantDone:  []string{"a"},
			wantFinal: []ToolCall{{ID: "a", Name: "now", Input: "{}", Status: ToolCallComplete}},
		},
		{
			name:      "input on the stop frame",
			frags:     []ToolUseFragment{frag("a", "x", `{"k":true}`, true)},
			wantDone:  []string{"a"},
			wantFinal: []ToolCall{{ID: "a", Name: "x", Input: `{"k":true}`, Status: ToolCallComplete}},
		},
		{
			name: "truncated: stream ends without stop",
			frags: []ToolUseFragment{
				frag("a", "write", `{"content":"aaaa`, false), frag("b", "ls", `{}`, true), frag("a", "write", `bbbb`, false),
			},
			wantDone: []string{"b"},
			wantFinal: []ToolCall{
				{ID: "a", Name: "write", Input: `{"content":"aaaabbbb`, Status: ToolCallTruncated},
				{ID: "b", Name: "ls", Input: `{}`, Status: ToolCallComplete},
			},
		},
		{
			name:      "stop with broken JSON",
			frags:     []ToolUseFragment{frag("a", "x", `{"k":`, false), frag("a", "x", "", true)},
			wantDone:  []string{"a"},
			wantFinal: []ToolCall{{ID: "a", Name: "x", Input: `{"k":`, Status: ToolCallInvalidInput}},
		},
		{
			name:      "valid JSON that is not an object",
			frags:     []ToolUseFragment{frag("a", "x", `[1,2]`, true)},
			wantDone:  []string{"a"},
			wantFinal: []ToolCall{{ID: "a", Name: "x", Input: `[1,2]`, Status: ToolCallInvalidInput}},
		},
		{
			name:      "fragments after stop are ignored",
			frags:     []ToolUseFragment{frag("a", "x", `{}`, true), frag("a", "x", `{}`, true), frag("a", "x", `junk`, false)},
			wantDone:  []string{"a"},
			wantFinal: []ToolCall{{ID: "a", Name: "x", Input: `{}`, Status: ToolCallComplete}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tc ToolCalls
			var done []string
			for _, f := range tt.frags {
				if c, ok := tc.Add(f); ok {
					require.NotNil(t, c)
					done = append(done, c.ID)
				}
			}
			assert.Equal(t, tt.wantDone, done)
			final := tc.Finish()
			assert.Equal(t, tt.wantFinal, final)
			pending := false
			for _, c := range final {
				pending = pending || c.Status == ToolCallTruncated
				if c.Status == ToolCallComplete {
					assert.NoError(t, c.Err())
				} else {
					var te *ToolInputError
					require.ErrorAs(t, c.Err(), &te)
					assert.Equal(t, c.Status, te.Status)
				}
			}
			assert.Equal(t, pending, tc.Pending())
		})
	}
}

func TestToolInputErrorMessage(t *testing.T) {
	c := ToolCall{ID: "t1", Name: "write", Input: "{\"a", Status: ToolCallTruncated}
	assert.EqualError(t, c.Err(), "tool call write (t1): input truncated by upstream after 3 bytes")
	c.Status = ToolCallInvalidInput
	assert.EqualError(t, c.Err(), "tool call write (t1): input is not valid JSON (3 bytes)")
}

func TestToolCallsZeroFinish(t *testing.T) {
	var tc ToolCalls
	assert.Empty(t, tc.Finish())
	assert.False(t, tc.Pending())
}
