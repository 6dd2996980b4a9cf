package fakekiro

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Device-flow poll answers (kiro-protocol.md section 8), for DeviceFlow.Polls.
const (
	PollPending  = "authorization_pending"
	PollSlowDown = "slow_down"
	PollExpired  = "expired_token"
	PollDenied   = "access_denied"
)

// DeviceFlow scripts the next device authorization: its /token polls are
// answered with Polls in order (each an error code above); once they run
// out the user has approved and the poll returns tokens for Account (a new
// IdC account when Account is zero). An expired_token or access_denied
// answer ends the flow. Polls that come faster than the interval are
// answered slow_down regardless, and the interval grows by 5 s, as on AWS.
type DeviceFlow struct {
	Polls   []string
	Account FakeAccount
	// AwaitApproval answers authorization_pending, once Polls ran out,
	// until the person approves the user code (ApproveDevice, or a POST
	// to the verification page /device with user_code), as on AWS.
	AwaitApproval bool
}

// Unapproved is a device flow whose first polls polls all answer
// authorization_pending: a sign-in nobody approves while the test runs.
func Unapproved(polls int) DeviceFlow {
	pending := make([]string, polls)
	for i := range pending {
		pending[i] = PollPending
	}
	return DeviceFlow{Polls: pending}
}

type client struct {
	id, secret string
	expires    time.Time
}

type device struct {
	client   string
	userCode string
	expires  time.Time
	interval time.Duration
	lastPoll time.Time
	flow     DeviceFlow
	done     bool
	approved bool
}

type login struct {
	challenge, redirectURI, idp string
}

// EnqueueDeviceFlow scripts the next device authorizations, in order. Without
// one, the first poll is approved at once.
func (s *Server) EnqueueDeviceFlow(flows ...DeviceFlow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deviceQ = append(s.deviceQ, flows...)
}

// EnqueueLogin sets the accounts that the next social logins sign in as.
// Without one, a login creates a new social account.
func (s *Server) EnqueueLogin(accts ...FakeAccount) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loginQ = append(s.loginQ, accts...)
}

// socialRefresh is POST /refreshToken {refreshToken}.
func (s *Server) socialRefresh(w http.ResponseWriter, r *http.Request) {
	var req struct {
		RefreshToken string `json:"refreshToken"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	s.mu.Lock()
	acct := s.refresh[req.RefreshToken]
	if acct == nil || acct.ClientID != "" {
		s.mu.Unlock()
		writeRaw(w, http.StatusUnauthorized, `{"message":"Bad credentials"}`)
		return
	}
	s.issueLocked(acct, req.RefreshToken)
	resp := map[string]any{"accessToken": acct.AccessToken, "refreshToken": acct.RefreshToken, "expiresIn": s.expiresIn()}
	if acct.ProfileARN != "" {
		resp["profileArn"] = acct.ProfileARN
	}
	hook, issued := s.onRefresh, acct.FakeAccount
	s.mu.Unlock()
	if hook != nil {
		hook(issued)
	}
	writeJSON(w, http.StatusOK, resp)
}

// oidcError writes an AWS SSO-OIDC error.
func oidcError(w http.ResponseWriter, code int, errCode, desc string) {
	writeJSON(w, code, map[string]string{"error": errCode, "error_description": desc})
}

// register is POST /client/register.
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ClientName string   `json:"clientName"`
		ClientType string   `json:"clientType"`
		Scopes     []string `json:"scopes"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	if req.ClientName == "" || req.ClientType != "public" {
		oidcError(w, http.StatusBadRequest, "invalid_request", "clientName and clientType public are required")
		return
	}
	now := time.Now()
	c := &client{id: newToken("client"), secret: newToken("secret"), expires: now.Add(90 * 24 * time.Hour)}
	s.mu.Lock()
	s.clients[c.id] = c
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"clientId": c.id, "clientSecret": c.secret,
		"clientIdIssuedAt": now.Unix(), "clientSecretExpiresAt": c.expires.Unix(),
	})
}

