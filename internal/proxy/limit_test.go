package proxy

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/store"
)

func newLimitedService(t *testing.T, h http.Handler, o Options) *Service {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close(context.Background()) })
	port := 0
	o.Handler, o.Config, o.Port, o.Drain = h, st.Config, &port, time.Second
	svc := New(o)
	require.NoError(t, svc.Start())
	t.Cleanup(func() { svc.Stop(context.Background()) })
	return svc
}

func (s *Service) openConns() int {
	s.mu.Lock()
	lim := s.lim
	s.mu.Unlock()
	return lim.open()
}

// idleConn opens a connection, makes one keep-alive request on it and
// leaves it open, as a client's connection pool does.
func idleConn(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	_, err = io.WriteString(c, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	require.NoError(t, err)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	return c
}

// closedWithin reports whether the server closes c within d.
func closedWithin(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := c.Read(make([]byte, 1))
	return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
}

func TestIdleConnectionsAreClosedAfterTheIdleTimeout(t *testing.T) {
	svc := newLimitedService(t, http.HandlerFunc(ok), Options{IdleTimeout: time.Second, MaxConns: 1000})
	addr := strings.TrimPrefix(svc.Status().Endpoint, "http://")
	conns := make([]net.Conn, 200)
	for i := range conns {
		conns[i] = idleConn(t, addr)
	}
	last := conns[len(conns)-1]
	assert.False(t, closedWithin(last, 100*time.Millisecond), "open while not yet idle for the timeout")
	for i, c := range conns {
		assert.True(t, closedWithin(c, 5*time.Second), "connection %d is still open after the idle timeout", i)
	}
	assert.Eventually(t, func() bool { return svc.openConns() == 0 }, 2*time.Second, 10*time.Millisecond,
		"closed connections leave the count")
}

// Past the cap, idle connections make room: a person's request is served
// at once, not after the idle timeout, and the connection idle the longest
// is the one closed.
func TestPastTheCapTheLongestIdleConnectionMakesRoom(t *testing.T) {
	svc := newLimitedService(t, http.HandlerFunc(ok), Options{MaxConns: 20})
	addr := strings.TrimPrefix(svc.Status().Endpoint, "http://")
	conns := make([]net.Conn, 20)
	for i := range conns {
		conns[i] = idleConn(t, addr)
		time.Sleep(2 * time.Millisecond) // distinct idle times
	}
	assert.Equal(t, 20, svc.openConns())

	start := time.Now()
	code, err := get(t, svc.Status().Endpoint+"/v1/models")
	require.NoError(t, err)
	assert.Equal(t, 200, code)
	assert.Less(t, time.Since(start), time.Second, "served at once")
	assert.True(t, closedWithin(conns[0], time.Second), "the longest idle connection was closed")
	for _, c := range conns[1:] {
		assert.False(t, closedWithin(c, 10*time.Millisecond), "the others stay")
	}
	assert.LessOrEqual(t, svc.openConns(), 20)
}

// Connections that were accepted but never sent a byte count as idle too.
func TestSilentConnectionsDoNotHoldTheCap(t *testing.T) {
	svc := newLimitedService(t, http.HandlerFunc(ok), Options{MaxConns: 10})
	addr := strings.TrimPrefix(svc.Status().Endpoint, "http://")
	for range 30 {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
	}
	code, err := get(t, svc.Status().Endpoint+"/")
	require.NoError(t, err)
	assert.Equal(t, 200, code)
	assert.LessOrEqual(t, svc.openConns(), 10)
}

// When every connection at the cap is inside a request, a new one is
// refused at once with a 503 that says why.
func TestPastTheCapWithEveryConnectionBusyIsRefusedFast(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			started <- struct{}{}
			<-release
		}
		_, _ = io.WriteString(w, "ok")
	})
	svc := newLimitedService(t, h, Options{MaxConns: 3})
	url := svc.Status().Endpoint
	done := make(chan int, 3)
	for range 3 {
		go func() { code, _ := get(t, url+"/slow"); done <- code }()
		<-started
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	resp, err := client.Get(url + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Less(t, time.Since(start), time.Second, "refused at once")
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.Contains(t, string(body), "3 connections open, all inside a request")

	close(release)
	for range 3 {
		assert.Equal(t, 200, <-done, "the requests in flight were not disturbed")
	}
	code, err := get(t, url+"/")
	require.NoError(t, err)
	assert.Equal(t, 200, code, "room again once they finished")
}

func TestHeadersAreLimited(t *testing.T) {
	svc := newLimitedService(t, http.HandlerFunc(ok), Options{})
	req, err := http.NewRequest("GET", svc.Status().Endpoint+"/", nil)
	require.NoError(t, err)
	req.Header.Set("X-Big", strings.Repeat("a", MaxHeaderBytes+8<<10))
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode)
	req.Header.Set("X-Big", strings.Repeat("a", 16<<10))
	resp, err = (&http.Client{Timeout: 5 * time.Second}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
}
