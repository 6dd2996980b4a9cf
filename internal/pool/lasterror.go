package pool

import (
	"context"
	"errors"
	"net"
	"time"

	"kirodesk/internal/kiro"
	"kirodesk/internal/store"
	"kirodesk/internal/uitext"
)

// An account's last failure as its card shows it, by the class of the
// failure (frontend/src/i18n, "gotext.lastError"). The detail is the
// failure as Go wrote it (Kiro's status, reason and message, or the
// network's error) and stays as it is in every language.
var (
	lastThrottled        = uitext.Define("lastError.throttled", "throttled by Kiro: {{detail}}")
	lastCreditsUsed      = uitext.Define("lastError.creditsUsed", "monthly credits used up: {{detail}}")
	lastSuspended        = uitext.Define("lastError.suspended", "Kiro suspended the account: {{detail}}")
	lastTokenRefused     = uitext.Define("lastError.tokenRefused", "Kiro refused the access token: {{detail}}")
	lastSignInAgain      = uitext.Define("lastError.signInAgain", "Kiro no longer accepts the sign-in; sign in again: {{detail}}")
	lastModelUnavailable = uitext.Define("lastError.modelUnavailable", "the model is not available to this account: {{detail}}")
	lastCapacity         = uitext.Define("lastError.capacity", "the model has no capacity left at Kiro right now: {{detail}}")
	lastTimeout          = uitext.Define("lastError.timeout", "Kiro did not answer in time: {{detail}}")
	lastServer           = uitext.Define("lastError.server", "Kiro failed on its side: {{detail}}")
	lastRefused          = uitext.Define("lastError.refused", "Kiro refused the request: {{detail}}")
	lastTimedOut         = uitext.Define("lastError.timedOut", "no answer from Kiro in time: {{detail}}")
	lastUnreachable      = uitext.Define("lastError.unreachable", "Kiro could not be reached: {{detail}}")
	lastConnectionLost   = uitext.Define("lastError.connectionLost", "the connection to Kiro broke: {{detail}}")
	lastFailed           = uitext.Define("lastError.failed", "the request to Kiro failed: {{detail}}")
)

// lastError is the record of a failed attempt: the kind the relay already
// judged it (Kiro's class, or what the network said), with the error's own
// words as the detail.
func lastError(err error, at time.Time) *store.LastError {
	var m uitext.Msg
	var ue *kiro.UpstreamError
	status := 0
	if errors.As(err, &ue) {
		status = ue.Status
		m = upstreamMsg(ue)
	} else {
		m = networkMsg(err)
	}
	t := m.With("detail", err.Error())
	return &store.LastError{At: at, Status: status, Message: t.Text, Code: t.Code, Args: t.Args}
}

func upstreamMsg(ue *kiro.UpstreamError) uitext.Msg {
	switch ue.Class {
	case kiro.ClassThrottle:
		return lastThrottled
	case kiro.ClassQuota:
		return lastCreditsUsed
	case kiro.ClassSuspended:
		return lastSuspended
	case kiro.ClassAuth:
		return lastTokenRefused
	case kiro.ClassDeadRefresh:
		return lastSignInAgain
	case kiro.ClassModel:
		return lastModelUnavailable
	case kiro.ClassCapacity:
		return lastCapacity
	case kiro.ClassBadRequest, kiro.ClassTooLong:
		return lastRefused
	}
	switch ue.Status {
	case 408, 504: // the relay's first-byte timeout is a 504 too
		return lastTimeout
	}
	return lastServer
}

// networkMsg tells a failure with no answer from Kiro apart: out of time,
// never connected (DNS, refused, unreachable), or cut off once connected.
func networkMsg(err error) uitext.Msg {
	var ne net.Error
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return lastTimedOut
	case errors.As(err, &dns), errors.As(err, &op) && op.Op == "dial":
		return lastUnreachable
	case errors.As(err, &op):
		return lastConnectionLost
	}
	return lastFailed
}
