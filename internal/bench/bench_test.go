// Package bench measures what Kirodesk adds to a model call over calling
// Kiro directly: the same answer is fetched once straight from the fake
// upstream (internal/fakekiro) with a pre-built Kiro body, and once through
// Kirodesk's POST /v1/messages, in the same process, over loopback, with the
// same HTTP client.
//
//   - TestStreamIsNotBuffered always runs: a stream must reach the client as
//     the upstream sends it, not once the upstream has finished.
//   - TestOverheadReport runs only with KIRODESK_BENCH=1 and prints the
//     added latency, time to first byte and inter-event delay per cell
//     (KIRODESK_BENCH_OUT=path also writes them as JSON).
//   - BenchmarkMessagesNonStreaming / BenchmarkMessagesStreaming are the
//     go test -bench view of the proxied path (allocations included).
package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"kirodesk/internal/accounts"
	"kirodesk/internal/core"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/eventstream"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/translate/anthropic"
)

// model is the client's model name; the fake accepts what payload.Build maps it to.
const model = "claude-sonnet-4-5-20250929"

// prompt is the user message every benchmark request sends.
const prompt = "Write one short paragraph about loopback latency."

// answerFrames is how many text frames fixedAnswer streams.
const answerFrames = 20

// fixedAnswer is the upstream's answer to every benchmark call: 20 text
// frames, no delays, then the token usage.
func fixedAnswer(fakekiro.RecordedRequest) fakekiro.Script {
	sc := make(fakekiro.Script, 0, answerFrames+1)
	for i := range answerFrames {
		sc = append(sc, fakekiro.Text("word"+strconv.Itoa(i)+" "))
	}
	return append(sc, fakekiro.Usage(eventstream.TokenUsage{UncachedInput: 12, Output: answerFrames, Total: 12 + answerFrames}))
}

// fixedText is the text fixedAnswer streams, joined.
func fixedText() string {
	var b strings.Builder
	for i := range answerFrames {
		b.WriteString("word" + strconv.Itoa(i) + " ")
	}
	return b.String()
}

// env is a running Kirodesk (core.Open on a temporary folder, 4 accounts,
// the listener on a free loopback port) in front of a fake Kiro.
type env struct {
	fake      *fakekiro.Server
	core      *core.Core
	client    *http.Client
	messages  string // Kirodesk's POST /v1/messages URL
	chatURL   string // Kirodesk's POST /v1/chat/completions URL
	respURL   string // Kirodesk's POST /v1/responses URL
	arn       string // the first account's profile ARN, for Kiro bodies built here
	key       string // Kirodesk's API key
	chat      string // the fake's /generateAssistantResponse URL
	token     string // the first account's access token at the fake
	kiroBody  []byte // the Kiro body for prompt, as Kirodesk would build it
	machineID string
	// stamped: the fake's answers carry Stamp frames (model-paced cells),
	// so timed reads each body and subtracts the fake's own time.
	stamped bool
	// stagger spreads the workers' first requests over this long (closed
	// loop only). Model-paced answers all take the same time, so workers
	// started together would stay in step forever, all 64 streams writing
	// a frame in the same instant every 10 ms: a convoy no set of real
	// sessions makes, which measures the burst rather than the proxy.
	stagger time.Duration
}

const numAccounts = 4

// envOptions vary the Kirodesk a benchmark runs against.
type envOptions struct {
	// Accounts in the pool (default numAccounts). They are written into
	// pool.json before start-up in one update, as a person's long-lived
	// pool would be, rather than added one durable write at a time.
	Accounts int
	// Strategy overrides the selection setting (default: sticky).
	Strategy string
}

// newEnv starts a fake Kiro answering with script and a Kirodesk pointed at
// it. Everything is closed by tb.Cleanup.
func newEnv(tb testing.TB, script func(fakekiro.RecordedRequest) fakekiro.Script) *env {
	return newEnvWith(tb, script, envOptions{})
}

