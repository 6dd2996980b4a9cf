package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"kirodesk/internal/accounts"
	"kirodesk/internal/login"
	"kirodesk/internal/store"
)

// SocketName is the control socket inside the config folder.
const SocketName = "kirodesk.sock"

// SocketPath is the control socket of the config folder dir.
func SocketPath(dir string) string { return filepath.Join(dir, SocketName) }

// Server serves an API on the folder's control socket.
type Server struct {
	path     string
	srv      *http.Server
	done     chan struct{}
	inFlight sync.WaitGroup
}

// Listen serves api on dir's control socket. The caller must hold the
// folder's lock: a socket file already there is a crashed owner's and is
// replaced.
func Listen(dir string, api API, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	path := SocketPath(dir)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove the stale control socket %s: %w", path, err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("open the control socket %s: %w", path, err)
	}
	// The folder (0700) already keeps other users out; the socket's own
	// mode says the same where a folder's does not count.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("restrict the control socket %s: %w", path, err)
	}
	s := &Server{path: path, done: make(chan struct{})}
	// No write timeout: a wait is a long poll that lasts the whole login.
	s.srv = &http.Server{Handler: s.counted(routes(api, log)), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ownerOnly{ln, log})
	}()
	return s, nil
}

// ownerOnly drops connections from other users.
type ownerOnly struct {
	net.Listener
	log *slog.Logger
}

func (l ownerOnly) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil || samePeer(c) {
			return c, err
		}
		l.log.Warn("refused a control connection from another user")
		c.Close()
	}
}

// counted tracks the calls in progress, so Close can let them finish.
func (s *Server) counted(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inFlight.Add(1)
		defer s.inFlight.Done()
		next.ServeHTTP(w, r)
	})
}

// Close stops serving (ending waits in progress, which cancels their flows),
// lets calls in progress finish their writes (until ctx ends) and removes the
// socket file. The store must stay open until it returns.
func (s *Server) Close(ctx context.Context) error {
	err := s.srv.Close()
	<-s.done
	finished := make(chan struct{})
	go func() {
		s.inFlight.Wait()
		close(finished)
	}()
	select {
	case <-finished:
	case <-ctx.Done():
		err = errors.Join(err, fmt.Errorf("control calls still running at shutdown: %w", ctx.Err()))
	}
	if rerr := os.Remove(s.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		err = errors.Join(err, rerr)
	}
	return err
}

// errorBody is every failed answer.
type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

// Error codes, mapped back to the sentinel errors by Client.
var codes = []struct {
	code string
	err  error
}{
	{"duplicate", login.ErrDuplicate}, {"expired", login.ErrExpired}, {"denied", login.ErrDenied},
	{"timeout", login.ErrTimeout}, {"canceled", login.ErrCanceled}, {"not_found", accounts.ErrNotFound},
	{"no_flow", ErrNoFlow}, {"not_saved", store.ErrNotSaved},
}

func codeOf(err error) string {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return "failed"
}

func routes(api API, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/ping", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]int{"pid": os.Getpid()}, nil)
	})
	handle(mux, "GET /v1/accounts", func(r *http.Request, _ *struct{}) (any, error) { return api.Accounts(r.Context()) })
	handle(mux, "POST /v1/accounts/{id}/remove", func(r *http.Request, _ *struct{}) (any, error) {
		return struct{}{}, api.Remove(r.Context(), r.PathValue("id"))
	})
	handle(mux, "POST /v1/accounts/{id}/reset", func(r *http.Request, _ *struct{}) (any, error) {
		return api.Reset(r.Context(), r.PathValue("id"))
	})
	handle(mux, "POST /v1/accounts/{id}/quota", func(r *http.Request, _ *struct{}) (any, error) {
		return api.RefreshQuota(r.Context(), r.PathValue("id"))
	})
	handle(mux, "POST /v1/accounts/{id}/disable", func(r *http.Request, _ *struct{}) (any, error) {
		return api.SetDisabled(r.Context(), r.PathValue("id"), true)
	})
	handle(mux, "POST /v1/accounts/{id}/enable", func(r *http.Request, _ *struct{}) (any, error) {
		return api.SetDisabled(r.Context(), r.PathValue("id"), false)
	})
	handle(mux, "POST /v1/accounts/{id}/rename", func(r *http.Request, in *struct{ Label string }) (any, error) {
		return api.Rename(r.Context(), r.PathValue("id"), in.Label)
	})
	handle(mux, "POST /v1/login/device", func(r *http.Request, in *login.DeviceOptions) (any, error) {
		return api.StartDevice(r.Context(), *in)
	})
	handle(mux, "POST /v1/login/social", func(r *http.Request, in *login.SocialOptions) (any, error) {
		return api.StartSocial(r.Context(), *in)
	})
	handle(mux, "POST /v1/flows/{id}/wait", func(r *http.Request, _ *struct{}) (any, error) {
		return api.WaitFlow(r.Context(), r.PathValue("id"))
	})
	handle(mux, "POST /v1/flows/{id}/complete", func(r *http.Request, in *struct{ URL string }) (any, error) {
		return api.CompleteSocial(r.Context(), r.PathValue("id"), in.URL)
	})
	handle(mux, "POST /v1/flows/{id}/cancel", func(r *http.Request, _ *struct{}) (any, error) {
		return struct{}{}, api.CancelFlow(r.Context(), r.PathValue("id"))
	})
	handle(mux, "POST /v1/import/kiro-ide", func(r *http.Request, in *struct{ Path, Label string }) (any, error) {
		return api.ImportKiroIDE(r.Context(), in.Path, in.Label)
	})
	handle(mux, "POST /v1/import/aiclient", func(r *http.Request, in *struct{ Dir string }) (any, error) {
		return api.ImportAIClient(r.Context(), in.Dir)
	})
	handle(mux, "POST /v1/import/aiclient/delete", func(r *http.Request, in *login.ImportReport) (any, error) {
		return api.DeletePlaintext(r.Context(), *in)
	})
	handle(mux, "POST /v1/add-token", func(r *http.Request, in *struct{ Input, Label string }) (any, error) {
		return api.AddToken(r.Context(), in.Input, in.Label)
	})
	usageRoute(mux, api)
	return logged(mux, log)
}

// handle decodes the JSON body into In, runs fn and writes its answer.
func handle[In any](mux *http.ServeMux, pattern string, fn func(*http.Request, *In) (any, error)) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		in := new(In)
		if r.Method == http.MethodPost {
			b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err == nil && len(b) > 0 {
				err = json.Unmarshal(b, in)
			}
			if err != nil {
				// The body may hold a pasted token: the message must not quote it.
				reply(w, nil, errors.New("the request body is not the JSON this call takes"))
				return
			}
		}
		out, err := fn(r, in)
		reply(w, out, err)
	})
}

func reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		status := http.StatusBadRequest
		code := codeOf(err)
		switch code {
		case "not_found", "no_flow":
			status = http.StatusNotFound
		case "duplicate":
			status = http.StatusConflict
		case "not_saved": // the instance's disk failed, not the request
			status = http.StatusInternalServerError
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(errorBody{Error: err.Error(), Code: code})
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}

func logged(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Debug("control call", "method", r.Method, "path", r.URL.Path)
		next.ServeHTTP(w, r)
	})
}
