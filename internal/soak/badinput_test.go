//go:build linux

package soak

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shape is the error body a case expects.
type shape int

const (
	shapeAnthropic shape = iota // {"type":"error","error":{"type","message"}}
	shapeOpenAI                 // {"error":{"message","type","code"}}
	shapeHTTP                   // net/http's own plain-text refusal: the request never reached Kirodesk
)

// badCase is one malformed request. Raw, when set, is written to the socket
// as is (requests net/http's client refuses to send); otherwise Method,
// Path, Header and Body make the request, with the right key unless Header
// sets one or NoKey is set.
type badCase struct {
	Name   string
	Method string
	Path   string
	Header map[string]string
	Host   string
	Body   string
	NoKey  bool
	Raw    string
	// Status and Type are the expected answer; Shape its form.
	Status int
	Type   string
	Shape  shape
}

const msgOK = `{"model":"` + model + `","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}`
const chatOK = `{"model":"` + model + `","messages":[{"role":"user","content":"hi"}]}`

func badCases() []badCase {
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	deepObj := strings.Repeat(`{"a":`, 20_000) + "1" + strings.Repeat("}", 20_000)
	huge := strings.Repeat("x", 1<<20)
	five := strings.Repeat("w", 5<<20)
	twenty := strings.Repeat("y", 20<<20)
	forty := strings.Repeat("z", 40<<20)
	invalidUTF8 := "{\"model\":\"" + model + "\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"bad \xff\xfe bytes\"}]}"
	msg := func(name, body string, status int, typ string) badCase {
		return badCase{Name: "messages: " + name, Method: "POST", Path: "/v1/messages", Body: body, Status: status, Type: typ}
	}
	chat := func(name, body string, status int, typ string) badCase {
		return badCase{Name: "chat: " + name, Method: "POST", Path: "/v1/chat/completions", Body: body, Status: status, Type: typ, Shape: shapeOpenAI}
	}
	resp := func(name, body string, status int, typ string) badCase {
		return badCase{Name: "responses: " + name, Method: "POST", Path: "/v1/responses", Body: body, Status: status, Type: typ, Shape: shapeOpenAI}
	}
	const inv = "invalid_request_error"
	return []badCase{
		// Bodies that are not the request at all.
		msg("empty body", "", 400, inv),
		msg("truncated JSON", `{"model":`, 400, inv),
		msg("JSON array", `[]`, 400, inv),
		msg("JSON string", `"hello"`, 400, inv),
		msg("JSON null", `null`, 400, inv),
		msg("trailing garbage", msgOK+`x`, 400, inv),
		msg("two objects", msgOK+msgOK, 400, inv),
		msg("deep array nesting", deep, 400, inv),
		msg("deep object nesting", deepObj, 400, inv),
		// Wrong types.
		msg("model is a number", `{"model":5,"max_tokens":64,"messages":[{"role":"user","content":"hi"}]}`, 400, inv),
		msg("messages is a string", `{"model":"`+model+`","max_tokens":64,"messages":"hi"}`, 400, inv),
		msg("messages empty", `{"model":"`+model+`","max_tokens":64,"messages":[]}`, 400, inv),
		msg("messages missing", `{"model":"`+model+`","max_tokens":64}`, 400, inv),
		msg("unknown role", `{"model":"`+model+`","max_tokens":64,"messages":[{"role":"wizard","content":"hi"}]}`, 400, inv),
		msg("content is a number", `{"model":"`+model+`","max_tokens":64,"messages":[{"role":"user","content":7}]}`, 400, inv),
		msg("max_tokens is a string", `{"model":"`+model+`","max_tokens":"64","messages":[{"role":"user","content":"hi"}]}`, 400, inv),
		msg("stream is a string", `{"model":"`+model+`","max_tokens":64,"stream":"yes","messages":[{"role":"user","content":"hi"}]}`, 400, inv),
		msg("system is a number", `{"model":"`+model+`","max_tokens":64,"system":1,"messages":[{"role":"user","content":"hi"}]}`, 400, inv),
		msg("temperature is a string", `{"model":"`+model+`","max_tokens":64,"temperature":"hot","messages":[{"role":"user","content":"hi"}]}`, 400, inv),
		msg("tools is an object", `{"model":"`+model+`","max_tokens":64,"tools":{},"messages":[{"role":"user","content":"hi"}]}`, 400, inv),
		msg("tool without a name", `{"model":"`+model+`","max_tokens":64,"tools":[{"input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"hi"}]}`, 400, inv),
		msg("text block text is a number", `{"model":"`+model+`","max_tokens":64,"messages":[{"role":"user","content":[{"type":"text","text":1}]}]}`, 400, inv),
		msg("unknown content block", `{"model":"`+model+`","max_tokens":64,"messages":[{"role":"user","content":[{"type":"hologram","data":"?"}]}]}`, 400, inv),
		msg("content block without type", `{"model":"`+model+`","max_tokens":64,"messages":[{"role":"user","content":[{"text":"hi"}]}]}`, 400, inv),
		msg("image without source", `{"model":"`+model+`","max_tokens":64,"messages":[{"role":"user","content":[{"type":"image"}]}]}`, 400, inv),
		msg("tool_result for no tool_use", `{"model":"`+model+`","max_tokens":64,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"nope","content":"x"}]}]}`, 400, inv),
		msg("thinking budget is a string", `{"model":"`+model+`","max_tokens":64,"thinking":{"type":"enabled","budget_tokens":"lots"},"messages":[{"role":"user","content":"hi"}]}`, 400, inv),
		// Sizes and bytes.
		msg("1 MB model name", `{"model":"`+huge+`","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}`, 400, inv),
		// Under the body cap but over Kiro's limit: parsed, refused before building.
		msg("5 MB message", `{"model":"`+model+`","max_tokens":64,"messages":[{"role":"user","content":"`+five+`"}]}`, 400, inv),
		// Over the body cap (server.DefaultMaxBody): refused unread.
		msg("20 MB message", `{"model":"`+model+`","max_tokens":64,"messages":[{"role":"user","content":"`+twenty+`"}]}`, 413, "request_too_large"),
		msg("40 MB body", `{"model":"`+model+`","max_tokens":64,"messages":[{"role":"user","content":"`+forty+`"}]}`, 413, "request_too_large"),
		msg("invalid UTF-8 in content", invalidUTF8, 400, inv),
		{Name: "count_tokens: empty body", Method: "POST", Path: "/v1/messages/count_tokens", Body: "", Status: 400, Type: inv},
		{Name: "count_tokens: bad JSON", Method: "POST", Path: "/v1/messages/count_tokens", Body: "{", Status: 400, Type: inv},

		chat("empty body", "", 400, inv),
		chat("truncated JSON", `{"messages":[`, 400, inv),
		chat("messages missing", `{"model":"`+model+`"}`, 400, inv),
		chat("messages is an object", `{"model":"`+model+`","messages":{}}`, 400, inv),
		chat("unknown role", `{"model":"`+model+`","messages":[{"role":"wizard","content":"hi"}]}`, 400, inv),
		chat("content is an object", `{"model":"`+model+`","messages":[{"role":"user","content":{"a":1}}]}`, 400, inv),
		chat("unknown content part", `{"model":"`+model+`","messages":[{"role":"user","content":[{"type":"hologram"}]}]}`, 400, inv),
		// A tool of an unknown type is not bad input: it is dropped with a
		// warning (issue 16; internal/translate/tooldecl and its tests).
		chat("n is 3", `{"model":"`+model+`","n":3,"messages":[{"role":"user","content":"hi"}]}`, 400, inv),
		chat("deep nesting", deep, 400, inv),
		chat("invalid UTF-8 in content", strings.Replace(invalidUTF8, `"max_tokens":64,`, "", 1), 400, inv),
		chat("40 MB body", `{"model":"`+model+`","messages":[{"role":"user","content":"`+forty+`"}]}`, 413, inv),

		resp("empty body", "", 400, inv),
		resp("input is a number", `{"model":"`+model+`","input":5}`, 400, inv),
		resp("unknown input item", `{"model":"`+model+`","input":[{"type":"hologram"}]}`, 400, inv),
		resp("deep nesting", deepObj, 400, inv),

		// The front door: key, host, origin, method, path.
		{Name: "no key", Method: "POST", Path: "/v1/messages", Body: msgOK, NoKey: true, Status: 401, Type: "authentication_error"},
		{Name: "no key, OpenAI route", Method: "POST", Path: "/v1/chat/completions", Body: chatOK, NoKey: true, Status: 401, Type: "authentication_error", Shape: shapeOpenAI},
		{Name: "wrong key", Method: "POST", Path: "/v1/messages", Body: msgOK, Header: map[string]string{"x-api-key": "kd-wrong"}, Status: 401, Type: "authentication_error"},
		{Name: "empty bearer", Method: "POST", Path: "/v1/chat/completions", Body: chatOK, Header: map[string]string{"Authorization": "Bearer "}, Status: 401, Type: "authentication_error", Shape: shapeOpenAI},
		{Name: "key in the query string", Method: "POST", Path: "/v1/messages?key=KEY&api_key=KEY", Body: msgOK, NoKey: true, Status: 401, Type: "authentication_error"},
		{Name: "Basic auth", Method: "POST", Path: "/v1/messages", Body: msgOK, Header: map[string]string{"Authorization": "Basic a2Q6a2Q="}, Status: 401, Type: "authentication_error"},
		{Name: "foreign Host", Method: "POST", Path: "/v1/messages", Body: msgOK, Host: "evil.example", Status: 403, Type: "permission_error"},
		{Name: "foreign Host, OpenAI route", Method: "POST", Path: "/v1/chat/completions", Body: chatOK, Host: "evil.example:8990", Status: 403, Type: "permission_error", Shape: shapeOpenAI},
		{Name: "foreign Host on /health", Method: "GET", Path: "/health", Host: "rebind.evil.example", NoKey: true, Status: 403, Type: "permission_error"},
		{Name: "page Origin", Method: "POST", Path: "/v1/messages", Body: msgOK, Header: map[string]string{"Origin": "https://evil.example"}, Status: 403, Type: "permission_error"},
		{Name: "null Origin", Method: "POST", Path: "/v1/messages", Body: msgOK, Header: map[string]string{"Origin": "null"}, Status: 403, Type: "permission_error"},
		{Name: "wrong method on /v1/messages", Method: "GET", Path: "/v1/messages", Status: 404, Type: "not_found_error"},
		{Name: "wrong method on chat", Method: "PUT", Path: "/v1/chat/completions", Body: chatOK, Status: 404, Type: "not_found_error", Shape: shapeOpenAI},
		{Name: "wrong method on /health", Method: "POST", Path: "/health", NoKey: true, Status: 405, Type: inv},
		{Name: "unknown path", Method: "POST", Path: "/v1/complete", Body: msgOK, Status: 404, Type: "not_found_error"},
		{Name: "unknown OpenAI path", Method: "POST", Path: "/v1/embeddings", Body: `{"input":"x"}`, Status: 404, Type: "not_found_error", Shape: shapeOpenAI},
		{Name: "text/plain content type (a form a page could send)", Method: "POST", Path: "/v1/messages", Body: msgOK,
			Header: map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example"}, Status: 403, Type: "permission_error"},

		// Requests net/http's client will not send: refused before Kirodesk.
		{Name: "header injection: CR LF in a header value", Raw: "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: KEY\r\nanthropic-beta: a\rX-Injected: 1\r\nContent-Length: 2\r\n\r\n{}", Status: 400, Shape: shapeHTTP},
		{Name: "header injection: NUL in a header value", Raw: "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: KEY\r\nanthropic-version: 2023\x00-06-01\r\nContent-Length: 2\r\n\r\n{}", Status: 400, Shape: shapeHTTP},
		{Name: "two Host headers", Raw: "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nx-api-key: KEY\r\nContent-Length: 2\r\n\r\n{}", Status: 400, Shape: shapeHTTP},
		{Name: "request smuggling: Content-Length and Transfer-Encoding", Raw: "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: KEY\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", Status: 400, Shape: shapeHTTP},
		{Name: "space before the colon", Raw: "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key : KEY\r\nContent-Length: 2\r\n\r\n{}", Status: 400, Shape: shapeHTTP},
		{Name: "2 MB of headers", Raw: "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: KEY\r\nx-pad: " + strings.Repeat("p", 2<<20) + "\r\n\r\n", Status: 431, Shape: shapeHTTP},
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t, envOptions{accounts: 1})
	cases := badCases()
	require.GreaterOrEqual(t, len(cases), 50)
	client := &http.Client{Timeout: 60 * time.Second}
	counts := map[int]int{}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			var status int
			var body []byte
			var hdr http.Header
			if c.Raw != "" {
				status, hdr, body = rawRequest(t, e.url, strings.ReplaceAll(c.Raw, "KEY", e.key))
			} else {
				req, err := http.NewRequest(c.Method, e.url+strings.ReplaceAll(c.Path, "KEY", e.key), strings.NewReader(c.Body))
				require.NoError(t, err)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("anthropic-version", "2023-06-01")
				if !c.NoKey {
					req.Header.Set("x-api-key", e.key)
				}
				for k, v := range c.Header {
					if k == "x-api-key" || k == "Authorization" {
						req.Header.Del("x-api-key")
					}
					req.Header.Set(k, v)
				}
				if c.Host != "" {
					req.Host = c.Host
				}
				resp, err := client.Do(req)
				require.NoError(t, err)
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				require.NoError(t, err)
				status, hdr = resp.StatusCode, resp.Header
			}
			counts[status]++
			assert.Equal(t, c.Status, status, "body: %.300s", body)
			assert.Empty(t, hdr.Get("Access-Control-Allow-Origin"))
			assert.NotContains(t, string(body), e.key, "the key is never echoed")
			switch c.Shape {
			case shapeHTTP:
				return // net/http's own answer; nothing of Kirodesk ran
			case shapeOpenAI:
				msg, ok := errorShape("/v1/chat/", body)
				assert.True(t, ok, "OpenAI error shape: %.300s", body)
				assert.True(t, strings.HasPrefix(msg, c.Type+": "), "type: %s", msg)
			default:
				msg, ok := errorShape("/v1/messages", body)
				assert.True(t, ok, "Anthropic error shape: %.300s", body)
				assert.True(t, strings.HasPrefix(msg, c.Type+": "), "type: %s", msg)
			}
			assert.Equal(t, "application/json", hdr.Get("Content-Type"))
			assert.Less(t, len(body), 4096, "an error answer does not echo a huge input")
		})
	}
	t.Logf("bad input: %d malformed requests, answers by status: %v", len(cases), counts)

	// The server still serves a good request, both APIs.
	for _, a := range []api{anthropicPlain, chatStream, responsesPlain} {
		o := send(t.Context(), e.client, e.url, e.key, a, "still there?")
		assert.Equal(t, resOK, o.res, "%s after the bad input: %d %s", a, o.status, o.detail)
	}
}

// rawRequest writes req to a fresh connection and reads one answer.
func rawRequest(t *testing.T, url, req string) (int, http.Header, []byte) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(20*time.Second)))
	go func() { _, _ = io.Copy(conn, strings.NewReader(req)) }()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "no HTTP answer")
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, bytes.TrimSpace(b)
}