func newEnvWith(tb testing.TB, script func(fakekiro.RecordedRequest) fakekiro.Script, o envOptions) *env {
	tb.Helper()
	ctx := context.Background()
	fake := fakekiro.New(fakekiro.Options{DefaultScript: script})
	tb.Cleanup(fake.Close)
	if o.Accounts <= 0 {
		o.Accounts = numAccounts
	}

	dir := tb.TempDir()
	sec := secrets.NewMemory()
	first := seedAccounts(tb, dir, sec, fake, o)

	upstream := map[string]string{store.EnvAPIBase: fake.URL, store.EnvAuthBase: fake.URL, store.EnvOIDCBase: fake.URL}
	port := 0
	c, err := core.Open(ctx, core.Options{
		ConfigDir: dir,
		Secrets:   sec,
		Getenv:    func(k string) string { return upstream[k] },
		Host:      "127.0.0.1",
		Port:      &port,
	})
	if err != nil {
		tb.Fatalf("core.Open: %v", err)
	}
	tb.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.Close(cctx); err != nil {
			tb.Errorf("core.Close: %v", err)
		}
	})
	<-c.Reconciled()
	if err := c.Proxy.Start(); err != nil {
		tb.Fatalf("proxy start: %v", err)
	}
	key, err := c.APIKey(ctx)
	if err != nil {
		tb.Fatalf("api key: %v", err)
	}

	// The direct path sends exactly what Kirodesk would build for prompt.
	req, err := anthropic.ParseRequest(anthropicBody(false), anthropic.ParseOptions{})
	if err != nil {
		tb.Fatalf("parse request: %v", err)
	}
	built, err := payload.Build(req, payload.Options{ConversationID: kiro.UUID(), ProfileARN: first.ProfileARN})
	if err != nil {
		tb.Fatalf("payload.Build: %v", err)
	}

	client := newEnvClient(tb)
	return &env{
		fake: fake, core: c, client: client,
		messages: c.Proxy.Status().Endpoint + "/v1/messages",
		chatURL:  c.Proxy.Status().Endpoint + "/v1/chat/completions",
		respURL:  c.Proxy.Status().Endpoint + "/v1/responses",
		arn:      first.ProfileARN,
		key:      key.Reveal(),
		chat:     fake.URL + fakekiro.PathChat,
		token:    first.AccessToken,
		kiroBody: built.Body, machineID: kiro.MachineID("bench"),
	}
}

// newEnvClient is the benchmark's HTTP client: keep-alive connections for
// every concurrent client, so no cell times connection set-up.
func newEnvClient(tb testing.TB) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 0 // no global limit
	tr.MaxIdleConnsPerHost = 256
	tr.DisableCompression = true
	tr.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	tb.Cleanup(client.CloseIdleConnections)
	return client
}

// seedAccounts writes o.Accounts accounts known to fake into dir's
// pool.json and their credentials into sec, and returns the first.
func seedAccounts(tb testing.TB, dir string, sec secrets.Store, fake *fakekiro.Server, o envOptions) fakekiro.FakeAccount {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	defer st.Close(ctx)
	var first fakekiro.FakeAccount
	accts := make([]store.Account, o.Accounts)
	for i := range o.Accounts {
		fa := fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/P"})
		if i == 0 {
			first = fa
		}
		cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthSocial,
			ProfileARN: fa.ProfileARN, ExpiresAt: time.Now().Add(time.Hour)}
		id := "bench-" + strconv.Itoa(i)
		if err := sec.Set(ctx, accounts.SecretKey(id), cr.Secret()); err != nil {
			tb.Fatalf("keychain: %v", err)
		}
		accts[i] = store.Account{ID: id, Label: "bench " + strconv.Itoa(i), AuthMethod: store.AuthSocial,
			State: store.AccountState{Status: store.StatusReady}, CreatedAt: time.Now().UTC()}
	}
	err = st.Pool.Update(ctx, func(p *store.Pool) error { p.Accounts = append(p.Accounts, accts...); return nil })
	if err == nil && o.Strategy != "" {
		err = st.Config.Update(ctx, func(c *store.Config) error { c.Strategy = o.Strategy; return nil })
	}
	if err != nil {
		tb.Fatalf("seed pool: %v", err)
	}
	return first
}

