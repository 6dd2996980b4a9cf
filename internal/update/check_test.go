package update

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// fakeFeed is a release feed server on this machine.
type fakeFeed struct {
	*httptest.Server
	mu      sync.Mutex
	handler http.HandlerFunc
	hits    atomic.Int32
	headers []http.Header
}

func newFakeFeed(t *testing.T) *fakeFeed {
	f := &fakeFeed{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		f.mu.Lock()
		f.headers = append(f.headers, r.Header.Clone())
		h := f.handler
		f.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeFeed) serve(h http.HandlerFunc) {
	f.mu.Lock()
	f.handler = h
	f.mu.Unlock()
}

// serveVersion answers a valid feed for version v.
func (f *fakeFeed) serveVersion(v string) {
	f.serve(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, feedJSONFor(v))
	})
}

func (f *fakeFeed) url() string { return f.URL + "/kirodesk-feed.json" }

func feedJSONFor(v string) string {
	return `{"version":"` + v + `","date":"2026-12-07","notes":"What changed in ` + v + `.","page":"/releases/tag/v` + v + `",` +
		`"packages":{"deb":{"url":"kirodesk_` + v + `_amd64.deb","sha256":"` + sum + `"}}}`
}

func openState(t *testing.T, dir string) *store.File[store.UpdateCheck] {
	t.Helper()
	f, err := store.OpenFile(dir, store.UpdateCheckSchema(), store.FileOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close(context.Background()) })
	return f
}

func newChecker(t *testing.T, running string, mod func(*Options)) *Checker {
	t.Helper()
	opts := Options{Running: running, State: openState(t, t.TempDir())}
	if mod != nil {
		mod(&opts)
	}
	return New(opts)
}

func TestCheckComparesTheFeedWithTheRunningVersion(t *testing.T) {
	f := newFakeFeed(t)
	for _, c := range []struct {
		name, running, feed string
		available           bool
	}{
		{"newer", "0.1.0", "0.2.0", true},
		{"same", "0.2.0", "0.2.0", false},
		{"older", "0.3.0", "0.2.0", false},
		{"pre-release to a stable build", "0.2.0", "0.3.0-rc.1", false},
		{"pre-release to a pre-release", "0.3.0-beta.1", "0.3.0-rc.1", true},
		{"release to its candidate", "0.3.0-rc.1", "0.3.0", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.serveVersion(c.feed)
			r := newChecker(t, c.running, nil).Check(context.Background(), f.url())
			require.NoError(t, r.Err)
			require.NotNil(t, r.Latest)
			assert.Equal(t, c.feed, r.Latest.Version.String())
			assert.Equal(t, c.running, r.Running.String())
			assert.Equal(t, c.available, r.Available)
			assert.Equal(t, f.URL+"/releases/tag/v"+c.feed, r.Latest.Page)
			assert.Equal(t, "What changed in "+c.feed+".", r.Latest.Notes)
		})
	}
}

func TestCheckFailuresAreErrorsNotOffers(t *testing.T) {
	f := newFakeFeed(t)
	for _, c := range []struct {
		name    string
		handler http.HandlerFunc
		is      error
		want    string
	}{
		{"malformed", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"version":"2.0"`)
		}, ErrMalformed, "unexpected EOF"},
		{"not a release feed", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"version":"2.0.0","date":"2026-12-07","page":"/r","packages":{"deb":{"url":"k.deb","sha256":"00"}}}`)
		}, ErrMalformed, "sha256"},
		{"wrong content", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<html>Sign in to the hotel Wi-Fi</html>`)
		}, ErrContent, "text/html"},
		{"oversized, declared", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", fmt.Sprint(MaxBody+1))
			_, _ = w.Write(bytes.Repeat([]byte(" "), MaxBody+1))
		}, ErrTooLarge, "at most"},
		{"oversized, streamed", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			for range 40 { // chunked: no length announced
				_, _ = w.Write(bytes.Repeat([]byte(" "), 8<<10))
				w.(http.Flusher).Flush()
			}
		}, ErrTooLarge, "more than"},
		{"not found", func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) }, ErrStatus, "404"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.serve(c.handler)
			r := newChecker(t, "0.1.0", nil).Check(context.Background(), f.url())
			require.ErrorIs(t, r.Err, c.is)
			assert.Contains(t, r.Err.Error(), c.want)
			assert.Nil(t, r.Latest)
			assert.False(t, r.Available)
		})
	}
}

func TestASlowFeedIsAbandonedAtTheTimeout(t *testing.T) {
	f := newFakeFeed(t)
	f.serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"version":`) // then nothing until the client leaves
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	c := newChecker(t, "0.1.0", func(o *Options) { o.Timeout = 200 * time.Millisecond })
	start := time.Now()
	r := c.Check(context.Background(), f.url())
	assert.ErrorIs(t, r.Err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 3*time.Second)

	// The caller's context ends it too (the app quitting).
	c = newChecker(t, "0.1.0", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	r = c.Check(ctx, f.url())
	assert.ErrorIs(t, r.Err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 3*time.Second)
}

