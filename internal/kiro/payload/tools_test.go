package payload

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShortenToolName(t *testing.T) {
	long := "mcp__github_enterprise_server__list_pull_request_review_comments_for_repository"
	tests := []struct {
		name string
		in   string
		want string // "" means: check properties only
	}{
		{"short unchanged", "Bash", "Bash"},
		{"exactly 64 unchanged", strings.Repeat("a", 64), strings.Repeat("a", 64)},
		{"65 shortened", strings.Repeat("a", 65), ""},
		{"long mcp name", long, "mcp__github_enterprise_server__list_pull_request_review_a9ae5566"},
		{"multibyte cut on a rune boundary", strings.Repeat("é", 40), ""},
		// 60 bytes in, 180 once each invalid byte becomes U+FFFD on the wire.
		{"invalid UTF-8 measured as sent", strings.Repeat("\xffA", 30), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ShortenToolName(tc.in)
			if tc.want != "" && got != tc.want {
				t.Errorf("= %q, want %q", got, tc.want)
			}
			if len(got) > MaxToolNameLen || !utf8.ValidString(got) {
				t.Errorf("= %q (%d bytes, valid UTF-8 %v)", got, len(got), utf8.ValidString(got))
			}
			if ShortenToolName(tc.in) != got {
				t.Error("not deterministic")
			}
		})
	}
	// Names that share a long prefix must still differ.
	a := ShortenToolName(strings.Repeat("x", 70) + "_alpha")
	b := ShortenToolName(strings.Repeat("x", 70) + "_beta")
	if a == b {
		t.Errorf("distinct names collide: %q", a)
	}
}

func TestCutDescription(t *testing.T) {
	if got := cutDescription("short"); got != "short" {
		t.Errorf("short description changed: %q", got)
	}
	exact := strings.Repeat("d", MaxDescriptionRunes)
	if got := cutDescription(exact); got != exact {
		t.Error("description of exactly the limit was cut")
	}
	long := strings.Repeat("ж", MaxDescriptionRunes+500)
	got := cutDescription(long)
	if n := utf8.RuneCountInString(got); n != MaxDescriptionRunes {
		t.Errorf("cut description has %d characters, want %d", n, MaxDescriptionRunes)
	}
	if !utf8.ValidString(got) || !strings.HasSuffix(got, "the full text was 10500 characters.]") {
		t.Errorf("cut description ends %q", got[len(got)-60:])
	}
}
