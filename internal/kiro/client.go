package kiro

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"time"

	"kirodesk/internal/kiro/endpoint"
	"kirodesk/internal/store"
)

// DefaultIDEVersion is the Kiro IDE version sent in user agents (a setting
// later; peers send 0.6 to 0.11).
const DefaultIDEVersion = "0.11.63"

// Options configure a Client.
type Options struct {
	// HTTPFor returns the client for an account's calls ("" for calls of
	// no known account): outbound.Transports.For, which applies the proxy
	// and CA settings. Nil: HTTP for every call.
	HTTPFor func(accountID string) *http.Client
	HTTP    *http.Client // nil: a keep-alive client with sane timeouts
	// Account returns an account's non-secret settings: its explicit
	// regions and endpoint override. Nil: none.
	Account func(id string) (store.Account, bool)
	// Hosts is the chat host table (default ChatHosts), used while
	// Upstream's APIBase is the default one.
	Hosts func(region endpoint.Region) []string
	// OnChatHost is told when an account's working chat base changes, to
	// keep it as a hint (store.Account.ChatHost). Nil: not kept.
	OnChatHost func(accountID, base string)
	Upstream   func() store.Upstream
	IDEVersion string
	Logger     *slog.Logger
	Now        func() time.Time
}

// Client calls Kiro.
type Client struct {
	// httpFor is the only way to the network: there is deliberately no
	// fixed client field, so no call can bypass an account's proxy.
	httpFor  func(string) *http.Client
	account  func(string) (store.Account, bool)
	hosts    func(endpoint.Region) []string
	onHost   func(string, string)
	upstream func() store.Upstream
	ide      string
	log      *slog.Logger
	now      func() time.Time

	mu     sync.Mutex
	worked map[string]string // the chat base that answered last, per account
}

// New returns a Client.
func New(opts Options) *Client {
	if opts.HTTP == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64 // reuse connections: a TLS handshake per request costs more than the proxy
		tr.ResponseHeaderTimeout = 2 * time.Minute
		opts.HTTP = &http.Client{Transport: tr}
	}
	if opts.IDEVersion == "" {
		opts.IDEVersion = DefaultIDEVersion
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HTTPFor == nil {
		opts.HTTPFor = func(string) *http.Client { return opts.HTTP }
	}
	if opts.Account == nil {
		opts.Account = func(string) (store.Account, bool) { return store.Account{}, false }
	}
	if opts.Hosts == nil {
		opts.Hosts = ChatHosts
	}
	if opts.OnChatHost == nil {
		opts.OnChatHost = func(string, string) {}
	}
	return &Client{httpFor: opts.HTTPFor, account: opts.Account, hosts: opts.Hosts, onHost: opts.OnChatHost,
		upstream: opts.Upstream, ide: opts.IDEVersion, log: opts.Logger, now: opts.Now, worked: map[string]string{}}
}

// MachineID is the stable 64-hex id Kiro expects per account; it is derived
// from the account id so it survives token rotation.
func MachineID(accountID string) string {
	sum := sha256.Sum256([]byte("kirodesk:" + accountID))
	return hex.EncodeToString(sum[:])
}

func (c *Client) headers(h http.Header, token, machineID string) {
	h.Set("Authorization", "Bearer "+token)
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/vnd.amazon.eventstream")
	h.Set("x-amzn-codewhisperer-optout", "true")
	h.Set("x-amzn-kiro-agent-mode", "vibe")
	h.Set("amz-sdk-invocation-id", UUID())
	h.Set("amz-sdk-request", "attempt=1; max=3")
	h.Set("x-amz-user-agent", "aws-sdk-js/1.0.34 KiroIDE-"+c.ide+"-"+machineID)
	h.Set("User-Agent", fmt.Sprintf("aws-sdk-js/1.0.34 ua/2.1 os/%s lang/js md/nodejs#20.16.0 api/codewhispererstreaming#1.0.34 m/E KiroIDE-%s-%s",
		runtime.GOOS, c.ide, machineID))
}

// Chat sends a generateAssistantResponse body. On 200 the caller owns the
// response and reads its event stream; any other status is returned as an
// *UpstreamError (the body already read and closed).
func (c *Client) Chat(ctx context.Context, cr Credentials, machineID string, body []byte) (*http.Response, error) {
	resp, err := c.doAPI(ctx, cr, true, func(base string) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/generateAssistantResponse", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		c.headers(req.Header, cr.AccessToken, machineID)
		return req, nil
	})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
	ue := Classify(resp.StatusCode, b)
	ue.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	return nil, ue
}

// Refresh trades the refresh token for a new access token, through Kiro's
// auth service (social) or AWS SSO-OIDC (Builder ID, IdC). A rotated refresh
// token is in the result: the caller must store it before using the access
// token. A dead refresh token is an *UpstreamError of ClassDeadRefresh.
func (c *Client) Refresh(ctx context.Context, cr Credentials) (Credentials, error) {
	if cr.RefreshToken == "" {
		return cr, &UpstreamError{Class: ClassDeadRefresh, Message: "no refresh token stored: log in again"}
	}
	up := c.upstream()
	var u string
	var payload any
	_, authRegion, err := c.regions(cr)
	if err != nil {
		return cr, fmt.Errorf("refresh not sent: %w", err)
	}
	if cr.IsOIDC() {
		u, err = up.URL(up.OIDCBase, authRegion, "token")
		payload = map[string]string{"clientId": cr.ClientID, "clientSecret": cr.ClientSecret,
			"refreshToken": cr.RefreshToken, "grantType": "refresh_token"}
	} else {
		// Kiro's social auth lives in us-east-1 whatever the account's API region.
		u, err = up.URL(up.AuthBase, endpoint.Default, "refreshToken")
		payload = map[string]string{"refreshToken": cr.RefreshToken}
	}
	if err != nil {
		return cr, fmt.Errorf("refresh not sent: %w", err)
	}
	body, _ := json.Marshal(payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return cr, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.httpFor(cr.AccountID).Do(req)
	if err != nil {
		return cr, fmt.Errorf("refresh at %s: %w", hostOf(u), err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return cr, classifyRefresh(resp.StatusCode, b)
	}
	var out struct {
		AccessToken  string `json:"accessToken"`
		RefreshToken string `json:"refreshToken"`
		ProfileARN   string `json:"profileArn"`
		ExpiresIn    int    `json:"expiresIn"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.AccessToken == "" {
		return cr, &UpstreamError{Status: resp.StatusCode, Class: ClassServer, Message: "the refresh answer holds no access token"}
	}
	next := cr
	next.AccessToken = out.AccessToken
	if out.RefreshToken != "" {
		next.RefreshToken = out.RefreshToken
	}
	if out.ProfileARN != "" {
		// Kept only if it parses: the ARN's region can pick the API host.
		// The new tokens are kept either way, as the old refresh token may
		// be dead now.
		if _, err := endpoint.ParseProfileARN("profileArn", out.ProfileARN); err == nil {
			next.ProfileARN = out.ProfileARN
		} else {
			c.log.Warn("the refresh answer holds a profile ARN that is refused; keeping the one stored", "host", hostOf(u), "err", err)
		}
	}
	if out.ExpiresIn <= 0 {
		out.ExpiresIn = 3600
	}
	next.ExpiresAt = c.now().Add(time.Duration(out.ExpiresIn) * time.Second).UTC()
	return next, nil
}

func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Host
	}
	return "?"
}

// UUID returns a random (version 4) UUID, for invocation and conversation ids.
func UUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
