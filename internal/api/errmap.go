package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"kirodesk/internal/canon"
	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/pool"
	"kirodesk/internal/relay"
	"kirodesk/internal/server"
)

// errorAnswer is how a failure reaches the client: status, error type,
// OpenAI's error code, Retry-After and the message.
type errorAnswer struct {
	status     int
	kind       server.Kind
	code       string        // OpenAI error code; "" for none
	retryAfter time.Duration // 0: no Retry-After header
	msg        string
}

func (a errorAnswer) write(w http.ResponseWriter, r *http.Request) {
	if a.retryAfter > 0 {
		secs := int((a.retryAfter + time.Second - 1) / time.Second) // rounded up: never "0"
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	server.WriteErrorCode(w, r, a.status, a.kind, a.code, a.msg)
}

// classifyRelayError maps the relay's failure onto what the client sees,
// keeping the class of the upstream failure: the request's own faults are
// 4xx with a message that says how to fix them; Kiro's 5xx is 502, a
// timeout 504, throttling 429 and capacity 529, each with Retry-After
// when there is one; accounts all resting is 429 (503 when none comes back
// by itself). ok is false for errors it does not know.
func classifyRelayError(err error) (a errorAnswer, ok bool) {
	var (
		rule   *payload.RuleError
		model  *relay.ModelError
		failed *relay.Failed
		none   *pool.ErrNoAccount
		pin    *pool.PinError
		up     *kiro.UpstreamError
		late   *canon.StreamError
	)
	switch {
	case errors.As(err, &pin):
		return errorAnswer{status: http.StatusBadRequest, kind: server.KindInvalidRequest, msg: pin.Error()}, true
	case errors.As(err, &rule):
		return errorAnswer{status: http.StatusBadRequest, kind: server.KindInvalidRequest,
			msg: fmt.Sprintf("Kiro would refuse this request (%s): %s", rule.Rule, rule.Message)}, true
	case errors.As(err, &model):
		return errorAnswer{status: http.StatusBadRequest, kind: server.KindInvalidRequest, code: "model_not_found", msg: model.Error()}, true
	case errors.As(err, &none):
		// Before failed: a Failed inside says why the accounts rest.
		a = errorAnswer{status: http.StatusServiceUnavailable, kind: server.KindOverloaded, msg: none.Reason}
		if none.RetryAfter > 0 {
			a.status, a.kind, a.retryAfter = http.StatusTooManyRequests, server.KindRateLimit, none.RetryAfter
		}
		if errors.As(none.Cause, &up) && up.Class == kiro.ClassCapacity {
			a.status, a.kind = 529, server.KindOverloaded // the model is busy, not the accounts
		}
		return a, true
	case errors.As(err, &failed):
		if !errors.As(failed.Last, &up) {
			// No answer, a broken stream: Kiro failed, the request did not.
			return errorAnswer{status: http.StatusBadGateway, kind: server.KindAPI, msg: failed.Error()}, true
		}
		a = upstreamAnswer(up)
		a.msg = failed.Error()
		if a.status == http.StatusTooManyRequests || a.status == 529 {
			a.retryAfter = max(failed.RetryAfter, up.RetryAfter)
		}
		return a, true
	case errors.As(err, &up):
		return upstreamAnswer(up), true
	case errors.Is(err, context.DeadlineExceeded):
		return errorAnswer{status: http.StatusGatewayTimeout, kind: server.KindAPI, msg: "Kiro did not answer in time"}, true
	case errors.As(err, &late):
		return lateAnswer(late), true
	}
	return errorAnswer{}, false
}

// lateAnswer maps a failure that came after Kiro's answer had started onto
// a status, for a client whose answer is sent whole: in a web search loop,
// a later model call's answer that broke off cannot be tried again (the
// earlier rounds are part of it). Its message is the decoder's or the
// loop's own, what a streaming client reads in its error event.
func lateAnswer(e *canon.StreamError) errorAnswer {
	a := errorAnswer{status: http.StatusBadGateway, kind: server.KindAPI, msg: e.Message}
	switch e.Type {
	case canon.ErrContextTooLong:
		a.status, a.kind, a.code = http.StatusBadRequest, server.KindInvalidRequest, canon.ErrContextTooLong
	case "invalid_request_error":
		a.status, a.kind = http.StatusBadRequest, server.KindInvalidRequest
	case "rate_limit_error":
		a.status, a.kind = http.StatusTooManyRequests, server.KindRateLimit
	case "overloaded_error":
		a.status, a.kind = 529, server.KindOverloaded
	}
	if a.msg == "" {
		a.msg = "Kiro's answer failed after it started"
	}
	return a
}

// upstreamAnswer maps one Kiro failure onto the status a client understands.
func upstreamAnswer(e *kiro.UpstreamError) errorAnswer {
	a := errorAnswer{status: http.StatusBadGateway, kind: server.KindAPI, msg: e.Error()}
	switch e.Class {
	case kiro.ClassTooLong:
		// Claude Code compacts the conversation on this wording; OpenAI
		// clients act on the code.
		a = errorAnswer{status: http.StatusBadRequest, kind: server.KindInvalidRequest, code: "context_length_exceeded",
			msg: kiro.PromptTooLong(e)}
	case kiro.ClassBadRequest, kiro.ClassModel:
		a.status, a.kind = http.StatusBadRequest, server.KindInvalidRequest
	case kiro.ClassThrottle, kiro.ClassQuota:
		a.status, a.kind, a.retryAfter = http.StatusTooManyRequests, server.KindRateLimit, e.RetryAfter
	case kiro.ClassCapacity:
		a.status, a.kind, a.retryAfter = 529, server.KindOverloaded, e.RetryAfter
	case kiro.ClassAuth, kiro.ClassDeadRefresh, kiro.ClassSuspended:
		a.status = http.StatusServiceUnavailable
	case kiro.ClassServer:
		if e.Status == http.StatusGatewayTimeout {
			a.status = http.StatusGatewayTimeout // Kiro, or the first-byte wait, timed out
		}
	}
	return a
}
