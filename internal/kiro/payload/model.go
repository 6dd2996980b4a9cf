package payload

import "strings"

// Model is one entry of an account's ListAvailableModels catalogue.
type Model struct {
	ID              string // Kiro model id, e.g. "claude-sonnet-4.5"
	Name            string // display name, e.g. "Claude Sonnet 4.5"
	MaxInputTokens  int    // context window; 0 if unknown
	MaxOutputTokens int    // 0 if unknown
}

// ModelCatalog is the list of models an account may use.
type ModelCatalog []Model

// Lookup returns the catalogue entry whose ID equals id (case-insensitive).
func (c ModelCatalog) Lookup(id string) (Model, bool) {
	for _, m := range c {
		if strings.EqualFold(m.ID, id) {
			return m, true
		}
	}
	return Model{}, false
}

// BuiltinModels is the fallback catalogue for hosts without
// ListAvailableModels (kiro-protocol.md section 1). Context windows follow
// section 4: 200k by default, 1M for the newest Opus/Sonnet generations.
// The 1M entries and the absent output limits are best knowledge, not
// measured; an account's own catalogue (tokenLimits) always wins.
func BuiltinModels() ModelCatalog {
	return ModelCatalog{
		{ID: "auto", Name: "Auto", MaxInputTokens: 200_000},
		{ID: "claude-sonnet-4", Name: "Claude Sonnet 4", MaxInputTokens: 200_000},
		{ID: "claude-sonnet-4.5", Name: "Claude Sonnet 4.5", MaxInputTokens: 200_000},
		{ID: "claude-sonnet-4.6", Name: "Claude Sonnet 4.6", MaxInputTokens: 1_000_000},
		{ID: "claude-haiku-4.5", Name: "Claude Haiku 4.5", MaxInputTokens: 200_000},
		{ID: "claude-opus-4.5", Name: "Claude Opus 4.5", MaxInputTokens: 200_000},
		{ID: "claude-opus-4.6", Name: "Claude Opus 4.6", MaxInputTokens: 1_000_000},
		{ID: "claude-opus-4.7", Name: "Claude Opus 4.7", MaxInputTokens: 1_000_000},
		{ID: "claude-opus-4.8", Name: "Claude Opus 4.8", MaxInputTokens: 1_000_000},
		{ID: "claude-3.7-sonnet", Name: "Claude 3.7 Sonnet", MaxInputTokens: 200_000},
	}
}

// NormalizeModel maps a client's model name to a Kiro model id
// (kiro-protocol.md section 4).
//
// The name is normalised: lower case, "_" and spaces become "-", a trailing
// "-latest", a legacy version tag ("_V1_0", "-v1:0") and a date
// ("-20250929") are cut, and a dash between two short version numbers becomes
// a dot, so "claude-sonnet-4-5-20250929", "CLAUDE_SONNET_4_5_20250929_V1_0"
// and "claude-sonnet-4-5-latest" all become "claude-sonnet-4.5".
//
// The catalogue (the built-in one when cat is empty) is preferred: an entry
// whose ID equals the name exactly wins, then one whose normalised ID or
// display name equals the normalised name, and its ID is returned as the
// catalogue spells it. Otherwise Claude names are returned normalised (a
// newer model the table does not know yet still gets Kiro's spelling) and
// any other name is passed through unchanged, never refused: Kiro answers
// INVALID_MODEL_ID itself if it does not know it. "" stays "".
func NormalizeModel(name string, cat ModelCatalog) string {
	raw := strings.TrimSpace(name)
	if raw == "" {
		return ""
	}
	if len(cat) == 0 {
		cat = BuiltinModels()
	}
	for _, m := range cat {
		if m.ID == raw {
			return m.ID
		}
	}
	key := normalizeModelKey(raw)
	for _, m := range cat {
		if m.ID != "" && (normalizeModelKey(m.ID) == key || (m.Name != "" && normalizeModelKey(m.Name) == key)) {
			return m.ID
		}
	}
	if key == "auto" || strings.HasPrefix(key, "claude") {
		return key
	}
	return raw
}

// modelSeparators turns the separators model names use into "-"; built
// once (NormalizeModel runs on every request, against every catalogue entry).
var modelSeparators = strings.NewReplacer("_", "-", " ", "-")

// normalizeModelKey is the comparison form described on NormalizeModel.
func normalizeModelKey(name string) string {
	s := strings.ToLower(strings.TrimSpace(name))
	s = modelSeparators.Replace(s)
	segs := strings.Split(s, "-")
	if len(segs) >= 2 && segs[len(segs)-1] == "latest" {
		segs = segs[:len(segs)-1]
	}
	// Legacy/Bedrock version tags: "...-v1-0" (from _V1_0), "...-v1:0", "...-v1".
	if n := len(segs); n >= 2 && isDigits(segs[n-1], 1, 3) && isVersionTag(segs[n-2]) {
		segs = segs[:n-2]
	} else if n >= 2 && isVersionTag(strings.SplitN(segs[n-1], ":", 2)[0]) {
		segs = segs[:n-1]
	}
	if n := len(segs); n >= 2 && isDigits(segs[n-1], 8, 8) {
		segs = segs[:n-1]
	}
	out := make([]string, 0, len(segs))
	joinable := false // the previous output segment is a lone short number
	for _, seg := range segs {
		short := isDigits(seg, 1, 2)
		if short && joinable {
			out[len(out)-1] += "." + seg
			joinable = false
			continue
		}
		out = append(out, seg)
		joinable = short
	}
	return strings.Join(out, "-")
}

// isVersionTag reports whether s is "v" followed by 1-3 digits.
func isVersionTag(s string) bool {
	return len(s) >= 2 && s[0] == 'v' && isDigits(s[1:], 1, 3)
}

func isDigits(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