func TestAnUnreachableFeedIsAnError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	r := newChecker(t, "0.1.0", nil).Check(context.Background(), "http://"+addr+"/kirodesk-feed.json")
	require.Error(t, r.Err)
	assert.Contains(t, r.Err.Error(), "connection refused")
	assert.Nil(t, r.Latest)
}

// The guard: under `go test` nothing but this machine is ever asked, even
// through a redirect, whatever a test (or a default setting) says.
func TestUnderGoTestOnlyLoopbackFeedsAreRead(t *testing.T) {
	var called atomic.Bool
	client := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		called.Store(true)
		return nil, fmt.Errorf("no network in tests")
	})}
	c := newChecker(t, "0.1.0", func(o *Options) { o.Client = client })
	for _, u := range []string{store.DefaultFeedURL, "https://example.com/kirodesk-feed.json"} {
		r := c.Check(context.Background(), u)
		assert.ErrorIs(t, r.Err, ErrNotLoopback, u)
	}
	assert.False(t, called.Load(), "a non-loopback feed reached the transport")
	assert.True(t, c.Due(), "a URL refused before any contact is not an attempt")

	f := newFakeFeed(t)
	f.serve(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://example.com/kirodesk-feed.json", http.StatusFound)
	})
	r := newChecker(t, "0.1.0", nil).Check(context.Background(), f.url())
	assert.ErrorIs(t, r.Err, ErrNotLoopback)
	assert.EqualValues(t, 1, f.hits.Load())
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestADevelopmentBuildAsksNobody(t *testing.T) {
	f := newFakeFeed(t)
	f.serveVersion("9.0.0")
	r := newChecker(t, "dev", nil).Check(context.Background(), f.url())
	assert.ErrorIs(t, r.Err, ErrVersion)
	assert.Zero(t, f.hits.Load())
}

func TestTheAutomaticCheckAsksAtMostOnceADay(t *testing.T) {
	f := newFakeFeed(t)
	f.serveVersion("0.2.0")
	clk := testenv.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	dir := t.TempDir()
	state := openState(t, dir)
	c := New(Options{Running: "0.1.0", State: state, Now: clk.Now})

	r, asked := c.CheckIfDue(context.Background(), f.url())
	require.True(t, asked)
	require.NoError(t, r.Err)
	assert.True(t, r.Available)
	assert.Equal(t, clk.Now(), r.CheckedAt)

	clk.Add(23 * time.Hour)
	r, asked = c.CheckIfDue(context.Background(), f.url())
	assert.False(t, asked)
	assert.True(t, r.Available, "what is known is still said")
	assert.EqualValues(t, 1, f.hits.Load())

	// A restart does not reset the day: the time is in update-check.json.
	require.NoError(t, state.Close(context.Background()))
	c = New(Options{Running: "0.1.0", State: openState(t, dir), Now: clk.Now})
	_, asked = c.CheckIfDue(context.Background(), f.url())
	assert.False(t, asked)
	assert.True(t, c.Known(f.url()).Available, "the notice is back after a restart without asking")

	clk.Add(time.Hour)
	_, asked = c.CheckIfDue(context.Background(), f.url())
	assert.True(t, asked)
	assert.EqualValues(t, 2, f.hits.Load())

	// A failed attempt counts too: an offline machine is not asked again
	// before the day is over.
	f.serve(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusBadGateway) })
	clk.Add(24 * time.Hour)
	r, asked = c.CheckIfDue(context.Background(), f.url())
	assert.True(t, asked)
	assert.ErrorIs(t, r.Err, ErrStatus)
	require.NotNil(t, r.Latest, "what an earlier check read is kept")
	clk.Add(time.Hour)
	_, asked = c.CheckIfDue(context.Background(), f.url())
	assert.False(t, asked)
	assert.EqualValues(t, 3, f.hits.Load())

	// The button asks whenever it is pressed.
	f.serveVersion("0.2.0")
	r = c.Check(context.Background(), f.url())
	require.NoError(t, r.Err)
	assert.EqualValues(t, 4, f.hits.Load())
}

