package kiro

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Class is what an upstream failure means for the request and the account
// (kiro-protocol.md section 6).
type Class int

const (
	ClassServer      Class = iota // 5xx or unknown: retry elsewhere
	ClassBadRequest               // the request's shape: never retry, never blame the account
	ClassTooLong                  // context too large: tell the client
	ClassQuota                    // 402 monthly credits used up: out until reset
	ClassCapacity                 // model capacity: cool the model down, retry elsewhere
	ClassThrottle                 // per-account throttle: cool the account down
	ClassAuth                     // token invalid or expired: refresh once
	ClassSuspended                // account suspended
	ClassModel                    // model not available to this account
	ClassDeadRefresh              // the refresh token is dead: login needed
)

var classNames = map[Class]string{
	ClassServer: "server", ClassBadRequest: "bad_request", ClassTooLong: "too_long", ClassQuota: "quota",
	ClassCapacity: "capacity", ClassThrottle: "throttle", ClassAuth: "auth", ClassSuspended: "suspended",
	ClassModel: "model", ClassDeadRefresh: "dead_refresh",
}

func (c Class) String() string { return classNames[c] }

// UpstreamError is a non-200 answer from Kiro, classified.
type UpstreamError struct {
	Status  int
	Class   Class
	Reason  string // Kiro's "reason" field, when it sent one
	Message string // Kiro's message, passed on to the client
	// RetryAfter is Kiro's Retry-After header, when it sent one.
	RetryAfter time.Duration
}

func (e *UpstreamError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if e.Reason != "" {
		return fmt.Sprintf("Kiro answered %d (%s): %s", e.Status, e.Reason, msg)
	}
	return fmt.Sprintf("Kiro answered %d: %s", e.Status, msg)
}

// PromptTooLong is what a client is told when Kiro refused the
// conversation as too long for the model (ClassTooLong). Claude Code
// compacts the conversation on Anthropic's wording, "prompt is too long";
// OpenAI clients act on the code context_length_exceeded, sent beside it.
func PromptTooLong(e *UpstreamError) string {
	return "prompt is too long: Kiro refused it (" + e.Message + ")"
}

// Retryable reports whether another account (or a refreshed token) may succeed.
func (e *UpstreamError) Retryable() bool {
	switch e.Class {
	case ClassBadRequest, ClassTooLong:
		return false
	}
	return true
}

// Classify reads an error answer. body is at most a few KB of it.
func Classify(status int, body []byte) *UpstreamError {
	var b struct {
		Message  string `json:"message"`
		Message2 string `json:"Message"`
		Reason   string `json:"reason"`
		Type     string `json:"__type"`
		Error    string `json:"error"`
		Desc     string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &b)
	msg := firstNonEmpty(b.Message, b.Message2, b.Desc, b.Error)
	if msg == "" {
		msg = strings.TrimSpace(string(body))
		if len(msg) > 300 {
			msg = msg[:300] + "..."
		}
	}
	e := &UpstreamError{Status: status, Reason: b.Reason, Message: msg}
	lower := strings.ToLower(msg + " " + b.Type)
	switch {
	case b.Reason == "CONTENT_LENGTH_EXCEEDS_THRESHOLD" || strings.Contains(lower, "input is too long"):
		e.Class = ClassTooLong
	case b.Reason == "INVALID_MODEL_ID":
		e.Class = ClassModel
	case b.Reason == "INSUFFICIENT_MODEL_CAPACITY" || b.Reason == "MODEL_TEMPORARILY_UNAVAILABLE" ||
		strings.Contains(lower, "high traffic") || strings.Contains(lower, "unexpectedly high load"):
		e.Class = ClassCapacity
	case status == http.StatusPaymentRequired || b.Reason == "MONTHLY_REQUEST_COUNT":
		e.Class = ClassQuota
	case b.Reason == "TEMPORARILY_SUSPENDED" || strings.Contains(lower, "suspended") || status == http.StatusLocked:
		e.Class = ClassSuspended
	case status == http.StatusTooManyRequests || strings.Contains(lower, "throttl") || strings.Contains(lower, "too many requests"):
		e.Class = ClassThrottle
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Class = ClassAuth
	case status == http.StatusBadRequest:
		e.Class = ClassBadRequest
	default:
		e.Class = ClassServer
	}
	return e
}

// classifyRefresh reads a failed refresh: a dead refresh token means the
// person must log in again; anything else may pass.
func classifyRefresh(status int, body []byte) *UpstreamError {
	e := Classify(status, body)
	lower := strings.ToLower(string(body))
	if strings.Contains(lower, "invalid_grant") || strings.Contains(lower, "bad credentials") ||
		strings.Contains(lower, "invalid refresh token") || status == http.StatusUnauthorized {
		e.Class = ClassDeadRefresh
	}
	return e
}

// ParseRetryAfter reads a Retry-After header: seconds or an HTTP date; 0
// when absent, unreadable or past.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(n, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
