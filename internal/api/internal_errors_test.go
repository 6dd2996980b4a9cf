package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
	"kirodesk/internal/kiro"
	"kirodesk/internal/reqlog"
	"kirodesk/internal/usage"
)

// An unclassified failure reaches the client as a fixed message with a
// request id; its text goes to the log and the id to the request log.
func TestUnknownErrorsGiveARequestIDNotTheirText(t *testing.T) {
	var logs bytes.Buffer
	h := New(Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx, note := reqlog.WithNote(t.Context())
	r := httptest.NewRequestWithContext(ctx, "POST", "/v1/chat/completions", nil)
	w := httptest.NewRecorder()
	h.writeRelayError(w, r, errors.New("dial tcp 10.0.0.7:443: secret detail"))

	assert.Equal(t, 502, w.Code)
	var e struct {
		Error struct{ Message, Type string }
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
	assert.Equal(t, "server_error", e.Error.Type)
	assert.NotContains(t, w.Body.String(), "secret detail")
	m := regexp.MustCompile(`^internal error \(request id (req_[0-9a-f]{24})\); the details are in Kirodesk's log under that id$`).
		FindStringSubmatch(e.Error.Message)
	require.NotNil(t, m, e.Error.Message)
	id := m[1]

	assert.Contains(t, logs.String(), "request_id="+id)
	assert.Contains(t, logs.String(), "secret detail")
	assert.Contains(t, logs.String(), "level=ERROR")
	assert.Equal(t, id, note.Entry(time.Now(), "POST", "/v1/chat/completions", 502).RequestID)
}

// Classified failures keep their own, specific messages and get no id.
func TestClassifiedErrorsKeepTheirMessages(t *testing.T) {
	h := New(Options{})
	ctx, note := reqlog.WithNote(t.Context())
	w := httptest.NewRecorder()
	h.writeRelayError(w, httptest.NewRequestWithContext(ctx, "POST", "/v1/messages", nil),
		&kiro.UpstreamError{Status: 400, Class: kiro.ClassTooLong, Message: "Input is too long."})
	assert.Equal(t, 400, w.Code)
	assert.Contains(t, w.Body.String(), "Input is too long.")
	assert.NotContains(t, w.Body.String(), "request id")
	assert.Empty(t, note.Entry(time.Now(), "POST", "/v1/messages", 400).RequestID)
}

// The usage route answers a query it cannot read 400 with the words to
// mend, and a failure to read the usage file 500 with a request id only:
// the path and the disk's words go to the log.
func TestUsageFailuresAreNotTheQuerysFault(t *testing.T) {
	var logs bytes.Buffer
	var fail error
	h := New(Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Usage: func(ctx context.Context, since, until, by string) (any, error) {
			if _, err := usage.ParseQuery(since, until, by, time.Now()); err != nil {
				return nil, err
			}
			return map[string]string{"ok": "yes"}, fail
		}})
	get := func(query string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.usage(w, httptest.NewRequest("GET", "/v1/kirodesk/usage?"+query, nil))
		return w
	}
	w := get("by=planet")
	assert.Equal(t, 400, w.Code)
	assert.Contains(t, w.Body.String(), `by \"planet\": use one of`)

	assert.Equal(t, 200, get("by=day").Code)

	fail = errors.New("/home/me/.config/kirodesk/usage.json: input/output error")
	w = get("by=day")
	assert.Equal(t, 500, w.Code)
	assert.NotContains(t, w.Body.String(), "usage.json")
	assert.Regexp(t, `internal error \(request id req_[0-9a-f]{24}\)`, w.Body.String())
	assert.Contains(t, logs.String(), "usage.json: input/output error")
}

// A failure after the answer started, for an answer sent whole, keeps the
// words a streaming client would read, and too long keeps OpenAI's code.
func TestLateFailuresKeepTheirMessages(t *testing.T) {
	h := New(Options{})
	w := httptest.NewRecorder()
	h.writeRelayError(w, httptest.NewRequest("POST", "/v1/responses", nil),
		&canon.StreamError{Type: canon.ErrContextTooLong, Message: "prompt is too long: Kiro refused it (Input is too long.)"})
	assert.Equal(t, 400, w.Code)
	var e struct {
		Error struct{ Message, Type, Code string }
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
	assert.Equal(t, "context_length_exceeded", e.Error.Code)
	assert.Equal(t, "invalid_request_error", e.Error.Type)
	assert.Equal(t, "prompt is too long: Kiro refused it (Input is too long.)", e.Error.Message)

	w = httptest.NewRecorder()
	h.writeRelayError(w, httptest.NewRequest("POST", "/v1/messages", nil), &canon.StreamError{Type: "api_error", Message: "Kiro's response stream broke off"})
	assert.Equal(t, 502, w.Code)
	assert.Contains(t, w.Body.String(), "Kiro's response stream broke off")
	assert.NotContains(t, w.Body.String(), "request id")
}
