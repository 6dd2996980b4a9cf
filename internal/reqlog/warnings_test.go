package reqlog

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/translate/anthropic"
	"kirodesk/internal/translate/openai"
	"kirodesk/internal/uitext"
)

func TestWarningTextsByShape(t *testing.T) {
	got := WarningTexts([]string{
		`tools[2]: "computer_20250124" tool dropped: computer use is not available through Kiro`,
		`input[13]: "image_generation_call" input item dropped: it carries nothing Kiro can use`,
		`tool_choice "file_search" taken as "auto"`,
		`mcp_servers ignored: the MCP connector is not available through Kiro`,
		`something new a newer translator says`,
	})
	assert.Equal(t, []uitext.Text{
		{Code: "requestWarning.toolDropped", Args: map[string]string{"where": "tools[2]", "type": `"computer_20250124"`, "why": "computer use is not available through Kiro"},
			Text: `tools[2]: "computer_20250124" tool dropped: computer use is not available through Kiro`},
		{Code: "requestWarning.inputItemDropped", Args: map[string]string{"where": "input[13]", "type": `"image_generation_call"`},
			Text: `input[13]: "image_generation_call" input item dropped: it carries nothing Kiro can use`},
		{Code: "requestWarning.toolChoiceAuto", Args: map[string]string{"value": `"file_search"`}, Text: `tool_choice "file_search" taken as "auto"`},
		{Code: "requestWarning.mcpServersIgnored", Text: `mcp_servers ignored: the MCP connector is not available through Kiro`},
		uitext.Plain("something new a newer translator says"),
	}, got)
	assert.Nil(t, WarningTexts(nil))
}

// The warnings the translators really write, from their own fixtures,
// each read back with a code: a translator that changes a sentence's shape
// fails here rather than leaving the window in English.
func TestWarningTextsOfTheTranslators(t *testing.T) {
	body, err := os.ReadFile("../translate/anthropic/testdata/requests/builtin_and_server_tools.json")
	require.NoError(t, err)
	a, err := anthropic.ParseRequest(body, anthropic.ParseOptions{})
	require.NoError(t, err)
	body, err = os.ReadFile("../translate/openai/testdata/codex/tools_turn.json")
	require.NoError(t, err)
	o, _, err := openai.ParseResponsesRequest(body, openai.ParseOptions{})
	require.NoError(t, err)
	choice, _, err := openai.ParseResponsesRequest([]byte(`{"model":"m","input":"hi","tools":[{"type":"file_search"}],"tool_choice":{"type":"file_search"}}`), openai.ParseOptions{})
	require.NoError(t, err)

	ws := append(append(append([]string{}, a.Warnings...), o.Warnings...), choice.Warnings...)
	require.GreaterOrEqual(t, len(ws), 11)
	codes := map[string]bool{}
	for i, x := range WarningTexts(ws) {
		assert.NotEmpty(t, x.Code, "no code for %q", ws[i])
		assert.Equal(t, ws[i], x.Text)
		codes[x.Code] = true
	}
	assert.Equal(t, map[string]bool{"requestWarning.toolDropped": true, "requestWarning.inputItemDropped": true,
		"requestWarning.toolChoiceAuto": true, "requestWarning.mcpServersIgnored": true}, codes)
}
