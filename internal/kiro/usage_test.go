package kiro_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/store"
)

func TestUsageLimitsAddsActiveTrialAndBonusesOnly(t *testing.T) {
	fake, c := setup(t)
	acct := fake.AddAccount(fakekiro.FakeAccount{Email: "pat@example.com", ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/X"})
	now := time.Now()
	reset := now.Add(72 * time.Hour).Truncate(time.Second)
	l := fakekiro.DefaultUsageLimits("pat@example.com")
	l.SubscriptionInfo.SubscriptionTitle = "KIRO PRO"
	line := &l.UsageBreakdownList[0]
	line.UsageLimitWithPrecision, line.CurrentUsageWithPrecision = 1000, 120.25
	line.NextDateReset = float64(reset.Unix())
	line.FreeTrialInfo = &fakekiro.FreeTrialInfo{FreeTrialStatus: "ACTIVE", FreeTrialExpiry: float64(now.Add(time.Hour).Unix()),
		UsageLimitWithPrecision: 500, CurrentUsageWithPrecision: 10}
	line.Bonuses = []fakekiro.Bonus{
		{UsageLimit: 100, CurrentUsage: 5, Status: "ACTIVE", ExpiresAt: float64(now.Add(time.Hour).Unix())},
		{UsageLimit: 300, CurrentUsage: 300, Status: "EXPIRED"},
		{UsageLimit: 50, CurrentUsage: 1, Status: "ACTIVE", ExpiresAt: float64(now.Add(-time.Hour).Unix())}, // past its time
	}
	require.True(t, fake.SetUsageLimits("pat@example.com", l))
	cr := kiro.Credentials{AccessToken: acct.AccessToken, RefreshToken: acct.RefreshToken, AuthMethod: store.AuthSocial, ProfileARN: acct.ProfileARN}

	u, err := c.UsageLimits(context.Background(), cr, kiro.MachineID("acc-1"))
	require.NoError(t, err)
	assert.Equal(t, "KIRO PRO", u.Plan)
	assert.Equal(t, "pat@example.com", u.Email)
	assert.InDelta(t, 1000, u.BaseLimit, 0.001)
	assert.InDelta(t, 500, u.TrialLimit, 0.001)
	assert.InDelta(t, 100, u.BonusLimit, 0.001)
	assert.InDelta(t, 1600, u.Limit, 0.001)
	assert.InDelta(t, 135.25, u.Used, 0.001)
	assert.Equal(t, reset.UTC(), u.ResetAt)

	req := fake.Requests()[len(fake.Requests())-1]
	assert.Equal(t, fakekiro.PathUsage, req.Path)
	assert.Equal(t, "AI_EDITOR", req.Query.Get("origin"))
	assert.Equal(t, "true", req.Query.Get("isEmailRequired"))
	assert.Equal(t, acct.ProfileARN, req.Query.Get("profileArn"), "social accounts send their profile")
	assert.Contains(t, req.Header.Get("x-amz-user-agent"), kiro.MachineID("acc-1"))
}

func TestUsageLimitsWithABadTokenIsAnAuthError(t *testing.T) {
	_, c := setup(t)
	_, err := c.UsageLimits(context.Background(), kiro.Credentials{AccessToken: "nope"}, kiro.MachineID("x"))
	var ue *kiro.UpstreamError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, kiro.ClassAuth, ue.Class)
}

func TestParseUsageLimitsToleratesWholeNumbersAndMilliseconds(t *testing.T) {
	u, err := kiro.ParseUsageLimits([]byte(`{"nextDateReset":1767225600000,"subscriptionInfo":{"type":"Q_DEVELOPER_STANDALONE_FREE"},
		"usageBreakdownList":[{"resourceType":"OTHER","usageLimit":9},{"resourceType":"CREDIT","currentUsage":50,"usageLimit":50,
		"freeTrialInfo":{"freeTrialStatus":"EXPIRED","usageLimit":500}}]}`), time.Now())
	require.NoError(t, err)
	assert.Equal(t, "Q_DEVELOPER_STANDALONE_FREE", u.Plan)
	assert.InDelta(t, 50, u.Limit, 0.001, "the CREDIT line, without the expired trial")
	assert.InDelta(t, 50, u.Used, 0.001)
	assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), u.ResetAt)
	_, err = kiro.ParseUsageLimits([]byte(`[1]`), time.Now())
	assert.Error(t, err)
}