// clientCreds are the registered client's id and secret, which every OIDC
// call after registration carries.
type clientCreds struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// lockClient decodes r's body into req, which embeds c, and returns true
// with s.mu locked when c is a known client; otherwise it has answered.
func (s *Server) lockClient(w http.ResponseWriter, r *http.Request, req any, c *clientCreds) bool {
	if !decodeBody(w, r, req) {
		return false
	}
	s.mu.Lock()
	if !s.clientLocked(c.ClientID, c.ClientSecret) {
		s.mu.Unlock()
		oidcError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return false
	}
	return true
}

// clientLocked checks a client id and secret.
func (s *Server) clientLocked(id, secret string) bool {
	c := s.clients[id]
	return c != nil && subtle.ConstantTimeCompare([]byte(c.secret), []byte(secret)) == 1 && time.Now().Before(c.expires)
}

// deviceAuthorization is POST /device_authorization.
func (s *Server) deviceAuthorization(w http.ResponseWriter, r *http.Request) {
	var req struct {
		clientCreds
		StartURL string `json:"startUrl"`
	}
	if !s.lockClient(w, r, &req, &req.clientCreds) {
		return
	}
	defer s.mu.Unlock()
	if !strings.HasPrefix(req.StartURL, "https://") {
		oidcError(w, http.StatusBadRequest, "invalid_request", "startUrl must be an https URL")
		return
	}
	d := &device{client: req.ClientID, userCode: randCode(4) + "-" + randCode(4),
		expires: time.Now().Add(s.opts.DeviceExpiresIn), interval: time.Duration(s.opts.DeviceInterval) * s.opts.DeviceUnit}
	if len(s.deviceQ) > 0 {
		d.flow = s.deviceQ[0]
		d.flow.Polls = append([]string(nil), d.flow.Polls...)
		s.deviceQ = s.deviceQ[1:]
	}
	code := newToken("device")
	s.devices[code] = d
	verify := s.URL + "/device"
	writeJSON(w, http.StatusOK, map[string]any{
		"deviceCode": code, "userCode": d.userCode,
		"verificationUri": verify, "verificationUriComplete": verify + "?user_code=" + d.userCode,
		"expiresIn": int((s.opts.DeviceExpiresIn + s.opts.DeviceUnit - 1) / s.opts.DeviceUnit), "interval": s.opts.DeviceInterval,
	})
}

// token is POST /token: the refresh_token and device_code grants.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	var req struct {
		clientCreds
		GrantType    string `json:"grantType"`
		RefreshToken string `json:"refreshToken"`
		DeviceCode   string `json:"deviceCode"`
	}
	if !s.lockClient(w, r, &req, &req.clientCreds) {
		return
	}
	defer s.mu.Unlock()
	switch req.GrantType {
	case "refresh_token":
		acct := s.refresh[req.RefreshToken]
		if acct == nil || acct.ClientID != req.ClientID {
			oidcError(w, http.StatusBadRequest, "invalid_grant", "Invalid refresh token provided")
			return
		}
		s.issueLocked(acct, req.RefreshToken)
		answer, hook, issued := s.tokenAnswerLocked(acct), s.onRefresh, acct.FakeAccount
		if hook != nil {
			s.mu.Unlock() // the hook may block; the deferred Unlock needs the lock back
			hook(issued)
			s.mu.Lock()
		}
		writeJSON(w, http.StatusOK, answer)
	case "urn:ietf:params:oauth:grant-type:device_code":
		s.pollLocked(w, req.ClientID, req.DeviceCode)
	default:
		oidcError(w, http.StatusBadRequest, "unsupported_grant_type", "grantType "+req.GrantType)
	}
}

func (s *Server) tokenAnswerLocked(acct *account) map[string]any {
	return map[string]any{"accessToken": acct.AccessToken, "refreshToken": acct.RefreshToken, "expiresIn": s.expiresIn(), "tokenType": "Bearer"}
}

