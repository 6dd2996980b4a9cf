// Package fakekiro is a faithful fake of Kiro's upstream services for tests
// and benchmarks: the chat host (generateAssistantResponse, ListAvailableModels,
// getUsageLimits, mcp web search), the social auth host (refreshToken, login, oauth/token) and
// AWS SSO-OIDC (client/register, device_authorization, token), all on one
// loopback httptest server. Point store.Upstream's APIBase, AuthBase and
// OIDCBase at Server.URL (no {region} in them).
//
// Chat answers are real event-stream frames with CRCs, played from Scripts
// that tests queue with Enqueue; faults (429, 5xx, connection resets) can be
// injected at seeded random rates for soak tests. Refresh tokens rotate on
// every refresh, as Kiro's do, and the old one stops working.
//
// A Server is safe for concurrent use; all methods may be called while
// requests are in flight. Nothing here is used by the app itself.
package fakekiro

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"maps"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Endpoint paths, also the keys of Calls.
const (
	PathChat       = "/generateAssistantResponse"
	PathModels     = "/ListAvailableModels"
	PathUsage      = "/getUsageLimits"
	PathRefresh    = "/refreshToken"
	PathLogin      = "/login"
	PathOAuthToken = "/oauth/token"
	PathRegister   = "/client/register"
	PathDeviceAuth = "/device_authorization"
	PathToken      = "/token"
	PathDevice     = "/device" // the verification page (DeviceFlow.AwaitApproval)
)

// Kiro's answer to a bad bearer token (kiro-protocol.md section 6).
const InvalidTokenBody = `{"message":"The bearer token included in the request is invalid."}`

// Options configures a Server. The zero value is usable.
type Options struct {
	Logger *slog.Logger
	// Faults injects errors into chat calls at random, from Seed.
	Faults Faults
	Seed   uint64
	// AccessTokenTTL is the lifetime of issued access tokens (default 1h);
	// an expired token gets the invalid-token answer.
	AccessTokenTTL time.Duration
	// InvalidTokenStatus is the status for a bad bearer token (default 401;
	// Kiro has also been seen answering 403).
	InvalidTokenStatus int
	// DefaultScript, when set, replaces the echo script used when no
	// script is queued. It receives the recorded chat request.
	DefaultScript func(RecordedRequest) Script
	// Models is the ListAvailableModels catalogue (default DefaultModels()).
	Models []Model
	// ModelsPageSize > 0 pages ListAvailableModels with nextToken.
	ModelsPageSize int
	// DeviceInterval is the polling interval the device flow announces, in
	// seconds (default 1). Polling faster earns slow_down, as on AWS.
	DeviceInterval int
	// CheckHeaders refuses chat calls without Kiro's headers (section 2),
	// as Kirodesk's own tests want; raw tests of the fake leave it off.
	CheckHeaders bool
	// DeviceExpiresIn is the device code lifetime (default 10 minutes).
	DeviceExpiresIn time.Duration
	// RotationGrace keeps an account's previous refresh token valid until
	// the one issued in its place has been used once. Without it a rotated
	// token dies at once. A client that is killed after the refresh answer
	// left the fake but before it stored the new token can then still
	// refresh with the old one, as OAuth servers with rotation grace allow.
	RotationGrace bool
	// DeviceUnit is how long one second of the device flow's interval,
	// slow_down step and expiresIn lasts (default a second); tests shrink it
	// together with the client's so a flow runs in milliseconds.
	DeviceUnit time.Duration
	// TLS, when set, serves HTTPS with this config; without Certificates
	// in it, httptest's own certificate for 127.0.0.1 (see CertPEM).
	TLS *tls.Config
	// DiscardRequests keeps the call counters but no RecordedRequest, so a
	// long soak run does not grow the fake's memory without bound
	// (Requests and ChatRequests then return nothing).
	DiscardRequests bool
	// OnChat, when set, is called for every chat call with its fault: ""
	// (none), "auth" (bad or expired token), "429", "5xx", "reset",
	// "stall" or "hang", before the answer is played. It lets a soak test
	// tell which client failure each upstream fault explains.
	OnChat func(rec RecordedRequest, fault string)
}

// Faults are per-call probabilities (0..1) applied to chat calls that passed
// authentication and validation. Rate429 answers Kiro's throttle and Rate5xx
// a capacity error (500 or 503), leaving queued scripts in place; RateReset
// plays the first frame of the call's script (consuming it) and then drops
// the connection. RateStall plays the first frame and then goes silent
// until the client gives up (an idle timeout mid-stream); RateHang holds the
// answer back, headers included, until the client gives up (a first-byte
// timeout). The draws come from Options.Seed, so a run is repeatable for a
// given sequence of calls.
type Faults struct {
	Rate429, Rate5xx, RateReset float64
	RateStall, RateHang         float64
}

// FakeAccount is an account the fake knows. Empty tokens are generated.
type FakeAccount struct {
	AccessToken  string
	RefreshToken string
	ProfileARN   string // social accounts; empty for Builder ID / IdC
	// ClientID, when set, is the OIDC client allowed to refresh this account
	// at /token (IdC); accounts without it refresh at /refreshToken.
	ClientID string
	Email    string
	// Limits is the getUsageLimits answer (default: KIRO FREE, 50 credits).
	// CurrentUsage grows with the credits metered by played scripts.
	Limits *UsageLimits
}

