package fakekiro

import (
	"net/http"
	"strconv"
	"time"
)

// Model is one ListAvailableModels entry (kiro-protocol.md section 1).
type Model struct {
	ModelID        string      `json:"modelId"`
	ModelName      string      `json:"modelName"`
	Description    string      `json:"description"`
	RateMultiplier float64     `json:"rateMultiplier"`
	RateUnit       string      `json:"rateUnit"`
	TokenLimits    TokenLimits `json:"tokenLimits"`
}

// TokenLimits is part of Model.
type TokenLimits struct {
	MaxInputTokens  int `json:"maxInputTokens"`
	MaxOutputTokens int `json:"maxOutputTokens"`
}

// DefaultModels is a catalogue shaped like Kiro's.
func DefaultModels() []Model {
	m := func(id, name string, mult float64, in int) Model {
		return Model{ModelID: id, ModelName: name, Description: name + " (fake)", RateMultiplier: mult, RateUnit: "credit",
			TokenLimits: TokenLimits{MaxInputTokens: in, MaxOutputTokens: 64000}}
	}
	return []Model{
		m("auto", "Auto", 1, 200000),
		m("claude-sonnet-4.5", "Claude Sonnet 4.5", 1.3, 200000),
		m("claude-sonnet-4.6", "Claude Sonnet 4.6", 1.3, 1000000),
		m("claude-haiku-4.5", "Claude Haiku 4.5", 0.4, 200000),
		m("claude-opus-4.5", "Claude Opus 4.5", 2.2, 200000),
	}
}

// UsageLimits is the getUsageLimits answer (kiro-protocol.md section 9).
type UsageLimits struct {
	NextDateReset      float64          `json:"nextDateReset"`
	DaysUntilReset     int              `json:"daysUntilReset"`
	SubscriptionInfo   SubscriptionInfo `json:"subscriptionInfo"`
	UserInfo           UserInfo         `json:"userInfo"`
	UsageBreakdownList []UsageBreakdown `json:"usageBreakdownList"`
}

// SubscriptionInfo is part of UsageLimits.
type SubscriptionInfo struct {
	SubscriptionTitle string `json:"subscriptionTitle"`
	Type              string `json:"type"`
}

// UserInfo is part of UsageLimits.
type UserInfo struct {
	Email  string `json:"email"`
	UserID string `json:"userId"`
}

// UsageBreakdown is part of UsageLimits.
type UsageBreakdown struct {
	ResourceType              string         `json:"resourceType"`
	DisplayName               string         `json:"displayName"`
	CurrentUsage              int            `json:"currentUsage"`
	CurrentUsageWithPrecision float64        `json:"currentUsageWithPrecision"`
	UsageLimit                int            `json:"usageLimit"`
	UsageLimitWithPrecision   float64        `json:"usageLimitWithPrecision"`
	NextDateReset             float64        `json:"nextDateReset"`
	FreeTrialInfo             *FreeTrialInfo `json:"freeTrialInfo,omitempty"`
	Bonuses                   []Bonus        `json:"bonuses,omitempty"`
}

// FreeTrialInfo is part of UsageLimits.
type FreeTrialInfo struct {
	FreeTrialStatus           string  `json:"freeTrialStatus"`
	FreeTrialExpiry           float64 `json:"freeTrialExpiry"`
	UsageLimit                int     `json:"usageLimit"`
	UsageLimitWithPrecision   float64 `json:"usageLimitWithPrecision"`
	CurrentUsage              int     `json:"currentUsage"`
	CurrentUsageWithPrecision float64 `json:"currentUsageWithPrecision"`
}

// Bonus is part of UsageLimits.
type Bonus struct {
	UsageLimit   float64 `json:"usageLimit"`
	CurrentUsage float64 `json:"currentUsage"`
	Status       string  `json:"status"`
	ExpiresAt    float64 `json:"expiresAt"`
}

// DefaultUsageLimits is a free plan with 50 credits, resetting next month.
func DefaultUsageLimits(email string) UsageLimits {
	now := time.Now().UTC()
	reset := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	return UsageLimits{
		NextDateReset: float64(reset.Unix()), DaysUntilReset: int(reset.Sub(now).Hours() / 24),
		SubscriptionInfo: SubscriptionInfo{SubscriptionTitle: "KIRO FREE", Type: "Q_DEVELOPER_STANDALONE_FREE"},
		UserInfo:         UserInfo{Email: email, UserID: "fake-user"},
		UsageBreakdownList: []UsageBreakdown{{
			ResourceType: "CREDIT", DisplayName: "Credits", UsageLimit: 50, UsageLimitWithPrecision: 50,
			NextDateReset: float64(reset.Unix()),
		}},
	}
}

// models is GET /ListAvailableModels?origin=AI_EDITOR[&profileArn=][&nextToken=].
func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	if s.bearer(w, r) == nil {
		return
	}
	if r.URL.Query().Get("origin") == "" {
		writeRaw(w, http.StatusBadRequest, BodyImproperlyFormed)
		return
	}
	all := s.opts.Models
	start, _ := strconv.Atoi(r.URL.Query().Get("nextToken"))
	start = min(max(start, 0), len(all))
	end := len(all)
	if n := s.opts.ModelsPageSize; n > 0 {
		end = min(start+n, len(all))
	}
	resp := map[string]any{"models": all[start:end]}
	if end < len(all) {
		resp["nextToken"] = strconv.Itoa(end)
	}
	writeJSON(w, http.StatusOK, resp)
}

// usageLimits is GET /getUsageLimits. The base credit line's usage is the
// account's configured usage plus everything its played scripts metered.
func (s *Server) usageLimits(w http.ResponseWriter, r *http.Request) {
	acct := s.bearer(w, r)
	if acct == nil {
		return
	}
	s.mu.Lock()
	var l UsageLimits
	if acct.Limits != nil {
		l = *acct.Limits
		l.UsageBreakdownList = append([]UsageBreakdown(nil), l.UsageBreakdownList...)
	} else {
		l = DefaultUsageLimits(acct.Email)
	}
	if len(l.UsageBreakdownList) > 0 {
		b := &l.UsageBreakdownList[0]
		b.CurrentUsageWithPrecision += acct.credits
		b.CurrentUsage = int(b.CurrentUsageWithPrecision)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, l)
}
