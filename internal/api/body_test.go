package api

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/secrets"
	"kirodesk/internal/server"
)

// rawPost sends a request head over a fresh connection, then feeds the body
// with send, and returns the response and how long it took to arrive.
func rawPost(t *testing.T, url, head string, send func(c net.Conn)) (*http.Response, string, time.Duration) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	start := time.Now()
	_, err = io.WriteString(c, "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: kd-k\r\nContent-Type: application/json\r\n"+head+"\r\n")
	require.NoError(t, err)
	go send(c)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), time.Since(start)
}

// trickle sends one byte every 100 ms until the connection fails.
func trickle(c net.Conn) {
	for {
		if _, err := c.Write([]byte(" ")); err != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestTricklingBodyGets408(t *testing.T) {
	_, url := newStack(t, Options{BodyTimeout: 400 * time.Millisecond})
	resp, body, took := rawPost(t, url, "Content-Length: 1000\r\n", trickle)
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	assert.Less(t, took, 3*time.Second)
	assert.Contains(t, body, "the request body did not arrive in full within 400ms: it was sent too slowly or never ended")
	assert.True(t, resp.Close, "the connection is closed after")
}

func TestChunkedBodyWithoutEndGets408(t *testing.T) {
	_, url := newStack(t, Options{BodyTimeout: 400 * time.Millisecond})
	resp, body, took := rawPost(t, url, "Transfer-Encoding: chunked\r\n", func(c net.Conn) {
		_, _ = io.WriteString(c, "5\r\n{\"mod\r\n") // and never the last chunk
	})
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	assert.Less(t, took, 3*time.Second)
	assert.Contains(t, body, "a chunked body needs its last, empty chunk")
}

// The body's deadline ends with the body: a stream that lasts longer than
// it is not cut off.
func TestBodyDeadlineDoesNotCutTheAnswer(t *testing.T) {
	fake, url := newStack(t, Options{BodyTimeout: 100 * time.Millisecond, Ping: time.Hour})
	fake.Enqueue(fakekiro.Script{fakekiro.Text("a"), fakekiro.Delay(400 * time.Millisecond), fakekiro.Text("zebra")})
	resp := streamHi(t, url)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(b), "zebra")
	assert.Contains(t, string(b), "message_stop")
}

// A chunked body is cut off when it passes the server's limit, with the
// limit in the message.
func TestChunkedBodyOverTheLimitGets413(t *testing.T) {
	srv := server.New(server.Options{APIKey: secrets.New("kd-k"), MaxBody: 1000})
	New(Options{}).Register(srv)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	req, _ := http.NewRequest("POST", ts.URL+"/v1/messages", strings.NewReader(strings.Repeat(" ", 2000)))
	req.Header.Set("x-api-key", "kd-k")
	req.ContentLength = -1 // unknown: sent chunked, so only reading finds the size
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Contains(t, string(b), "larger than 1000 bytes, the most Kirodesk reads: Kiro itself takes at most 600000 bytes")
}

// Big bodies wait for a turn at the gate; small ones never do. A big body
// that finds no turn within the body timeout gets a 503 that says why.
func TestBigBodiesTakeTurns(t *testing.T) {
	h := New(Options{BigBody: 100, BigBodies: 1, BodyTimeout: 300 * time.Millisecond})
	post := func(body string, chunked bool) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/v1/messages/count_tokens", strings.NewReader(body))
		if chunked {
			r.ContentLength = -1
		}
		w := httptest.NewRecorder()
		h.countTokens(w, r)
		return w
	}
	small := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`
	big := `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("x", 200) + `"}]}`

	require.True(t, h.big.enter(context.Background()), "another big body holds the only turn")
	assert.Equal(t, 200, post(small, false).Code, "small bodies do not wait")
	assert.Equal(t, 200, post(small, true).Code)
	for _, chunked := range []bool{false, true} {
		start := time.Now()
		w := post(big, chunked)
		assert.Equal(t, http.StatusServiceUnavailable, w.Code)
		assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond, "it waited for a turn")
		assert.Contains(t, w.Body.String(), "Kirodesk is busy reading 1 other large requests")
		assert.Equal(t, "5", w.Header().Get("Retry-After"))
	}
	h.big.leave()
	assert.Equal(t, 200, post(big, false).Code)
	assert.Equal(t, 200, post(big, true).Code)
	assert.True(t, h.big.enter(context.Background()), "every turn was given back")
}

// refusedJSON is an Anthropic error answer.
type refusedJSON struct {
	Error struct{ Type, Message string }
}

// refusal posts body to h's /v1/messages and returns the error it is
// refused with, checking that it is a 400.
func refusal(t *testing.T, h *Handlers, body string) (e refusedJSON) {
	t.Helper()
	w := httptest.NewRecorder()
	h.messages(w, httptest.NewRequest("POST", "/v1/messages", strings.NewReader(body)))
	assert.Equal(t, 400, w.Code)
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
	return e
}

// A request whose text alone is more than Kiro takes is refused before the
// Kiro request is built (and before the relay: this handler has none).
func TestTooLargeForKiroIsRefusedBeforeBuilding(t *testing.T) {
	h := New(Options{})
	body := `{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"` +
		strings.Repeat("x", payload.DefaultMaxPayloadBytes+1) + `"}]}`
	e := refusal(t, h, body)
	assert.Equal(t, "invalid_request_error", e.Error.Type)
	assert.Contains(t, e.Error.Message, "Kiro would refuse this request (payload_too_large): the Kiro request would be at least 600001 bytes")
}

// TestBodyParsedInPlaceKeepsErrorPositions: a body the handler reads is
// parsed in place (long strings with escapes are unquoted into it), and an
// error further on still names the line and column the client sent.
func TestBodyParsedInPlaceKeepsErrorPositions(t *testing.T) {
	h := New(Options{})
	system := strings.Repeat(`You are a coding agent.\nUse the tools.\n\"Quote\" \u00e9\n`, 8)
	body := "{\n  \"model\": \"claude-sonnet-4-5\",\n  \"system\": \"" + system + "\",\n  \"max_tokens\": \"ten\",\n" +
		"  \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]\n}"
	e := refusal(t, h, body)
	off := strings.Index(body, `"ten"`)
	assert.Contains(t, e.Error.Message, "line 4, column 17 (byte "+strconv.Itoa(off)+")", e.Error.Message)
}