func TestAnUnchangedFeedIsAnsweredWithNotModified(t *testing.T) {
	f := newFakeFeed(t)
	f.serve(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v2"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v2"`)
		w.Header().Set("Last-Modified", "Mon, 07 Dec 2026 09:00:00 GMT")
		w.Header().Set("Content-Type", "application/octet-stream") // as release hosts serve assets
		fmt.Fprint(w, feedJSONFor("0.2.0"))
	})
	c := newChecker(t, "0.1.0", nil)
	require.NoError(t, c.Check(context.Background(), f.url()).Err)
	r := c.Check(context.Background(), f.url())
	require.NoError(t, r.Err)
	require.NotNil(t, r.Latest)
	assert.Equal(t, "0.2.0", r.Latest.Version.String())
	assert.True(t, r.Available)
	require.Len(t, f.headers, 2)
	assert.Empty(t, f.headers[0].Get("If-None-Match"))
	assert.Equal(t, `"v2"`, f.headers[1].Get("If-None-Match"))
	assert.Equal(t, "Mon, 07 Dec 2026 09:00:00 GMT", f.headers[1].Get("If-Modified-Since"))
	assert.Equal(t, "Kirodesk/0.1.0", f.headers[1].Get("User-Agent"))

	// Another feed URL (the setting changed) starts without validators or
	// the old feed.
	other := f.URL + "/other.json"
	assert.Nil(t, c.Known(other).Latest)
	c.Check(context.Background(), other)
	assert.Empty(t, f.headers[2].Get("If-None-Match"))
}

func TestAFailureIsLoggedOnceNotOnEveryAttempt(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	f := newFakeFeed(t)
	f.serve(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })
	c := newChecker(t, "0.1.0", func(o *Options) { o.Logger = log })
	for range 3 {
		require.Error(t, c.Check(context.Background(), f.url()).Err)
	}
	assert.Equal(t, 1, strings.Count(logs.String(), "update check failed"), logs.String())

	f.serveVersion("0.2.0")
	require.NoError(t, c.Check(context.Background(), f.url()).Err)
	assert.Contains(t, logs.String(), "can be read again")
	f.serve(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })
	c.Check(context.Background(), f.url())
	assert.Equal(t, 2, strings.Count(logs.String(), "update check failed"), "a new episode is logged again")
}

func TestDismissRemembersTheVersion(t *testing.T) {
	f := newFakeFeed(t)
	f.serveVersion("0.2.0")
	c := newChecker(t, "0.1.0", nil)
	require.NoError(t, c.Check(context.Background(), f.url()).Err)
	require.NoError(t, c.Dismiss(context.Background(), "0.2.0"))
	assert.Equal(t, "0.2.0", c.Known(f.url()).Dismissed)
	assert.Error(t, c.Dismiss(context.Background(), "not a version"))
}

func TestRunChecksWhenDueAndOnlyWhileOn(t *testing.T) {
	f := newFakeFeed(t)
	f.serveVersion("0.2.0")
	clk := testenv.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	c := newChecker(t, "0.1.0", func(o *Options) { o.Now = clk.Now })
	var on atomic.Bool
	results := make(chan Result, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(ctx, 0, 10*time.Millisecond, func() (bool, string) { return on.Load(), f.url() }, func(r Result) { results <- r })
	}()
	time.Sleep(100 * time.Millisecond)
	assert.Zero(t, f.hits.Load(), "the check is off")
	on.Store(true)
	select {
	case r := <-results:
		assert.True(t, r.Available)
	case <-time.After(5 * time.Second):
		t.Fatal("no check once it was turned on")
	}
	time.Sleep(100 * time.Millisecond)
	assert.EqualValues(t, 1, f.hits.Load(), "not again the same day")
	clk.Add(Interval)
	select {
	case <-results:
	case <-time.After(5 * time.Second):
		t.Fatal("no check a day later")
	}
	cancel()
	<-done
}
