package usage

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// Columns of the table and the CSV, after the group's own.
var columns = []string{"requests", "errors", "input tokens", "output tokens", "cache read", "cache write",
	"estimated", "credits", "p50 ms", "p95 ms", "first byte p50 ms", "first byte p95 ms"}

func cells(r Row) []string {
	return []string{strconv.FormatInt(r.Requests, 10), strconv.FormatInt(r.Errors, 10),
		strconv.FormatInt(r.InputTokens, 10), strconv.FormatInt(r.OutputTokens, 10),
		strconv.FormatInt(r.CacheRead, 10), strconv.FormatInt(r.CacheWrite, 10),
		strconv.FormatInt(r.Estimated, 10), strconv.FormatFloat(r.Credits, 'f', 2, 64),
		strconv.FormatInt(r.P50Ms, 10), strconv.FormatInt(r.P95Ms, 10),
		strconv.FormatInt(r.FirstByteP50Ms, 10), strconv.FormatInt(r.FirstByteP95Ms, 10)}
}

// label is how a row's key is shown to a person: hours and days in the
// report's time zone, names as they are.
func label(by, key string) string {
	t, err := time.Parse(time.RFC3339, key)
	if err != nil {
		return key
	}
	if by == ByDay {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04")
}

// WriteCSV writes the report as CSV: a header, a line per row, the total.
func WriteCSV(w io.Writer, rep Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(append([]string{rep.By}, columns...))
	for _, r := range rep.Rows {
		_ = cw.Write(append([]string{label(rep.By, r.Key)}, cells(r)...))
	}
	_ = cw.Write(append([]string{"total"}, cells(rep.Total)...))
	cw.Flush()
	return cw.Error()
}

// WriteTable writes the report as an aligned table for a terminal, with
// the forecasts under it.
func WriteTable(w io.Writer, rep Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	line := func(cs []string) {
		for _, c := range cs {
			fmt.Fprint(tw, c, "\t")
		}
		fmt.Fprintln(tw)
	}
	line(append([]string{rep.By}, columns...))
	for _, r := range rep.Rows {
		line(append([]string{label(rep.By, r.Key)}, cells(r)...))
	}
	line(append([]string{"total"}, cells(rep.Total)...))
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, f := range rep.Forecasts {
		if _, err := fmt.Fprintln(w, f.Text); err != nil {
			return err
		}
	}
	return nil
}
