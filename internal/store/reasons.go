package store

import (
	"maps"

	"kirodesk/internal/uitext"
)

// Why an account is not ready, with codes the window translates
// (frontend/src/i18n, "gotext.account"); pool.json keeps the English
// reason beside its code and arguments, so the CLI and older builds read it
// as before.
var (
	ReasonNoCredentials  = uitext.Define("account.noCredentials", "its credentials are missing from the keychain: log in again")
	ReasonLoginAgain     = uitext.Define("account.loginAgain", "{{error}}: log in again")
	ReasonRefreshRefused = uitext.Define("account.refreshRefused", "Kiro no longer accepts its refresh token: log in again")
	ReasonSuspended      = uitext.Define("account.suspended", "Kiro suspended the account: {{message}}")
	ReasonCreditsUsed402 = uitext.Define("account.creditsUsed402", "monthly credits used up (402)")
	ReasonCreditsUsed    = uitext.Define("account.creditsUsed", "all {{used}} of its {{limit}} monthly credits are used")
	ReasonCoolingNoReply = uitext.Define("account.coolingNoAnswer", "cooling down after {{n}} failure(s) (no answer)")
	ReasonCoolingFailed  = uitext.Define("account.coolingFailures", "cooling down after {{n}} failure(s) ({{status}})")
	ReasonCoolingThrottl = uitext.Define("account.coolingThrottles", "cooling down after {{n}} throttle(s) ({{status}})")
)

// WithReason returns the state with its reason in both forms: Reason the
// English, ReasonCode and ReasonArgs for the window.
func (s AccountState) WithReason(t uitext.Text) AccountState {
	s.Reason, s.ReasonCode, s.ReasonArgs = t.Text, t.Code, maps.Clone(t.Args)
	return s
}

// ReasonText is the reason with its code (none for a reason written by an
// older build: the window shows it as is).
func (s AccountState) ReasonText() uitext.Text {
	return uitext.Text{Code: s.ReasonCode, Args: maps.Clone(s.ReasonArgs), Text: s.Reason}
}
