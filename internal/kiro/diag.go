package kiro

import (
	"context"
	"io"
	"net/http"
	"net/url"
)

// CheckUsage calls getUsageLimits and reports only whether Kiro answered
// it: the connection test of diagnostics. (Reading the limits themselves
// is the quota code's job.)
func (c *Client) CheckUsage(ctx context.Context, cr Credentials, machineID string) error {
	q := url.Values{"origin": {"AI_EDITOR"}, "resourceType": {"AGENTIC_REQUEST"}, "isEmailRequired": {"true"}}
	if cr.ProfileARN != "" && cr.AuthMethod == "social" {
		q.Set("profileArn", cr.ProfileARN)
	}
	resp, err := c.doAPI(ctx, cr, true, func(base string) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/getUsageLimits?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		c.headers(req.Header, cr.AccessToken, machineID)
		req.Header.Set("Accept", "application/json")
		return req, nil
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return Classify(resp.StatusCode, b)
	}
	return nil
}
