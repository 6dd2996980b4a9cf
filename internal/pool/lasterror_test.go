package pool

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/kiro"
	"kirodesk/internal/uitext"
)

// Each kind of failure the relay knows gets its own code; the detail is
// the failure's own words (Kiro's message among them), as they were.
func TestLastErrorIsClassified(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	read := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	cases := []struct {
		code   string
		status int
		err    error
	}{
		{"lastError.throttled", 429, &kiro.UpstreamError{Status: 429, Class: kiro.ClassThrottle, Reason: "ThrottlingException", Message: "Too many requests"}},
		{"lastError.creditsUsed", 402, &kiro.UpstreamError{Status: 402, Class: kiro.ClassQuota, Message: "You have reached the limit."}},
		{"lastError.suspended", 403, &kiro.UpstreamError{Status: 403, Class: kiro.ClassSuspended, Message: "Your account is suspended"}},
		{"lastError.tokenRefused", 403, &kiro.UpstreamError{Status: 403, Class: kiro.ClassAuth, Message: "The bearer token is invalid"}},
		{"lastError.signInAgain", 400, &kiro.UpstreamError{Status: 400, Class: kiro.ClassDeadRefresh, Message: "invalid_grant"}},
		{"lastError.modelUnavailable", 400, &kiro.UpstreamError{Status: 400, Class: kiro.ClassModel, Reason: "INVALID_MODEL_ID", Message: "Invalid model"}},
		{"lastError.capacity", 429, &kiro.UpstreamError{Status: 429, Class: kiro.ClassCapacity, Message: "insufficient model capacity"}},
		{"lastError.timeout", 504, &kiro.UpstreamError{Status: 504, Class: kiro.ClassServer, Message: "Kiro did not start answering within 90s"}},
		{"lastError.server", 500, &kiro.UpstreamError{Status: 500, Class: kiro.ClassServer, Message: "Internal error"}},
		{"lastError.refused", 400, &kiro.UpstreamError{Status: 400, Class: kiro.ClassTooLong, Message: "Input is too long"}},
		{"lastError.timedOut", 0, fmt.Errorf("no answer from Kiro: %w", context.DeadlineExceeded)},
		{"lastError.unreachable", 0, fmt.Errorf("no answer from Kiro: %w", dial)},
		{"lastError.unreachable", 0, fmt.Errorf("no answer from Kiro: %w", &net.DNSError{Err: "no such host", Name: "q.us-east-1.amazonaws.com", IsNotFound: true})},
		{"lastError.connectionLost", 0, read},
		{"lastError.failed", 0, errors.New("Kiro sent nothing for 2m0s and the answer was cut off")},
	}
	at := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			le := lastError(c.err, at)
			assert.Equal(t, c.code, le.Code)
			assert.Equal(t, map[string]string{"detail": c.err.Error()}, le.Args, "Kiro's or the network's words, as they are")
			assert.Equal(t, c.status, le.Status)
			assert.Equal(t, at, le.At)
			assert.Contains(t, le.Message, c.err.Error(), "the English keeps the whole failure for the CLI")
			assert.Equal(t, uitext.Text{Code: c.code, Args: le.Args, Text: le.Message}, le.Text())
		})
	}
}

// Report records the coded failure on the account, and the card reads it
// back through the store with its code.
func TestReportRecordsTheCodedLastError(t *testing.T) {
	f := newFixture(t, 1, time.Now().Add(time.Hour))
	f.pool.Report(context.Background(), f.ids[0], Outcome{Err: &kiro.UpstreamError{Status: 429, Class: kiro.ClassThrottle, Message: "Too many requests"}})
	le := f.st.Pool.Snapshot().Account(f.ids[0]).LastError
	require.NotNil(t, le)
	assert.Equal(t, "lastError.throttled", le.Code)
	assert.Equal(t, "throttled by Kiro: Kiro answered 429: Too many requests", le.Message)
	assert.Equal(t, 429, le.Status)
}
