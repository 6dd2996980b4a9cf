package relay

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"kirodesk/internal/canon"
	"kirodesk/internal/fakekiro"
)

// A request with server tools goes to the runner, which calls back for
// chat (sent without the server tools, not handed to the runner again) and
// for searches on the pool's accounts; without a runner it goes as before.
func TestServerToolsHook(t *testing.T) {
	e := newEnv(t, 1)
	req := hello()
	req.ServerTools = []canon.ServerTool{{Type: "web_search_20250305", Name: "web_search"}}

	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("plain")})
	rec := e.do(t, req)
	assert.Equal(t, "plain", rec.text(), "no runner: Kiro answers the request as it is")

	calls := 0
	var results int
	e.relay.opts.ServerTools = func(ctx context.Context, got *canon.Request, sink Sink, up ServerUpstream) error {
		calls++
		assert.Same(t, req, got)
		hits, err := up.WebSearch(ctx, got, "q", time.Second)
		if err != nil {
			return err
		}
		results = len(hits)
		return up.Chat(ctx, got, sink)
	}
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("via runner")})
	rec = e.do(t, req)
	assert.Equal(t, 1, calls, "the runner's own chat call does not come back to it")
	assert.Equal(t, 2, results)
	assert.Equal(t, "via runner", rec.text())
	assert.Equal(t, "arn:aws:codewhisperer:us-east-1:123456789012:profile/P", e.fake.SearchCalls()[0].ProfileARN)
	assert.Len(t, req.ServerTools, 1, "the client's request is not changed")
}
