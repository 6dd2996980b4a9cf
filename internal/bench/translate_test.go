package bench

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/tokens"
	"kirodesk/internal/transtest"
)

// TestFixtures: every fixture is the size its name says (within 5%), and
// goes through its translator and the Kiro builder without error.
func TestFixtures(t *testing.T) {
	want := map[string]float64{"cc-10k": 10, "cc-100k": 100, "cc-500k": 500, "cc-images-300k": 300, "chat-100k": 100, "responses-100k": 100}
	for _, f := range fixtures(t) {
		kb, ok := want[f.Name]
		if !ok {
			t.Errorf("fixture %s has no expected size here", f.Name)
			continue
		}
		if f.KB() < kb*0.95 || f.KB() > kb*1.05 {
			t.Errorf("%s is %.1f KB, want %.0f KB ±5%%", f.Name, f.KB(), kb)
		}
		req, err := f.parse()
		if err != nil {
			t.Fatalf("%s: parse: %v", f.Name, err)
		}
		t.Run(f.Name+"/in place", func(t *testing.T) {
			transtest.InPlace(t, f.Body, f.parseWith)
		})
		if len(req.Messages) < 2 || len(req.Tools) < 3 {
			t.Errorf("%s: %d messages and %d tools: not the shape of an agent's turn", f.Name, len(req.Messages), len(req.Tools))
		}
		if _, err := payload.Build(req, payload.Options{ConversationID: "c"}); err != nil {
			t.Errorf("%s: build: %v", f.Name, err)
		}
	}
}

// conversationID is the Kiro conversation the payload benchmarks build for.
const conversationID = "7f0e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"

// eachFixture runs one sub-benchmark per fixture: prepare does its set-up
// (not timed) and returns the operation that is, reported per kilobyte of
// the client's body and as CPU per operation like every benchmark here.
func eachFixture(b *testing.B, prepare func(b *testing.B, f fixture) func() error) {
	for _, f := range fixtures(b) {
		b.Run(f.Name, func(b *testing.B) {
			op := prepare(b, f)
			b.SetBytes(int64(len(f.Body)))
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				if err := op(); err != nil {
					b.Fatal(err)
				}
			}
			perKB(b, f)
			cpuPerOp(b, cpu0)
		})
	}
}

// BenchmarkTranslate is a request body to Kiro's body, per fixture: the
// client API's translator (decode → canonical request), then the Kiro
// payload build, as the handler and relay run them. µs/KB is per kilobyte
// of the client's body.
func BenchmarkTranslate(b *testing.B) {
	eachFixture(b, func(b *testing.B, f fixture) func() error {
		return func() error {
			req, err := f.parse()
			if err != nil {
				return err
			}
			_, err = payload.Build(req, payload.Options{ConversationID: conversationID})
			return err
		}
	})
}

// BenchmarkParse is the translator alone (decode → canonical request).
func BenchmarkParse(b *testing.B) {
	eachFixture(b, func(b *testing.B, f fixture) func() error {
		return func() error {
			_, err := f.parse()
			return err
		}
	})
}

// BenchmarkParseInPlace is BenchmarkParse as the server runs it: the
// body is the caller's to hand over (InPlace), so long strings are
// unquoted into it. Each round copies the fixture into one buffer first
// (a memmove, a few percent of the parse), as a parse in place changes it.
func BenchmarkParseInPlace(b *testing.B) {
	eachFixture(b, func(b *testing.B, f fixture) func() error {
		buf := make([]byte, len(f.Body))
		return func() error {
			copy(buf, f.Body)
			_, err := f.parseWith(buf, true)
			return err
		}
	})
}

// BenchmarkBuild is the Kiro payload build alone (canonical request → body).
func BenchmarkBuild(b *testing.B) {
	eachFixture(b, func(b *testing.B, f fixture) func() error {
		req, err := f.parse()
		if err != nil {
			b.Fatal(err)
		}
		return func() error {
			_, err := payload.Build(req, payload.Options{ConversationID: conversationID})
			return err
		}
	})
}

