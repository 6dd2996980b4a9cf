package app

import (
	"bytes"
	"encoding/csv"
	"os"
	"strconv"
	"strings"
	"time"

	"kirodesk/internal/core"
	"kirodesk/internal/logging"
	"kirodesk/internal/reqlog"
	"kirodesk/internal/uitext"
)

// RequestLine is one request of the request log, with the account's name.
type RequestLine struct {
	reqlog.Entry
	AccountLabel string `json:"accountLabel,omitempty"`
	// WarningTexts are Warnings with their codes, for the request detail
	// in the window's language.
	WarningTexts []uitext.Text `json:"warningTexts,omitempty"`
}

// Logs returns the app's recent log lines after seq (0: all kept). Lines
// are formatted and redacted as the log file's are: no credential in them.
func (a *App) Logs(after int64) ([]logging.Line, error) {
	c, err := a.ready()
	if err != nil {
		return nil, err
	}
	return c.LogLines.Since(after), nil
}

// Requests returns the recent requests after seq (0: all kept).
func (a *App) Requests(after int64) ([]RequestLine, error) {
	c, err := a.ready()
	if err != nil {
		return nil, err
	}
	labels := map[string]string{}
	for _, acc := range c.Store.Pool.Snapshot().Accounts {
		labels[acc.ID] = acc.Label
	}
	es := c.Requests.Since(after)
	out := make([]RequestLine, len(es))
	for i, e := range es {
		out[i] = RequestLine{Entry: e, AccountLabel: labels[e.Account], WarningTexts: reqlog.WarningTexts(e.Warnings)}
	}
	return out, nil
}

// ExportRequests asks where to save the kept requests and writes them
// there as CSV (one row per request, its tries in one column). It returns
// the file's path, or "" when the person cancelled. The file is one the
// person chose, not app state, so it is written here and not by the store.
func (a *App) ExportRequests() (string, error) {
	rt := a.windowRuntime()
	if rt == nil {
		return "", ErrNotReady
	}
	lines, err := a.Requests(0)
	if err != nil {
		return "", err
	}
	path, err := rt.SaveFileDialog("Export requests", "kirodesk-requests-"+time.Now().Format("2006-01-02-150405")+".csv")
	if err != nil || path == "" {
		return "", err
	}
	if err := os.WriteFile(path, requestsCSV(lines), 0o600); err != nil {
		return "", err
	}
	return path, nil
}

var requestsCSVHeader = []string{"time", "method", "path", "model", "account", "status", "error", "tries",
	"latency_ms", "first_byte_ms", "bytes_in", "bytes_out", "input_tokens", "output_tokens", "credits", "client",
	"user_agent", "request_id", "warnings", "requested_model", "pinned"}

func requestsCSV(lines []RequestLine) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(requestsCSVHeader)
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, l := range lines {
		acct := l.AccountLabel
		if acct == "" {
			acct = l.Account
		}
		tries := make([]string, len(l.Tries))
		for i, t := range l.Tries {
			name := t.Label
			if name == "" {
				name = t.Account
			}
			tries[i] = name + ": " + t.Outcome
			if t.Status != 0 {
				tries[i] += " " + strconv.Itoa(t.Status)
			}
			if t.Error != "" {
				tries[i] += " (" + t.Error + ")"
			}
		}
		_ = w.Write([]string{l.Time.Local().Format(time.RFC3339), l.Method, l.Path, l.Model, acct, strconv.Itoa(l.Status),
			l.Error, strings.Join(tries, "; "), i64(l.LatencyMs), i64(l.FirstByteMs), i64(l.BytesIn), i64(l.BytesOut),
			strconv.Itoa(l.InputTokens), strconv.Itoa(l.OutputTokens), strconv.FormatFloat(l.Credits, 'f', -1, 64),
			l.Client, l.UserAgent, l.RequestID, strings.Join(l.Warnings, "; "), l.RequestedModel, l.Pinned})
	}
	w.Flush()
	return b.Bytes()
}

// RequestStats returns the dashboard's live figures.
func (a *App) RequestStats() (reqlog.Stats, error) {
	c, err := a.ready()
	if err != nil {
		return reqlog.Stats{}, err
	}
	return c.Requests.Stats(), nil
}

// RegenerateAPIKey replaces the local API key and returns the new one. The
// old key stops working at once; clients must be given the new one.
func (a *App) RegenerateAPIKey() (string, error) { return a.revealKey((*core.Core).RotateAPIKey) }