// RecordedRequest is one request the fake received.
type RecordedRequest struct {
	Time   time.Time
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Raw    []byte
	// JSON is the body parsed generically (nil if not a JSON object).
	JSON map[string]any
	// Chat is the typed chat body (generateAssistantResponse only).
	Chat *ChatRequest
}

// Server is the fake. URL is its base, e.g. http://127.0.0.1:41234.
type Server struct {
	URL string

	ts      *httptest.Server
	opts    Options
	log     *slog.Logger
	closing chan struct{}
	once    sync.Once

	mu        sync.Mutex
	rng       *mrand.Rand
	accounts  []*account
	access    map[string]*accessToken
	refresh   map[string]*account
	clients   map[string]*client
	devices   map[string]*device
	deviceQ   []DeviceFlow
	logins    map[string]*login
	loginQ    []FakeAccount
	scripts   []Script
	requests  []RecordedRequest
	calls     map[string]int
	faultHits map[string]int
	gone      int // chat answers cut short because the client left
	onRefresh func(FakeAccount)
	searchQ   []SearchScript
	searches  []SearchCall
}

type account struct {
	FakeAccount
	credits float64
	// grace is the refresh token that obtained the current one, still
	// accepted until the current one is used (Options.RotationGrace).
	grace  string
	script func(RecordedRequest) Script
	stats  AccountStats
}

type accessToken struct {
	acct    *account
	expires time.Time
}

// New starts a fake on 127.0.0.1. Close it when done (t.Cleanup(s.Close)).
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.AccessTokenTTL <= 0 {
		opts.AccessTokenTTL = time.Hour
	}
	if opts.InvalidTokenStatus == 0 {
		opts.InvalidTokenStatus = http.StatusUnauthorized
	}
	if opts.Models == nil {
		opts.Models = DefaultModels()
	}
	if opts.DeviceInterval <= 0 {
		opts.DeviceInterval = 1
	}
	if opts.DeviceUnit <= 0 {
		opts.DeviceUnit = time.Second
	}
	if opts.DeviceExpiresIn <= 0 {
		opts.DeviceExpiresIn = 10 * time.Minute
	}
	s := &Server{
		opts: opts, log: opts.Logger, closing: make(chan struct{}),
		rng:    mrand.New(mrand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		access: map[string]*accessToken{}, refresh: map[string]*account{},
		clients: map[string]*client{}, devices: map[string]*device{}, logins: map[string]*login{},
		calls: map[string]int{}, faultHits: map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathChat, s.chat)
	mux.HandleFunc("GET "+PathModels, s.models)
	mux.HandleFunc("GET "+PathUsage, s.usageLimits)
	mux.HandleFunc("POST "+PathRefresh, s.socialRefresh)
	mux.HandleFunc("GET "+PathLogin, s.login)
	mux.HandleFunc("POST "+PathOAuthToken, s.oauthToken)
	mux.HandleFunc("POST "+PathRegister, s.register)
	mux.HandleFunc("POST "+PathDeviceAuth, s.deviceAuthorization)
	mux.HandleFunc("POST "+PathToken, s.token)
	mux.HandleFunc("POST "+PathDevice, s.approvePage)
	mux.HandleFunc("POST "+PathMCP, s.mcp)
	// httptest listens on 127.0.0.1 (loopback only).
	s.ts = httptest.NewUnstartedServer(s.record(mux))
	if opts.TLS != nil {
		s.ts.TLS = opts.TLS.Clone()
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	s.URL = s.ts.URL
	return s
}

// Close stops the server; stalled and delayed streams end at once.
func (s *Server) Close() {
	s.once.Do(func() { close(s.closing) })
	s.ts.CloseClientConnections()
	s.ts.Close()
}

// Client returns an http.Client for the fake (keep-alive; over TLS it
// trusts the fake's certificate).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// CertPEM is the PEM of the certificate a TLS fake presents (nil without TLS).
func (s *Server) CertPEM() []byte {
	if s.ts.TLS == nil || len(s.ts.TLS.Certificates) == 0 {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ts.TLS.Certificates[0].Certificate[0]})
}

// AddAccount registers an account and returns it with generated tokens filled in.
func (s *Server) AddAccount(a FakeAccount) FakeAccount {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addAccountLocked(a).FakeAccount
}

func (s *Server) addAccountLocked(a FakeAccount) *account {
	if a.AccessToken == "" {
		a.AccessToken = newToken("aoa")
	}
	if a.RefreshToken == "" {
		a.RefreshToken = newToken("aor")
	}
	if a.Limits != nil {
		l := *a.Limits
		a.Limits = &l
	}
	acct := &account{FakeAccount: a}
	s.accounts = append(s.accounts, acct)
	s.access[a.AccessToken] = &accessToken{acct: acct, expires: time.Now().Add(s.opts.AccessTokenTTL)}
	s.refresh[a.RefreshToken] = acct
	return acct
}

