package kiro

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Usage is an account's credit allowance from getUsageLimits
// (kiro-protocol.md section 9). Limit is the base plan plus the active free
// trial and active bonuses; Used is what was spent of all of them.
type Usage struct {
	Plan       string // subscriptionTitle, e.g. "KIRO PRO"
	Email      string
	Used       float64
	Limit      float64
	BaseLimit  float64
	TrialLimit float64 // 0 unless a trial is active
	BonusLimit float64 // sum of the active bonuses
	ResetAt    time.Time
}

// UsageLimits asks Kiro for the account's plan, email and credits.
func (c *Client) UsageLimits(ctx context.Context, cr Credentials, machineID string) (Usage, error) {
	q := url.Values{"origin": {"AI_EDITOR"}, "resourceType": {"AGENTIC_REQUEST"}, "isEmailRequired": {"true"}}
	if cr.ProfileARN != "" && !cr.IsOIDC() {
		q.Set("profileArn", cr.ProfileARN) // social accounts only, as for chat
	}
	// Through the account's proxy and host table, like chat (a 404 moves
	// on to the next host).
	resp, err := c.doAPI(ctx, cr, true, func(base string) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/getUsageLimits?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		c.headers(req.Header, cr.AccessToken, machineID)
		req.Header.Set("Accept", "application/json")
		req.Header.Del("Content-Type")
		return req, nil
	})
	if err != nil {
		return Usage{}, fmt.Errorf("usage limits: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 256<<10))
	if resp.StatusCode != http.StatusOK {
		return Usage{}, Classify(resp.StatusCode, b)
	}
	return ParseUsageLimits(b, c.now())
}

type usageJSON struct {
	NextDateReset    json.Number `json:"nextDateReset"`
	SubscriptionInfo struct {
		SubscriptionTitle string `json:"subscriptionTitle"`
		Type              string `json:"type"`
	} `json:"subscriptionInfo"`
	UserInfo struct {
		Email string `json:"email"`
	} `json:"userInfo"`
	UsageBreakdownList []struct {
		usageCountsJSON
		ResourceType  string      `json:"resourceType"`
		NextDateReset json.Number `json:"nextDateReset"`
		FreeTrialInfo *struct {
			usageCountsJSON
			FreeTrialStatus string      `json:"freeTrialStatus"`
			FreeTrialExpiry json.Number `json:"freeTrialExpiry"`
		} `json:"freeTrialInfo"`
		Bonuses []struct {
			UsageLimit   json.Number `json:"usageLimit"`
			CurrentUsage json.Number `json:"currentUsage"`
			Status       string      `json:"status"`
			ExpiresAt    json.Number `json:"expiresAt"`
		} `json:"bonuses"`
	} `json:"usageBreakdownList"`
}

// usageCountsJSON is the limit and use of a credit line or its free trial,
// each as a whole number and as a ...WithPrecision one.
type usageCountsJSON struct {
	UsageLimit                json.Number `json:"usageLimit"`
	UsageLimitWithPrecision   json.Number `json:"usageLimitWithPrecision"`
	CurrentUsage              json.Number `json:"currentUsage"`
	CurrentUsageWithPrecision json.Number `json:"currentUsageWithPrecision"`
}

func (c usageCountsJSON) limit() float64 { return precise(c.UsageLimitWithPrecision, c.UsageLimit) }
func (c usageCountsJSON) used() float64  { return precise(c.CurrentUsageWithPrecision, c.CurrentUsage) }

// ParseUsageLimits reads a getUsageLimits answer. A trial or bonus counts
// only while its status is ACTIVE and it has not expired at now. The credit
// line is the one with resourceType CREDIT, else the first.
func ParseUsageLimits(b []byte, now time.Time) (Usage, error) {
	var in usageJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return Usage{}, errors.New("Kiro's usage limits answer is not the JSON expected")
	}
	u := Usage{Plan: in.SubscriptionInfo.SubscriptionTitle, Email: in.UserInfo.Email, ResetAt: epoch(in.NextDateReset)}
	if u.Plan == "" {
		u.Plan = in.SubscriptionInfo.Type
	}
	if len(in.UsageBreakdownList) == 0 {
		return u, nil
	}
	line := &in.UsageBreakdownList[0]
	for i := range in.UsageBreakdownList {
		if strings.EqualFold(in.UsageBreakdownList[i].ResourceType, "CREDIT") {
			line = &in.UsageBreakdownList[i]
			break
		}
	}
	if t := epoch(line.NextDateReset); !t.IsZero() {
		u.ResetAt = t
	}
	u.BaseLimit, u.Used = line.limit(), line.used()
	if tr := line.FreeTrialInfo; tr != nil && strings.EqualFold(tr.FreeTrialStatus, "ACTIVE") && alive(epoch(tr.FreeTrialExpiry), now) {
		u.TrialLimit = tr.limit()
		u.Used += tr.used()
	}
	for _, bo := range line.Bonuses {
		if strings.EqualFold(bo.Status, "ACTIVE") && alive(epoch(bo.ExpiresAt), now) {
			u.BonusLimit += num(bo.UsageLimit)
			u.Used += num(bo.CurrentUsage)
		}
	}
	u.Limit = u.BaseLimit + u.TrialLimit + u.BonusLimit
	return u, nil
}

// precise prefers the ...WithPrecision field (credits are metered to 0.01).
func precise(withPrecision, whole json.Number) float64 {
	if withPrecision != "" {
		return num(withPrecision)
	}
	return num(whole)
}

func num(n json.Number) float64 {
	f, _ := n.Float64()
	return f
}

// epoch reads epoch seconds (or milliseconds, which some answers use).
func epoch(n json.Number) time.Time {
	f := num(n)
	switch {
	case f <= 0:
		return time.Time{}
	case f > 1e12:
		return time.UnixMilli(int64(f)).UTC()
	}
	return time.Unix(int64(f), 0).UTC()
}

// alive is true for no expiry or one still ahead.
func alive(expires, now time.Time) bool { return expires.IsZero() || now.Before(expires) }
