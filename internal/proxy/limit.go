package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limitListener caps the open connections of the API listener. Any local
// process can open connections without the key (only requests need it), so
// without a cap idle connections alone could use up the process's file
// descriptors, which the upstream dials need too.
//
// At the cap a new connection is let in by closing the connection that has
// been idle longest (between requests, or accepted and still silent): an
// idle keep-alive connection costs its client nothing to lose (clients open
// a new one, as after IdleTimeout), while hanging or refusing the new one
// would fail a person's request because of connections nobody uses. Only
// when every connection is inside a request is the new one refused, at once,
// with a 503 the client can read rather than a silent wait in the backlog.
type limitListener struct {
	net.Listener
	max int

	mu    sync.Mutex
	conns map[*limitedConn]*connState

	refusing chan struct{} // bounds the goroutines answering refused connections
}

type connState struct {
	busy  bool      // inside a request (http.StateActive)
	since time.Time // when it last became idle (or was accepted)
}

// maxRefusing bounds the connections being refused at once; past it a
// refused connection is closed without an answer.
const maxRefusing = 32

// refuseLinger bounds the time spent on a refused connection: reading the
// request's head (a client that reads an answer before sending its request
// takes it for a stray one), answering, and reading what else the client
// sent, so that closing does not reset the answer away.
const refuseLinger = 2 * time.Second

func newLimitListener(ln net.Listener, max int) *limitListener {
	return &limitListener{Listener: ln, max: max, conns: map[*limitedConn]*connState{},
		refusing: make(chan struct{}, maxRefusing)}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		lc := &limitedConn{Conn: c, l: l}
		victim, ok := l.admit(lc)
		if victim != nil {
			_ = victim.Conn.Close()
		}
		if ok {
			return lc, nil
		}
		l.refuse(c)
	}
}

// admit counts lc in if there is room or an idle connection to make room,
// and returns that idle connection for the caller to close.
func (l *limitListener) admit(lc *limitedConn) (victim *limitedConn, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.conns) >= l.max {
		var oldest time.Time
		for c, st := range l.conns {
			if !st.busy && (victim == nil || st.since.Before(oldest)) {
				victim, oldest = c, st.since
			}
		}
		if victim == nil {
			return nil, false
		}
		delete(l.conns, victim)
	}
	l.conns[lc] = &connState{since: time.Now()}
	return victim, true
}

// connState is the http.Server's ConnState hook: it tells idle from busy.
func (l *limitListener) connState(c net.Conn, s http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	st, ok := l.conns[lc]
	if !ok {
		return
	}
	switch s {
	case http.StateActive:
		st.busy = true
	case http.StateIdle:
		st.busy, st.since = false, time.Now()
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, lc)
	}
}

func (l *limitListener) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// refuse answers a connection past the cap with a 503 and closes it.
func (l *limitListener) refuse(c net.Conn) {
	select {
	case l.refusing <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-l.refusing }()
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(refuseLinger))
		if req, err := http.ReadRequest(bufio.NewReader(io.LimitReader(c, MaxHeaderBytes))); err == nil {
			_ = req.Body.Close()
		}
		msg := `{"type":"error","error":{"type":"overloaded_error","message":"Kirodesk has ` + strconv.Itoa(l.max) +
			` connections open, all inside a request: try again in a moment"}}` + "\n"
		_, _ = io.WriteString(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"+
			"Connection: close\r\nContent-Length: "+strconv.Itoa(len(msg))+"\r\n\r\n"+msg)
		if tc, ok := c.(interface{ CloseWrite() error }); ok {
			_ = tc.CloseWrite()
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(c, 1<<20))
	}()
}

// limitedConn leaves the count when closed, whoever closes it.
type limitedConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return err
}
