package proxy

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/store"
)

func newService(t *testing.T, h http.Handler, port int) (*Service, *store.Store) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close(context.Background()) })
	svc := New(Options{Handler: h, Config: st.Config, Port: &port, Drain: 2 * time.Second})
	t.Cleanup(func() { svc.Stop(context.Background()) })
	return svc, st
}

func ok(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }

func get(t *testing.T, url string) (int, error) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func TestOffReallyClosesTheListenerAndOnReopensIt(t *testing.T) {
	svc, st := newService(t, http.HandlerFunc(ok), 0)
	var mu sync.Mutex
	var seen []Status
	svc.Watch(func(s Status) { mu.Lock(); seen = append(seen, s); mu.Unlock() })

	require.NoError(t, svc.Start())
	s := svc.Status()
	require.True(t, s.On)
	code, err := get(t, s.Endpoint+"/")
	require.NoError(t, err)
	assert.Equal(t, 200, code)

	ctx := context.Background()
	require.NoError(t, svc.SetEnabled(ctx, false))
	assert.False(t, svc.Status().On)
	_, err = net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)), time.Second)
	assert.Error(t, err, "the port must be closed when the proxy is off")
	assert.True(t, st.Config.Snapshot().ProxyDisabled, "off is remembered")

	require.NoError(t, svc.SetEnabled(ctx, true))
	assert.True(t, svc.Status().On)
	code, err = get(t, svc.Status().Endpoint+"/")
	require.NoError(t, err)
	assert.Equal(t, 200, code)
	assert.False(t, st.Config.Snapshot().ProxyDisabled)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 3)
	assert.Equal(t, []bool{true, false, true}, []bool{seen[0].On, seen[1].On, seen[2].On})
}

func TestPortInUseIsReportedPlainly(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	svc, _ := newService(t, http.HandlerFunc(ok), port)
	err = svc.Start()
	require.Error(t, err)
	msg := "port " + strconv.Itoa(port) + " is in use by another program"
	assert.Contains(t, err.Error(), msg)
	assert.Contains(t, svc.Status().Error, msg)
	assert.False(t, svc.Status().On)
	// The window's copy is coded (its language) and has no advice for the
	// command line, which the window replaces with buttons.
	assert.Equal(t, "proxy.portInUse", svc.Status().ErrorText.Code)
	assert.Equal(t, map[string]string{"port": strconv.Itoa(port)}, svc.Status().ErrorText.Args)
	assert.Equal(t, msg, svc.Status().ErrorText.Text)
}

func TestStopDrainsRequestsInFlight(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "finished")
	})
	svc, _ := newService(t, slow, 0)
	require.NoError(t, svc.Start())
	url := svc.Status().Endpoint + "/"

	result := make(chan int, 1)
	go func() {
		code, _ := get(t, url)
		result <- code
	}()
	<-started
	stopped := make(chan struct{})
	go func() { svc.Stop(context.Background()); close(stopped) }()
	time.Sleep(100 * time.Millisecond)
	select {
	case <-stopped:
		t.Fatal("Stop returned while a request was still running")
	default:
	}
	close(release)
	assert.Equal(t, 200, <-result, "the request in flight completes")
	<-stopped
}

func TestDrainIsBounded(t *testing.T) {
	hang := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	svc, _ := newService(t, hang, 0)
	svc.opts.Drain = 200 * time.Millisecond
	require.NoError(t, svc.Start())
	go get(t, svc.Status().Endpoint+"/")
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	require.NoError(t, svc.Stop(context.Background()))
	assert.Less(t, time.Since(start), 2*time.Second)
}
