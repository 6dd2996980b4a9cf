package reqlog

import (
	"regexp"

	"kirodesk/internal/uitext"
)

// What the translators dropped or changed in a request (canon.Request.Warn
// in internal/translate), with codes the request detail translates
// (frontend/src/i18n, "gotext.requestWarning"). The translators write
// English sentences, which stay as they are for the log, the CSV export and
// clients; the window's text is read back from them here, by their shapes.
// A sentence of no known shape is shown as is, so a new warning is never
// lost, only untranslated; TestWarningTextsOfTheTranslators runs the
// translators, so a changed shape fails there.
var (
	warnToolDropped = uitext.Define("requestWarning.toolDropped", "{{where}}: {{type}} tool dropped: {{why}}")
	warnItemDropped = uitext.Define("requestWarning.inputItemDropped", "{{where}}: {{type}} input item dropped: it carries nothing Kiro can use")
	warnToolChoice  = uitext.Define("requestWarning.toolChoiceAuto", `tool_choice {{value}} taken as "auto"`)
	warnMCPIgnored  = uitext.Define("requestWarning.mcpServersIgnored", "mcp_servers ignored: the MCP connector is not available through Kiro")
	warningShapes   = []struct {
		re   *regexp.Regexp
		msg  uitext.Msg
		args []string // the names of re's groups, in order
	}{
		{regexp.MustCompile(`^(.+): ("(?:[^"\\]|\\.)*") tool dropped: (.+)$`), warnToolDropped, []string{"where", "type", "why"}},
		{regexp.MustCompile(`^(.+): ("(?:[^"\\]|\\.)*") input item dropped: it carries nothing Kiro can use$`), warnItemDropped, []string{"where", "type"}},
		{regexp.MustCompile(`^tool_choice ("(?:[^"\\]|\\.)*") taken as "auto"$`), warnToolChoice, []string{"value"}},
		{regexp.MustCompile(`^mcp_servers ignored: the MCP connector is not available through Kiro$`), warnMCPIgnored, nil},
	}
)

// WarningTexts are a request's warnings for the window, each with its code
// when it has a known shape; its English is the warning as written.
func WarningTexts(ws []string) []uitext.Text {
	if len(ws) == 0 {
		return nil
	}
	out := make([]uitext.Text, len(ws))
	for i, w := range ws {
		out[i] = warningText(w)
	}
	return out
}

func warningText(w string) uitext.Text {
	for _, s := range warningShapes {
		m := s.re.FindStringSubmatch(w)
		if m == nil {
			continue
		}
		kv := make([]string, 0, 2*len(s.args))
		for j, name := range s.args {
			kv = append(kv, name, m[j+1])
		}
		if t := s.msg.With(kv...); t.Text == w {
			return t
		}
	}
	return uitext.Plain(w)
}