// BenchmarkTokens is the local input-token estimate of the whole request
// (message_start's input_tokens) on a counter that counted the same
// request before (a conversation's next turn).
func BenchmarkTokens(b *testing.B) {
	eachFixture(b, func(b *testing.B, f fixture) func() error {
		req, err := f.parse()
		if err != nil {
			b.Fatal(err)
		}
		warm := &tokens.Counter{}
		warm.Request(req)
		return func() error {
			warm.Request(req)
			return nil
		}
	})
}

// perKB reports the time per kilobyte of the client's body.
func perKB(b *testing.B, f fixture) {
	if b.N > 0 {
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/f.KB(), "µs/KB")
	}
}

// url is Kirodesk's endpoint for f's API.
func (e *env) url(f fixture) string {
	switch f.API {
	case apiChat:
		return e.chatURL
	case apiResponses:
		return e.respURL
	}
	return e.messages
}

// kiroBodyFor is the Kiro body Kirodesk builds for f: what the direct
// path sends, so that both paths carry the same bytes to the fake.
func (e *env) kiroBodyFor(tb testing.TB, f fixture) []byte {
	tb.Helper()
	req, err := f.parse()
	if err != nil {
		tb.Fatalf("%s: %v", f.Name, err)
	}
	built, err := payload.Build(req, payload.Options{ConversationID: kiro.UUID(), ProfileARN: e.arn})
	if err != nil {
		tb.Fatalf("%s: %v", f.Name, err)
	}
	return built.Body
}

// checkFixture makes one streaming request of f through Kirodesk and
// checks that the whole fixed answer came back.
func (e *env) checkFixture(tb testing.TB, f fixture) {
	tb.Helper()
	status, b := e.do(tb, e.newProxiedTo(context.Background(), e.url(f), f.Body))
	if status != http.StatusOK || !strings.Contains(string(b), "word"+strconv.Itoa(answerFrames-1)) {
		tb.Fatalf("%s: status %d, answer without the last frame: %.500s", f.Name, status, b)
	}
}

// BenchmarkHandler is one streaming request of each fixture through
// Kirodesk's handler, relay and Kiro client against the in-process fake,
// one at a time (c=1), body read to the end; BenchmarkHandlerDirect is the
// equivalent Kiro body sent straight to the fake. Their difference is what
// Kirodesk adds; allocations are the whole process's (client and fake too).
func BenchmarkHandler(b *testing.B) {
	for _, f := range fixtures(b) {
		b.Run(f.Name, func(b *testing.B) {
			e := newEnv(b, fixedAnswer)
			e.checkFixture(b, f)
			runSequential(b, f, func(ctx context.Context) *http.Request { return e.newProxiedTo(ctx, e.url(f), f.Body) }, e)
		})
	}
}

// BenchmarkHandlerDirect is BenchmarkHandler's baseline (see there).
func BenchmarkHandlerDirect(b *testing.B) {
	for _, f := range fixtures(b) {
		b.Run(f.Name, func(b *testing.B) {
			e := newEnv(b, fixedAnswer)
			body := e.kiroBodyFor(b, f)
			runSequential(b, f, func(ctx context.Context) *http.Request { return e.newDirectWith(ctx, body) }, e)
		})
	}
}

func runSequential(b *testing.B, f fixture, newReq func(context.Context) *http.Request, e *env) {
	ctx := context.Background()
	buf := make([]byte, 32<<10)
	b.SetBytes(int64(len(f.Body)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		resp, err := e.client.Do(newReq(ctx))
		if err == nil {
			err = drain(resp, buf)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	perKB(b, f)
	cpuPerOp(b, cpu0)
}

// cpuPerOp reports the process's CPU time (all threads: GC, and the fake
// and the client in the handler benchmarks) per operation since cpu0. On
// a machine shared with other work it moves much less than ns/op, which
// counts the waits for a core too.
func cpuPerOp(b *testing.B, cpu0 time.Duration) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	}
}