// anthropicBody is the /v1/messages body for prompt.
func anthropicBody(stream bool) []byte {
	return []byte(`{"model":"` + model + `","max_tokens":1024,"stream":` + strconv.FormatBool(stream) +
		`,"messages":[{"role":"user","content":` + strconv.Quote(prompt) + `}]}`)
}

// openaiBody is the /v1/chat/completions body for prompt.
func openaiBody(stream bool) []byte {
	return []byte(`{"model":"` + model + `","max_tokens":1024,"stream":` + strconv.FormatBool(stream) +
		`,"messages":[{"role":"user","content":` + strconv.Quote(prompt) + `}]}`)
}

// newProxied is a request through Kirodesk's Anthropic endpoint.
func (e *env) newProxied(ctx context.Context, body []byte) *http.Request {
	return e.newProxiedTo(ctx, e.messages, body)
}

// newProxiedTo is a request through Kirodesk to url.
func (e *env) newProxiedTo(ctx context.Context, url string, body []byte) *http.Request {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-api-key", e.key)
	req.Header.Set("anthropic-version", "2023-06-01")
	return req
}

// newDirect is the same call straight to the fake Kiro.
func (e *env) newDirect(ctx context.Context) *http.Request { return e.newDirectWith(ctx, e.kiroBody) }

// newDirectWith is a call straight to the fake Kiro with a Kiro body.
func (e *env) newDirectWith(ctx context.Context, kiroBody []byte) *http.Request {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.chat, bytes.NewReader(kiroBody))
	if err != nil {
		panic(err)
	}
	// The header set kiro.Client sends, so that the upstream (the fake
	// records every header) does the same work on both paths.
	h := req.Header
	h.Set("Authorization", "Bearer "+e.token)
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/vnd.amazon.eventstream")
	h.Set("x-amzn-codewhisperer-optout", "true")
	h.Set("x-amzn-kiro-agent-mode", "vibe")
	h.Set("amz-sdk-invocation-id", kiro.UUID())
	h.Set("amz-sdk-request", "attempt=1; max=3")
	h.Set("x-amz-user-agent", "aws-sdk-js/1.0.34 KiroIDE-"+kiro.DefaultIDEVersion+"-"+e.machineID)
	h.Set("User-Agent", "aws-sdk-js/1.0.34 ua/2.1 os/"+runtime.GOOS+" lang/js md/nodejs#20.16.0 api/codewhispererstreaming#1.0.34 m/E KiroIDE-"+
		kiro.DefaultIDEVersion+"-"+e.machineID)
	return req
}

