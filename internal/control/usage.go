package control

import (
	"context"
	"net/http"
	"net/url"

	"kirodesk/internal/usage"
)

// UsageAPI is what an instance that keeps a usage history adds to API:
// the history, as `kirodesk usage` asks for it. since, until and by are
// usage.ParseQuery's words.
type UsageAPI interface {
	Usage(ctx context.Context, since, until, by string) (usage.Report, error)
}

// usageRoute serves GET /v1/usage when api keeps a history.
func usageRoute(mux *http.ServeMux, api API) {
	u, ok := api.(UsageAPI)
	if !ok {
		return
	}
	handle(mux, "GET /v1/usage", func(r *http.Request, _ *struct{}) (any, error) {
		q := r.URL.Query()
		return u.Usage(r.Context(), q.Get("since"), q.Get("until"), q.Get("by"))
	})
}

// Usage asks the running instance for its usage history.
func (c *Client) Usage(ctx context.Context, since, until, by string) (usage.Report, error) {
	q := url.Values{"since": {since}, "until": {until}, "by": {by}}
	var out usage.Report
	return out, c.call(ctx, http.MethodGet, "/v1/usage?"+q.Encode(), nil, &out)
}
