package core

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/store"
)

// holder is a fake Kiro answer that holds every chat call until the test
// lets it go, counting the calls it holds: what the upstream sees in flight.
type holder struct {
	mu      sync.Mutex
	held    int
	arrived int
	gate    chan struct{}
	once    sync.Once
}

func newHolder() *holder { return &holder{gate: make(chan struct{})} }

func (h *holder) script(fakekiro.RecordedRequest) fakekiro.Script {
	h.mu.Lock()
	h.held++
	h.arrived++
	h.mu.Unlock()
	<-h.gate
	h.mu.Lock()
	h.held--
	h.mu.Unlock()
	return fakekiro.Script{fakekiro.Text("let go")}
}

func (h *holder) counts() (held, arrived int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held, h.arrived
}

// releaseOne lets one held call answer.
func (h *holder) releaseOne() { h.gate <- struct{}{} }

// releaseAll lets every call, held or to come, answer.
func (h *holder) releaseAll() { h.once.Do(func() { close(h.gate) }) }

// askAll sends n requests at once and returns a channel of their answers.
func askAll(e *served, n int) chan answer {
	out := make(chan answer, n)
	for i := range n {
		go func() {
			a, err := e.tryAsk(i%2 == 0, "hold me")
			if err != nil {
				a.err = err.Error()
			}
			out <- a
		}()
	}
	return out
}

// With no per-account limit (maxConcurrentPerAccount 0, the default), N
// requests on one account all reach Kiro together; with a limit of 2 the
// third waits in Kirodesk, not at Kiro, until one of the two answers.
func TestConcurrencyLimitIsWhatKiroSees(t *testing.T) {
	t.Run("no limit", func(t *testing.T) {
		h := newHolder()
		e := serve(t, serveOpts{accounts: 1, fake: fakekiro.Options{DefaultScript: h.script, CheckHeaders: true},
			config: func(c *store.Config) { c.MaxConcurrentPerAccount = 0 }})
		t.Cleanup(h.releaseAll) // runs before the fake closes
		const n = 8
		answers := askAll(e, n)
		require.Eventually(t, func() bool { held, _ := h.counts(); return held == n }, 20*time.Second, 10*time.Millisecond,
			"all %d requests are at Kiro at once", n)
		h.releaseAll()
		for range n {
			a := <-answers
			assert.Equal(t, 200, a.status, a.err)
			assert.Equal(t, "let go", a.text)
		}
	})

	t.Run("limit 2", func(t *testing.T) {
		h := newHolder()
		e := serve(t, serveOpts{accounts: 1, fake: fakekiro.Options{DefaultScript: h.script, CheckHeaders: true},
			config: func(c *store.Config) { c.MaxConcurrentPerAccount = 2; c.QueueWait = 30 }})
		t.Cleanup(h.releaseAll)
		answers := askAll(e, 3)
		require.Eventually(t, func() bool { held, _ := h.counts(); return held == 2 }, 20*time.Second, 10*time.Millisecond)
		time.Sleep(300 * time.Millisecond) // time for a third call to reach Kiro, were it let through
		held, arrived := h.counts()
		assert.Equal(t, 2, held, "the limit holds the third request back")
		assert.Equal(t, 2, arrived)
		select {
		case a := <-answers:
			t.Fatalf("a request answered while all were held: %+v", a)
		default:
		}

		h.releaseOne()
		a := <-answers
		assert.Equal(t, 200, a.status, a.err)
		require.Eventually(t, func() bool { _, arrived := h.counts(); return arrived == 3 }, 20*time.Second, 10*time.Millisecond,
			"the freed slot goes to the waiting request")
		held, _ = h.counts()
		assert.Equal(t, 2, held)
		h.releaseAll()
		for range 2 {
			a := <-answers
			assert.Equal(t, 200, a.status, a.err)
			assert.Equal(t, "let go", a.text)
		}
	})
}
