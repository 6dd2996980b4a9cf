package app

import (
	"context"
	"time"

	"kirodesk/internal/logging"
	"kirodesk/internal/reqlog"
)

// RequestLine is one request of the request log, with the account's name.
type RequestLine struct {
	reqlog.Entry
	AccountLabel string `json:"accountLabel,omitempty"`
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
		out[i] = RequestLine{Entry: e, AccountLabel: labels[e.Account]}
	}
	return out, nil
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
func (a *App) RegenerateAPIKey() (string, error) {
	c, err := a.ready()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	key, err := c.RotateAPIKey(ctx)
	if err != nil {
		return "", err
	}
	return key.Reveal(), nil
}