// Accounts returns the accounts with their current tokens (after rotation).
func (s *Server) Accounts() []FakeAccount {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]FakeAccount, len(s.accounts))
	for i, a := range s.accounts {
		out[i] = a.FakeAccount
	}
	return out
}

// ExpireAccessToken makes token invalid, as if its hour had passed.
func (s *Server) ExpireAccessToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at := s.access[token]; at != nil {
		at.expires = time.Time{}
	}
}

// RevokeRefreshToken makes a refresh token unknown, as if the user's own IDE
// had rotated it.
func (s *Server) RevokeRefreshToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.refresh, token)
}

// SetDefaultScript replaces Options.DefaultScript while the fake runs, for
// tests whose client makes calls the test cannot count in advance (Claude
// Code). nil restores the echo script.
func (s *Server) SetDefaultScript(fn func(RecordedRequest) Script) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.DefaultScript = fn
}

// Enqueue queues scripts; each chat call takes the next one, then the default.
func (s *Server) Enqueue(scripts ...Script) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts = append(s.scripts, scripts...)
}

// Queued reports how many scripts are still waiting.
func (s *Server) Queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.scripts)
}

// Requests returns copies of every request received so far, in order.
func (s *Server) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RecordedRequest, len(s.requests))
	for i, r := range s.requests {
		r.Header = r.Header.Clone()
		out[i] = r
	}
	return out
}

// ChatRequests returns the recorded generateAssistantResponse requests.
func (s *Server) ChatRequests() []RecordedRequest {
	var out []RecordedRequest
	for _, r := range s.Requests() {
		if r.Path == PathChat {
			out = append(out, r)
		}
	}
	return out
}

// Calls returns how many requests reached path (one of the Path constants).
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// CallCounts returns the count of requests per path.
func (s *Server) CallCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// FaultCounts returns how many faults were injected, keyed "429", "5xx",
// "reset", "stall" and "hang".
func (s *Server) FaultCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.faultHits)
}

// ClientsGone returns how many chat answers stopped because the client
// closed the request while the fake was still answering (a client that
// cancels must end the call upstream too).
func (s *Server) ClientsGone() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gone
}

// maxBody bounds what the fake reads; Kiro rejects far smaller payloads.
const maxBody = 16 << 20

// record counts and records every request, leaving the body readable.
func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
			return
		}
		rec := RecordedRequest{Time: time.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Raw: raw}
		if len(raw) > 0 && strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
			_ = json.Unmarshal(raw, &rec.JSON)
		}
		if r.URL.Path == PathChat {
			var c ChatRequest
			if json.Unmarshal(raw, &c) == nil {
				rec.Chat = &c
			}
		}
		s.mu.Lock()
		s.calls[r.URL.Path]++
		if !s.opts.DiscardRequests {
			s.requests = append(s.requests, rec)
		}
		s.mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(raw)))
		next.ServeHTTP(w, r.WithContext(withRecord(r.Context(), rec)))
	})
}

// bearer checks the Authorization header; it writes Kiro's invalid-token
// answer and returns nil when the token is unknown or expired.
func (s *Server) bearer(w http.ResponseWriter, r *http.Request) *account {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	at := s.access[strings.TrimSpace(tok)]
	live := at != nil && time.Now().Before(at.expires) // expires is written under mu (ExpireAccessToken)
	s.mu.Unlock()
	if !ok || !live {
		writeRaw(w, s.opts.InvalidTokenStatus, InvalidTokenBody)
		return nil
	}
	return at.acct
}

// issueLocked gives acct a new access token and a rotated refresh token in
// exchange for the refresh token presented.
func (s *Server) issueLocked(acct *account, presented string) {
	acct.stats.Refreshes++
	switch {
	case !s.opts.RotationGrace:
		delete(s.refresh, acct.RefreshToken)
	case presented == acct.RefreshToken:
		// The current token is used: the one before it is dead now, and
		// this one is the grace token until its successor is used.
		if acct.grace != "" && acct.grace != presented {
			delete(s.refresh, acct.grace)
		}
		acct.grace = presented
	default:
		// The grace token again: its successor was never used (the
		// client lost it), so that successor dies instead.
		delete(s.refresh, acct.RefreshToken)
	}
	acct.AccessToken = newToken("aoa")
	acct.RefreshToken = newToken("aor")
	s.access[acct.AccessToken] = &accessToken{acct: acct, expires: time.Now().Add(s.opts.AccessTokenTTL)}
	s.refresh[acct.RefreshToken] = acct
}

func (s *Server) expiresIn() int { return int(s.opts.AccessTokenTTL / time.Second) }

func newToken(prefix string) string { return prefix + "-" + rand.Text() }

// randCode returns n (at most 26) random upper-case letters and digits.
func randCode(n int) string { return rand.Text()[:n] }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", rand.Text())
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeRaw(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", rand.Text())
	w.WriteHeader(code)
	_, _ = io.WriteString(w, body)
}

// decodeBody reads a JSON body into v, answering 400 when it cannot.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "message": "body is not JSON: " + err.Error()})
		return false
	}
	return true
}
