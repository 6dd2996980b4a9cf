package payload

import "testing"

func TestNormalizeModel(t *testing.T) {
	catalog := ModelCatalog{
		{ID: "claude-sonnet-4.5", Name: "Claude Sonnet 4.5"},
		{ID: "CLAUDE_3_7_SONNET_20250219_V1_0", Name: "Claude 3.7 Sonnet"},
		{ID: "auto", Name: "Auto"},
	}
	tests := []struct {
		in   string
		cat  ModelCatalog
		want string
	}{
		// Section 4 table, built-in catalogue.
		{"claude-sonnet-4-5", nil, "claude-sonnet-4.5"},
		{"claude-sonnet-4-5-20250929", nil, "claude-sonnet-4.5"},
		{"claude-sonnet-4-6", nil, "claude-sonnet-4.6"},
		{"claude-haiku-4-5", nil, "claude-haiku-4.5"},
		{"claude-haiku-4-5-20251001", nil, "claude-haiku-4.5"},
		{"claude-opus-4-5-20251101", nil, "claude-opus-4.5"},
		{"claude-opus-4-6", nil, "claude-opus-4.6"},
		{"claude-opus-4-7", nil, "claude-opus-4.7"},
		{"claude-opus-4-8-20260301", nil, "claude-opus-4.8"},
		{"claude-sonnet-4-5-latest", nil, "claude-sonnet-4.5"},
		{"claude-sonnet-4-20250514", nil, "claude-sonnet-4"},
		{"claude-3-7-sonnet-20250219", nil, "claude-3.7-sonnet"},
		{"CLAUDE_SONNET_4_5_20250929_V1_0", nil, "claude-sonnet-4.5"},
		{"  Claude-Sonnet-4.5  ", nil, "claude-sonnet-4.5"},
		{"auto", nil, "auto"},
		{"AUTO", nil, "auto"},
		// A Claude model newer than the table still gets Kiro's spelling.
		{"claude-opus-5-1-20270101", nil, "claude-opus-5.1"},
		// Unknown, non-Claude names pass through untouched.
		{"qwen3-coder-480b", nil, "qwen3-coder-480b"},
		{"gpt-4o", nil, "gpt-4o"},
		{"", nil, ""},
		{"latest", nil, "latest"},
		{"v1", nil, "v1"},
		// Account catalogue preferred: exact, normalised id, display name.
		{"claude-sonnet-4.5", catalog, "claude-sonnet-4.5"},
		{"claude-sonnet-4-5-20250929", catalog, "claude-sonnet-4.5"},
		{"claude-3-7-sonnet-20250219", catalog, "CLAUDE_3_7_SONNET_20250219_V1_0"},
		{"Claude 3.7 Sonnet", catalog, "CLAUDE_3_7_SONNET_20250219_V1_0"},
		{"claude-opus-4-6", catalog, "claude-opus-4.6"}, // not in catalogue: normalised
	}
	for _, tc := range tests {
		if got := NormalizeModel(tc.in, tc.cat); got != tc.want {
			t.Errorf("NormalizeModel(%q, %d models) = %q, want %q", tc.in, len(tc.cat), got, tc.want)
		}
	}
}

func TestModelCatalogLookup(t *testing.T) {
	cat := BuiltinModels()
	m, ok := cat.Lookup("Claude-Opus-4.6")
	if !ok || m.ID != "claude-opus-4.6" || m.MaxInputTokens != 1_000_000 {
		t.Errorf("Lookup(opus 4.6) = %+v, %v", m, ok)
	}
	if _, ok := cat.Lookup("nope"); ok {
		t.Error("Lookup(nope) found something")
	}
	// Every built-in id is its own normal form, so NormalizeModel is stable on its output.
	for _, m := range cat {
		if got := NormalizeModel(m.ID, nil); got != m.ID {
			t.Errorf("NormalizeModel(%q) = %q, not a fixed point", m.ID, got)
		}
	}
	cat[0].ID = "changed"
	if BuiltinModels()[0].ID == "changed" {
		t.Error("BuiltinModels returns shared state")
	}
}
