package openai

import (
	"errors"
	"unicode/utf8"

	"kirodesk/internal/canon"
)

// Web search in a Responses answer. Kirodesk runs the search itself
// (internal/websearch); a call is a web_search_call output item,
//
//	output_item.added (in_progress), web_search_call.in_progress,
//	web_search_call.searching  -- EventServerToolUse
//	web_search_call.completed, output_item.done  -- EventServerToolResult
//
// and a citation is a url_citation annotation on the message text
// (output_text.annotation.added), spanning the text written since the
// previous citation. The item's status is "failed" when the search failed.

type searchActionJSON struct {
	Type  string `json:"type"`
	Query string `json:"query"`
}

type urlCitationJSON struct {
	Type       string `json:"type"`
	StartIndex int    `json:"start_index"`
	EndIndex   int    `json:"end_index"`
	Title      string `json:"title"`
	URL        string `json:"url"`
}

type annotationEventJSON struct {
	eventHead
	ItemID          string          `json:"item_id"`
	OutputIndex     int             `json:"output_index"`
	ContentIndex    int             `json:"content_index"`
	AnnotationIndex int             `json:"annotation_index"`
	Annotation      urlCitationJSON `json:"annotation"`
}

type searchEventJSON struct {
	eventHead
	ItemID      string `json:"item_id"`
	OutputIndex int    `json:"output_index"`
}

func searchItem(su *canon.ServerToolUse, respID string, idx int, status string) outputItemJSON {
	return outputItemJSON{ID: itemID("web_search_call", respID, idx), Type: "web_search_call", Status: status,
		Action: &searchActionJSON{Type: "search", Query: su.Query}}
}

// ServerToolUse opens a web_search_call item.
func (rw *responsesRenderer) ServerToolUse(su *canon.ServerToolUse) error {
	if err := rw.closeItem("completed"); err != nil {
		return err
	}
	idx := len(rw.output)
	item := searchItem(su, rw.start.ID, idx, "in_progress")
	rw.output = append(rw.output, item)
	rw.search = idx
	if err := rw.event(&itemEventJSON{eventHead: eventHead{Type: "response.output_item.added"}, OutputIndex: idx, Item: &item}); err != nil {
		return err
	}
	for _, typ := range []string{"response.web_search_call.in_progress", "response.web_search_call.searching"} {
		if err := rw.event(&searchEventJSON{eventHead: eventHead{Type: typ}, ItemID: item.ID, OutputIndex: idx}); err != nil {
			return err
		}
	}
	return nil
}

// ServerToolResult completes (or fails) the web_search_call item.
func (rw *responsesRenderer) ServerToolResult(sr *canon.ServerToolResult) error {
	idx := rw.search
	if idx < 0 {
		return errors.New("openai: a web search result without its call")
	}
	rw.search = -1
	item := &rw.output[idx]
	item.Status = "completed"
	if sr.ErrorCode != "" {
		item.Status = "failed"
	}
	if err := rw.event(&searchEventJSON{eventHead: eventHead{Type: "response.web_search_call.completed"}, ItemID: item.ID, OutputIndex: idx}); err != nil {
		return err
	}
	done := *item
	return rw.event(&itemEventJSON{eventHead: eventHead{Type: "response.output_item.done"}, OutputIndex: idx, Item: &done})
}

// Citation annotates the open message's text written since the last one.
func (rw *responsesRenderer) Citation(c *canon.Citation) error {
	if rw.open == nil || rw.open.Type != "message" {
		return nil // nothing to annotate
	}
	end := utf8.RuneCountInString(rw.text.String())
	a := urlCitationJSON{Type: "url_citation", StartIndex: rw.cited, EndIndex: end, Title: c.Title, URL: c.URL}
	rw.cited = end
	rw.annots = append(rw.annots, a)
	return rw.event(&annotationEventJSON{eventHead: eventHead{Type: "response.output_text.annotation.added"}, ItemID: rw.open.ID,
		OutputIndex: len(rw.output), AnnotationIndex: len(rw.annots) - 1, Annotation: a})
}

// urlCitations renders a whole text block's citations, each spanning the
// text since the previous one (canon.Citation.End).
func urlCitations(cs []canon.Citation) []any {
	out := make([]any, 0, len(cs))
	start := 0
	for _, c := range cs {
		out = append(out, urlCitationJSON{Type: "url_citation", StartIndex: start, EndIndex: c.End, Title: c.Title, URL: c.URL})
		start = c.End
	}
	return out
}