// drain reads and discards a response, failing on a non-200 status.
func drain(resp *http.Response, buf []byte) error {
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	for {
		_, err := resp.Body.Read(buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// TestStreamIsNotBuffered: the upstream sends 5 text frames 200 ms apart;
// the client must see the first text delta long before the last frame
// leaves the upstream, i.e. Kirodesk forwards each frame as it comes.
func TestStreamIsNotBuffered(t *testing.T) {
	const gap = 200 * time.Millisecond // wide enough that a loaded CI machine cannot blur it
	e := newEnv(t, func(fakekiro.RecordedRequest) fakekiro.Script {
		return fakekiro.Script{
			fakekiro.Text("one "), fakekiro.Delay(gap),
			fakekiro.Text("two "), fakekiro.Delay(gap),
			fakekiro.Text("three "), fakekiro.Delay(gap),
			fakekiro.Text("four "), fakekiro.Delay(gap),
			fakekiro.Text("five"),
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	start := time.Now()
	resp, err := e.client.Do(e.newProxied(ctx, anthropicBody(true)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var deltas []time.Duration
	var text strings.Builder
	sawStop := false
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		if strings.HasPrefix(line, "event: content_block_delta") {
			deltas = append(deltas, time.Since(start))
		}
		if strings.HasPrefix(line, "event: message_stop") {
			sawStop = true
		}
		if d, ok := strings.CutPrefix(line, "data: "); ok && strings.Contains(d, `"text_delta"`) {
			if i := strings.Index(d, `"text":"`); i >= 0 {
				rest := d[i+len(`"text":"`):]
				text.WriteString(rest[:strings.IndexByte(rest, '"')])
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read stream: %v", err)
		}
	}
	total := time.Since(start)
	t.Logf("text deltas at %v; stream done after %v", deltas, total)

	if !sawStop {
		t.Errorf("the stream did not end with message_stop")
	}
	if got := text.String(); got != "one two three four five" {
		t.Errorf("streamed text %q, want %q", got, "one two three four five")
	}
	if len(deltas) < 5 {
		t.Fatalf("got %d content_block_delta events, want at least 5", len(deltas))
	}
	if deltas[0] >= 2*gap {
		t.Errorf("first text delta after %v: the stream is buffered (want < %v; the upstream sent it at ~0ms and its last frame at ~%v)", deltas[0], 2*gap, 4*gap)
	}
	if total <= 4*gap {
		t.Errorf("stream took %v, want > %v: the upstream's delays were not played, so the test proves nothing", total, 4*gap)
	}
	// Each delta should arrive close to when it was sent, not bunched up.
	// A buffered stream bunches them all; a loaded machine may stall this
	// reader once and bunch one pair (it failed so in a busy run), so one
	// pair may be close as long as the deltas still span the upstream's
	// pauses.
	var bunched []string
	for i := 1; i < len(deltas); i++ {
		if d := deltas[i] - deltas[i-1]; d < gap/4 {
			bunched = append(bunched, fmt.Sprintf("%d and %d arrived %v apart", i-1, i, d))
		}
	}
	if len(bunched) > 1 {
		t.Errorf("deltas %v; the upstream sent them %v apart (bunched: buffered)", bunched, gap)
	}
	if spread := deltas[len(deltas)-1] - deltas[0]; spread < 2*gap {
		t.Errorf("the deltas arrived within %v; the upstream spread them over %v (bunched: buffered)", spread, 4*gap)
	}
}

// TestHarnessSmoke runs the overhead harness on a handful of requests so
// that it keeps working between the (opt-in) full runs.
func TestHarnessSmoke(t *testing.T) {
	for _, spec := range []cellSpec{
		{Concurrency: 4, Stream: false, Requests: 24, Cap: 5 * time.Second, Rounds: 2},
		{Concurrency: 4, Stream: true, Requests: 24, Cap: 5 * time.Second, Rounds: 2},
		{Concurrency: 4, Stream: true, Requests: 24, Cap: 5 * time.Second, Rounds: 2, Rate: 400},
	} {
		e := newEnv(t, fixedAnswer)
		e.checkAnswers(t)
		c := e.measureCell(t, spec)
		stream := spec.Stream
		if c.Direct.Requests != 24 || c.Proxied.Requests != 24 {
			t.Errorf("%s: ran %d direct and %d proxied requests, want 24 each", c.Name, c.Direct.Requests, c.Proxied.Requests)
		}
		if c.Proxied.Latency.P50 <= 0 || c.Proxied.TTFB.P50 <= 0 {
			t.Errorf("%s: no latency measured: %+v", c.Name, c.Proxied)
		}
		if stream && c.Proxied.Gaps.Count == 0 {
			t.Errorf("%s: no inter-event delay measured through the proxy", c.Name)
		}
	}
}

// TestHarnessStoreAndProcessSmoke runs the store and process parts of the
// report briefly, so they keep working between full runs. The process part
// starts the real binary and needs the session's keychain.
func TestHarnessStoreAndProcessSmoke(t *testing.T) {
	r := measureStore(t, 10, 1500*time.Millisecond)
	if r.Requests == 0 || r.Writes == 0 || r.FileBytes == 0 || r.FlushMaxMs <= 0 {
		t.Errorf("store figures missing: %+v", r)
	}
	p := measureProcess(t, processOptions{Runs: 1, Settle: 100 * time.Millisecond, Load: time.Second})
	if p.Runs != 1 || p.FirstAnswerMedMs <= 0 || p.RSSIdleMB <= 0 || p.RSSPeakMB < p.RSSIdleMB || p.LoadRequests == 0 || p.KirodeskCPUPer1k <= 0 {
		t.Errorf("process figures missing: %+v", p)
	}
	if os.Getenv("KIRODESK_BENCH_DESKTOP_BIN") != "" && (p.DesktopRSSIdleMB <= 0 || p.DesktopRSSAfterMB <= 0) {
		t.Errorf("desktop process figures missing: %+v", p)
	}
	printStore(io.Discard, []storeResult{r})
	printProcess(io.Discard, &p)
}

// checkAnswers makes one request of each kind and checks the answers, so
// that a benchmark never times error responses.
func (e *env) checkAnswers(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	read := func(req *http.Request) string {
		status, b := e.do(tb, req)
		if status != http.StatusOK {
			tb.Fatalf("%s: status %d: %s", req.URL.Path, status, b)
		}
		return string(b)
	}
	if b := read(e.newDirect(ctx)); !strings.Contains(b, "word"+strconv.Itoa(answerFrames-1)) {
		tb.Fatalf("direct answer lacks the last frame: %q", b)
	}
	// Stamped answers have two more text frames, around the fixed text.
	want, deltas := strconv.Quote(fixedText()), answerFrames
	if e.stamped {
		want, deltas = fixedText(), answerFrames+2
	}
	if b := read(e.newProxied(ctx, anthropicBody(false))); !strings.Contains(b, want) {
		tb.Fatalf("proxied answer is not the fixed text: %s", b)
	}
	b := read(e.newProxied(ctx, anthropicBody(true)))
	if n := strings.Count(b, "event: content_block_delta"); n != deltas || !strings.Contains(b, "event: message_stop") {
		tb.Fatalf("proxied stream has %d deltas (want %d) or no message_stop: %s", n, deltas, b)
	}
	if e.stamped {
		if n := len(fakekiro.StampsIn([]byte(b))); n != 2 {
			tb.Fatalf("proxied stream carries %d of the fake's 2 stamps: %s", n, b)
		}
	}
}

// do sends req and reads the whole answer; a failure to do either ends the
// test.
func (e *env) do(tb testing.TB, req *http.Request) (status int, body []byte) {
	tb.Helper()
	resp, err := e.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, body
}

func benchmarkMessages(b *testing.B, stream bool) {
	e := newEnv(b, fixedAnswer)
	e.checkAnswers(b)
	body := anthropicBody(stream)
	ctx := context.Background()
	e.runParallel(b, func() *http.Request { return e.newProxied(ctx, body) })
}

// runParallel times the requests newReq makes, sent and read to the end
// from parallel goroutines, with the allocations reported.
func (e *env) runParallel(b *testing.B, newReq func() *http.Request) {
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]byte, 32<<10)
		for pb.Next() {
			resp, err := e.client.Do(newReq())
			if err == nil {
				err = drain(resp, buf)
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkMessagesNonStreaming is POST /v1/messages (stream false) through
// Kirodesk. Allocations are the whole process's: client, Kirodesk and fake.
func BenchmarkMessagesNonStreaming(b *testing.B) { benchmarkMessages(b, false) }

// BenchmarkMessagesStreaming is POST /v1/messages (stream true) through Kirodesk.
func BenchmarkMessagesStreaming(b *testing.B) { benchmarkMessages(b, true) }

// BenchmarkDirect is the same call straight to the fake: the baseline the
// two above are read against (its allocations are client and fake only).
func BenchmarkDirect(b *testing.B) {
	e := newEnv(b, fixedAnswer)
	e.checkAnswers(b)
	ctx := context.Background()
	e.runParallel(b, func() *http.Request { return e.newDirect(ctx) })
}
