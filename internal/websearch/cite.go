package websearch

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"kirodesk/internal/canon"
)

// Citations. The model is asked to cite a result by its number in square
// brackets ("[2]"); the text passes through unchanged and each such
// marker that names a result shown in this response is followed by a
// citation event for that result (Anthropic's web_search_result_location,
// a Responses url_citation). A marker split across two text deltas is held
// back until the next delta shows whether it closes.

var marker = regexp.MustCompile(`\[(\d{1,3})\]`)

type citer struct {
	results *[]canon.SearchResult
	hold    string
}

func newCiter(results *[]canon.SearchResult) *citer { return &citer{results: results} }

func (c *citer) reset() *citer { return &citer{results: c.results} }

// feed returns the events for one text delta: text, each complete marker
// followed by its citation.
func (c *citer) feed(text string) []canon.Event {
	s := c.hold + text
	c.hold = ""
	if i := strings.LastIndexByte(s, '['); i >= 0 && openMarker(s[i+1:]) {
		s, c.hold = s[:i], s[i:]
	}
	var out []canon.Event
	from := 0
	for _, m := range marker.FindAllStringSubmatchIndex(s, -1) {
		n, _ := strconv.Atoi(s[m[2]:m[3]])
		if n < 1 || n > len(*c.results) {
			continue
		}
		out = append(out, canon.Event{Kind: canon.EventText, Text: s[from:m[1]]})
		r := (*c.results)[n-1]
		out = append(out, canon.Event{Kind: canon.EventCitation, Citation: &canon.Citation{URL: r.URL, Title: r.Title, CitedText: clipRunes(r.Snippet, citedTextMaxRunes)}})
		from = m[1]
	}
	if from < len(s) {
		out = append(out, canon.Event{Kind: canon.EventText, Text: s[from:]})
	}
	return out
}

// flush returns what is held back, as text.
func (c *citer) flush() []canon.Event {
	if c.hold == "" {
		return nil
	}
	s := c.hold
	c.hold = ""
	return []canon.Event{{Kind: canon.EventText, Text: s}}
}

// openMarker reports whether rest (what follows a '[') may still become
// a marker: up to three digits and no ']' yet.
func openMarker(rest string) bool {
	if len(rest) > 3 {
		return false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// resultsText is what the model reads for one search: numbered results
// (numbers continue across the searches of one response, so a citation
// names one result).
func resultsText(query string, results []canon.SearchResult, first int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Web search results for %q:\n", query)
	if len(results) == 0 {
		b.WriteString("(no results)\n")
	}
	for i, r := range results {
		if b.Len() > toolResultMaxBytes {
			break
		}
		fmt.Fprintf(&b, "\n[%d] %s\nURL: %s\n", first+i, r.Title, r.URL)
		if r.PageAge != "" {
			fmt.Fprintf(&b, "Published: %s\n", r.PageAge)
		}
		if s := strings.TrimSpace(r.Snippet); s != "" {
			b.WriteString(s)
			b.WriteString("\n")
		}
	}
	b.WriteString("\nWhen your answer uses a result, cite it by its number in square brackets, e.g. [")
	b.WriteString(strconv.Itoa(first))
	b.WriteString("].")
	return b.String()
}

// failureText is what the model reads when a search did not run.
func failureText(code string) string {
	switch code {
	case ErrMaxUses:
		return "Web search is not available: the search limit for this answer is reached. Answer with what you have."
	case ErrInvalidInput:
		return "Web search needs a non-empty query."
	case ErrQueryTooLong:
		return "The web search query is too long; use a shorter one."
	}
	return "The web search failed (" + code + "). Tell the user it failed and answer from what you know."
}

func clipRunes(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}