func (s *Server) pollLocked(w http.ResponseWriter, clientID, code string) {
	d := s.devices[code]
	if d == nil || d.client != clientID || d.done {
		oidcError(w, http.StatusBadRequest, "invalid_grant", "unknown or used device code")
		return
	}
	now := time.Now()
	if !now.Before(d.expires) {
		d.done = true
		oidcError(w, http.StatusBadRequest, PollExpired, "device code expired")
		return
	}
	early := !d.lastPoll.IsZero() && now.Sub(d.lastPoll) < d.interval
	d.lastPoll = now
	if early {
		d.interval += 5 * s.opts.DeviceUnit
		oidcError(w, http.StatusBadRequest, PollSlowDown, "polling too fast")
		return
	}
	if len(d.flow.Polls) == 0 && d.flow.AwaitApproval && !d.approved {
		oidcError(w, http.StatusBadRequest, PollPending, "waiting for the person to approve")
		return
	}
	if len(d.flow.Polls) > 0 {
		answer := d.flow.Polls[0]
		d.flow.Polls = d.flow.Polls[1:]
		switch answer {
		case PollSlowDown:
			d.interval += 5 * s.opts.DeviceUnit
		case PollExpired, PollDenied:
			d.done = true
		}
		oidcError(w, http.StatusBadRequest, answer, "scripted")
		return
	}
	d.done = true
	a := d.flow.Account
	a.ClientID = clientID
	a.AccessToken, a.RefreshToken = "", ""
	acct := s.addAccountLocked(a)
	writeJSON(w, http.StatusOK, s.tokenAnswerLocked(acct))
}

// login is GET /login: the browser page. The fake signs in at once and
// redirects to redirect_uri with a code bound to the PKCE challenge.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	idp, redirect, challenge, state := q.Get("idp"), q.Get("redirect_uri"), q.Get("code_challenge"), q.Get("state")
	switch {
	case idp != "Google" && idp != "Github":
		http.Error(w, "unknown idp", http.StatusBadRequest)
		return
	case q.Get("code_challenge_method") != "S256" || len(challenge) != 43:
		http.Error(w, "code_challenge with method S256 required", http.StatusBadRequest)
		return
	case state == "":
		http.Error(w, "state required", http.StatusBadRequest)
		return
	}
	u, err := url.Parse(redirect)
	if err != nil || (u.Scheme != "kiro" && !(u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1"))) {
		http.Error(w, "redirect_mismatch", http.StatusBadRequest)
		return
	}
	code := newToken("code")
	s.mu.Lock()
	s.logins[code] = &login{challenge: challenge, redirectURI: redirect, idp: idp}
	s.mu.Unlock()
	v := u.Query()
	v.Set("code", code)
	v.Set("state", state)
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// oauthToken is POST /oauth/token {code, code_verifier, redirect_uri}; the
// form-encoded variant one fork uses is accepted too.
func (s *Server) oauthToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Code         string `json:"code"`
		CodeVerifier string `json:"code_verifier"`
		RedirectURI  string `json:"redirect_uri"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req.Code, req.CodeVerifier, req.RedirectURI = r.PostForm.Get("code"), r.PostForm.Get("code_verifier"), r.PostForm.Get("redirect_uri")
	} else if !decodeBody(w, r, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.logins[req.Code]
	// A code is single use, even when the exchange fails.
	delete(s.logins, req.Code)
	switch {
	case l == nil:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "message": "Invalid or used authorization code"})
		return
	case l.redirectURI != req.RedirectURI:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "message": "redirect_uri does not match"})
		return
	case !pkceMatches(req.CodeVerifier, l.challenge):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "message": "code_verifier does not match code_challenge"})
		return
	}
	var a FakeAccount
	if len(s.loginQ) > 0 {
		a = s.loginQ[0]
		s.loginQ = s.loginQ[1:]
	}
	if a.ProfileARN == "" {
		a.ProfileARN = "arn:aws:codewhisperer:us-east-1:699475941385:profile/" + randCode(12)
	}
	a.AccessToken, a.RefreshToken, a.ClientID = "", "", ""
	acct := s.addAccountLocked(a)
	writeJSON(w, http.StatusOK, map[string]any{"accessToken": acct.AccessToken, "refreshToken": acct.RefreshToken, "profileArn": acct.ProfileARN, "expiresIn": s.expiresIn()})
}

// pkceMatches checks base64url(SHA-256(verifier)) == challenge (RFC 7636 S256).
func pkceMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}
