// Package proxy runs the local listener: it opens it where the config says,
// closes it when the person turns the proxy off, drains in-flight requests on
// the way down, and reports its state to whoever watches (tray, window).
package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"kirodesk/internal/store"
	"kirodesk/internal/uitext"
)

// DefaultDrain bounds how long stopping waits for requests in flight.
const DefaultDrain = 10 * time.Second

// Connection limits of the listener (Options can lower them for tests).
const (
	// DefaultIdleTimeout closes a keep-alive connection that has carried no
	// request for this long; clients open a new one when they need it.
	DefaultIdleTimeout = 60 * time.Second
	// DefaultReadHeaderTimeout bounds the wait for a request's headers.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultMaxConns caps open connections: far above what the tools of
	// one person open, and lowered to half the open-file limit so that the
	// upstream dials, the store and the keychain keep descriptors of their
	// own (see limitListener for what happens at the cap).
	DefaultMaxConns = 512
	// MaxHeaderBytes bounds a request's line and headers (net/http answers
	// 431 past it). API clients send a few kB; net/http's default is 1 MB.
	MaxHeaderBytes = 64 << 10
)

// Status is what the tray and the window show.
type Status struct {
	On       bool   `json:"proxyOn"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Endpoint string `json:"endpoint"`
	Error    string `json:"error"`
	// ErrorText is Error for the window, in its language and without the
	// advice for the tray and the command line (the window offers its own
	// repairs beside it).
	ErrorText uitext.Text `json:"errorText,omitzero"`
}

var (
	msgPortInUse    = uitext.Define("proxy.portInUse", "port {{port}} is in use by another program")
	msgCannotListen = uitext.Define("proxy.cannotListen", "cannot listen on {{addr}}: {{err}}")
	msgListenerDied = uitext.Define("proxy.listenerFailed", "listener failed: {{err}}")
)

// Options configure a Service.
type Options struct {
	Logger  *slog.Logger
	Handler http.Handler
	Config  *store.File[store.Config]
	// Host and Port, when set, override the config for this process only
	// (serve --host/--port); they are never saved. Port 0 means a free port.
	Host  string
	Port  *int
	Drain time.Duration
	// IdleTimeout, ReadHeaderTimeout and MaxConns default to the constants
	// above (MaxConns also to half the open-file limit, if lower).
	IdleTimeout       time.Duration
	ReadHeaderTimeout time.Duration
	MaxConns          int
}

// Service owns the listener. Safe for concurrent use.
type Service struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	srv      *http.Server
	lim      *limitListener
	status   Status
	watchers []func(Status)
}

// New returns a stopped Service.
func New(opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Drain <= 0 {
		opts.Drain = DefaultDrain
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.ReadHeaderTimeout <= 0 {
		opts.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = DefaultMaxConns
		if n := openFileLimit() / 2; n > 0 && n < opts.MaxConns {
			opts.MaxConns = n
		}
	}
	return &Service{opts: opts, log: opts.Logger}
}

// Watch calls fn with every new status, from the goroutine that changed it.
func (s *Service) Watch(fn func(Status)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watchers = append(s.watchers, fn)
}

// Status returns the current status.
func (s *Service) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Start opens the listener if it is not open. A failure (port in use) is
// returned and also kept in Status.Error for the tray and window.
func (s *Service) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return nil
	}
	cfg := s.opts.Config.Snapshot()
	host, port := cfg.Host, cfg.Port
	if s.opts.Host != "" {
		host = s.opts.Host
	}
	if s.opts.Port != nil {
		port = *s.opts.Port
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		msg := fmt.Sprintf("cannot listen on %s: %v", addr, err)
		text := msgCannotListen.With("addr", addr, "err", err.Error())
		if isAddrInUse(err) {
			msg = fmt.Sprintf("port %d is in use by another program: choose another port in Settings or with --port", port)
			text = msgPortInUse.With("port", strconv.Itoa(port))
		}
		s.setLocked(Status{Host: host, Port: port, Error: msg, ErrorText: text})
		return errors.New(msg)
	}
	if !store.IsLoopback(host) {
		s.log.Warn("listening beyond this machine: anyone who can reach this address and has the API key can use your Kiro accounts", "host", host)
	}
	bound := ln.Addr().(*net.TCPAddr)
	lim := newLimitListener(ln, s.opts.MaxConns)
	srv := &http.Server{
		Handler:           s.opts.Handler,
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ConnState:         lim.connState,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.srv, s.lim = srv, lim
	endpoint := "http://" + net.JoinHostPort(host, strconv.Itoa(bound.Port))
	s.setLocked(Status{On: true, Host: host, Port: bound.Port, Endpoint: endpoint})
	go func() {
		if err := srv.Serve(lim); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("listener failed", "err", err)
			s.mu.Lock()
			if s.srv == srv {
				s.srv = nil
				s.setLocked(Status{Host: host, Port: port, Error: "listener failed: " + err.Error(),
					ErrorText: msgListenerDied.With("err", err.Error())})
			}
			s.mu.Unlock()
		}
	}()
	s.log.Info("proxy on", "endpoint", endpoint)
	return nil
}

// Stop closes the listener at once, then waits up to the drain time for
// requests in flight before cutting them off.
func (s *Service) Stop(ctx context.Context) error {
	s.mu.Lock()
	srv := s.srv
	s.srv, s.lim = nil, nil
	st := s.status
	s.setLocked(Status{Host: st.Host, Port: st.Port})
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Drain)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		s.log.Warn("requests still running after the drain time were cut off", "err", err)
		_ = srv.Close()
	}
	s.log.Info("proxy off")
	return nil
}

// Restart closes the listener (draining requests in flight) and opens it
// again where the config now says: after a change of host or port.
func (s *Service) Restart(ctx context.Context) error {
	if err := s.Stop(ctx); err != nil {
		return err
	}
	return s.Start()
}

// SetEnabled turns the proxy on or off and remembers the choice in the
// config, so the next start does the same.
func (s *Service) SetEnabled(ctx context.Context, on bool) error {
	if err := s.opts.Config.Update(ctx, func(c *store.Config) error { c.ProxyDisabled = !on; return nil }); err != nil {
		return err
	}
	if on {
		return s.Start()
	}
	return s.Stop(ctx)
}

// setLocked records st and tells the watchers. Called with s.mu held; the
// watchers must not call back into the Service synchronously.
func (s *Service) setLocked(st Status) {
	s.status = st
	for _, fn := range s.watchers {
		fn(st)
	}
}
