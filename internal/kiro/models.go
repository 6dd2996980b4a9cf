package kiro

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"kirodesk/internal/kiro/payload"
)

// ListModels reads the account's model catalogue, following nextToken
// pages. Hosts without the endpoint answer an error; callers fall back to
// payload.BuiltinModels.
func (c *Client) ListModels(ctx context.Context, cr Credentials, machineID string) (payload.ModelCatalog, error) {
	var out payload.ModelCatalog
	next := ""
	for page := 0; page < 20; page++ { // a bound: a host that pages forever must not hang us
		q := url.Values{"origin": {"AI_EDITOR"}}
		if cr.ProfileARN != "" && cr.AuthMethod == "social" {
			q.Set("profileArn", cr.ProfileARN)
		}
		if next != "" {
			q.Set("nextToken", next)
		}
		// No fallback on 404: some hosts lack this endpoint but serve chat.
		resp, err := c.doAPI(ctx, cr, false, func(base string) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/ListAvailableModels?"+q.Encode(), nil)
			if err != nil {
				return nil, err
			}
			c.headers(req.Header, cr.AccessToken, machineID)
			req.Header.Set("Accept", "application/json")
			return req, nil
		})
		if err != nil {
			return nil, err
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, Classify(resp.StatusCode, b)
		}
		var body struct {
			Models []struct {
				ModelID     string `json:"modelId"`
				ModelName   string `json:"modelName"`
				TokenLimits struct {
					MaxInputTokens  int `json:"maxInputTokens"`
					MaxOutputTokens int `json:"maxOutputTokens"`
				} `json:"tokenLimits"`
			} `json:"models"`
			NextToken string `json:"nextToken"`
		}
		if err := json.Unmarshal(b, &body); err != nil {
			return nil, &UpstreamError{Status: resp.StatusCode, Class: ClassServer, Message: "the model list is not valid JSON"}
		}
		for _, m := range body.Models {
			if m.ModelID == "" {
				continue
			}
			out = append(out, payload.Model{ID: m.ModelID, Name: m.ModelName,
				MaxInputTokens: m.TokenLimits.MaxInputTokens, MaxOutputTokens: m.TokenLimits.MaxOutputTokens})
		}
		if body.NextToken == "" {
			return out, nil
		}
		next = body.NextToken
	}
	return out, nil
}
