package login

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/endpoint"
	"kirodesk/internal/store"
)

// CallbackPath is where the loopback server takes the browser's redirect.
const CallbackPath = "/oauth/callback"

// SocialFlow is a started Google or GitHub login: the browser goes to
// LoginURL and comes back to a loopback server, or the person pastes the
// final URL into CompleteWithURL. The first callback that carries the right
// state decides the flow; the server then closes.
type SocialFlow struct {
	LoginURL    string
	RedirectURI string
	ExpiresAt   time.Time

	s         *Service
	provider  string // Google or Github, as Kiro spells it
	label     string
	replace   string // an account id to sign in again, or ""
	text      PageText
	state     string
	verifier  string
	srv       *http.Server
	mu        sync.Mutex
	claimed   bool // a callback or a pasted URL is being handled
	done      chan struct{}
	acct      store.Account
	err       error
	finishOne sync.Once
	timer     *time.Timer
}

func normaliseProvider(p string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(p)) {
	case "google":
		return "Google", nil
	case "github":
		return "Github", nil
	}
	return "", fmt.Errorf("unknown sign-in provider %q: use google or github", p)
}

func randomURLSafe(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SocialOptions choose the provider of a social login.
type SocialOptions struct {
	Provider  string // google or github
	Label     string // empty: from the email, else the provider's name
	NoBrowser bool   // the caller shows LoginURL itself
	// Replace is the id of an existing account to sign in again (see
	// DeviceOptions.Replace).
	Replace string
	// Page is what the browser tab says when the sign-in ends, in the
	// person's language; the zero value is English (EnglishPage). The
	// caller translates: this package imports no catalog. It never
	// crosses the control socket (the CLI's sign-ins stay English).
	Page PageText `json:"-"`
}

// PageText is the wording of the page the loopback server shows the
// browser when a Google or GitHub sign-in ends. Failed precedes the reason,
// which is this package's error text (English, like every error it returns).
type PageText struct {
	Lang          string // the page's <html lang>, a BCP 47 tag
	SignedInTitle string
	// SignedIn is the success message for the account's label.
	SignedIn    func(label string) string
	FailedTitle string
	Failed      string
}

// EnglishPage is the page's wording when the caller gives none (the CLI).
func EnglishPage() PageText {
	return PageText{
		Lang: "en", SignedInTitle: "Signed in",
		SignedIn:    func(label string) string { return "Kirodesk signed in " + label + ". You can close this tab." },
		FailedTitle: "Sign-in failed", Failed: "Kirodesk could not finish the sign-in:",
	}
}

// StartSocial starts a loopback server on a free 127.0.0.1 port and opens
// the browser (best effort) on Kiro's login page.
func (s *Service) StartSocial(ctx context.Context, provider, label string) (*SocialFlow, error) {
	return s.StartSocialWith(ctx, SocialOptions{Provider: provider, Label: label})
}

// StartSocialWith is StartSocial with every option.
func (s *Service) StartSocialWith(ctx context.Context, o SocialOptions) (*SocialFlow, error) {
	provider, label := o.Provider, o.Label
	idp, err := normaliseProvider(provider)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("open a local port for the sign-in callback: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if o.Page.SignedIn == nil {
		o.Page = EnglishPage()
	}
	f := &SocialFlow{
		s: s, provider: idp, label: label, replace: o.Replace, text: o.Page,
		state: randomURLSafe(24), verifier: randomURLSafe(32),
		// localhost, not 127.0.0.1: the redirect Kiro's auth service accepts.
		RedirectURI: "http://localhost:" + strconv.Itoa(port) + CallbackPath,
		ExpiresAt:   s.opts.Now().Add(s.opts.SocialTimeout),
		done:        make(chan struct{}),
	}
	sum := sha256.Sum256([]byte(f.verifier))
	q := url.Values{
		"idp": {idp}, "redirect_uri": {f.RedirectURI},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"state": {f.state},
	}
	up := s.opts.Upstream()
	login, err := up.URL(up.AuthBase, endpoint.Default, "login")
	if err != nil {
		ln.Close()
		return nil, err
	}
	f.LoginURL = login + "?" + q.Encode()

	mux := http.NewServeMux()
	mux.HandleFunc("GET "+CallbackPath, f.callback)
	f.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	f.mu.Lock()
	f.timer = time.AfterFunc(s.opts.SocialTimeout, func() { f.end(ErrTimeout) })
	f.mu.Unlock()
	if !o.NoBrowser {
		s.openBrowser(f.LoginURL)
	}
	return f, nil
}

// callback is the browser's return. A wrong state is refused without ending
// the flow (another page must not be able to cancel a person's login).
func (f *SocialFlow) callback(w http.ResponseWriter, r *http.Request) {
	acct, err, status := f.complete(r.Context(), r.URL.Query())
	switch {
	case err == nil:
		page(w, http.StatusOK, f.text.Lang, f.text.SignedInTitle, f.text.SignedIn(acct.Label))
	default:
		page(w, status, f.text.Lang, f.text.FailedTitle, f.text.Failed, err.Error())
	}
}

// CompleteWithURL finishes the flow with the final redirect URL the person
// pasted (the loopback callback or the kiro:// link the page ended on).
func (f *SocialFlow) CompleteWithURL(ctx context.Context, redirectURL string) (store.Account, error) {
	u, err := url.Parse(strings.TrimSpace(redirectURL))
	if err != nil || u.RawQuery == "" {
		return store.Account{}, errors.New("that is not the URL the sign-in page ended on: it must contain code= and state=")
	}
	acct, err, _ := f.complete(ctx, u.Query())
	return acct, err
}

// complete checks a callback's query and, for the first one with the right
// state, exchanges the code and adds the account.
func (f *SocialFlow) complete(ctx context.Context, q url.Values) (store.Account, error, int) {
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.state)) != 1 {
		return store.Account{}, errors.New("this sign-in answer does not belong to the login Kirodesk started (state does not match)"), http.StatusBadRequest
	}
	f.mu.Lock()
	if f.claimed {
		f.mu.Unlock()
		return store.Account{}, errors.New("this login has already been completed or has ended: start a new one"), http.StatusConflict
	}
	f.claimed = true
	f.mu.Unlock()

	code := q.Get("code")
	if code == "" {
		err := errors.New("the sign-in page came back without a code")
		if e := q.Get("error"); e != "" {
			err = fmt.Errorf("the sign-in page came back with %q: %s", e, q.Get("error_description"))
			if e == "access_denied" {
				err = ErrDenied
			}
		}
		f.finish(store.Account{}, err)
		return store.Account{}, err, http.StatusBadRequest
	}
	acct, err := f.exchange(ctx, code)
	f.finish(acct, err)
	if err != nil {
		return acct, err, http.StatusBadGateway
	}
	return acct, nil, http.StatusOK
}

func (f *SocialFlow) exchange(ctx context.Context, code string) (store.Account, error) {
	s := f.s
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	up := s.opts.Upstream()
	u, err := up.URL(up.AuthBase, endpoint.Default, "oauth", "token")
	if err != nil {
		return store.Account{}, err
	}
	var out struct {
		AccessToken  string `json:"accessToken"`
		RefreshToken string `json:"refreshToken"`
		ProfileARN   string `json:"profileArn"`
		ExpiresIn    int    `json:"expiresIn"`
	}
	if err := s.postJSON(ctx, u, map[string]string{"code": code, "code_verifier": f.verifier, "redirect_uri": f.RedirectURI}, &out); err != nil {
		return store.Account{}, fmt.Errorf("Kiro refused the sign-in code: %w", err)
	}
	if out.RefreshToken == "" {
		return store.Account{}, errors.New("Kiro accepted the sign-in but sent no refresh token")
	}
	if out.ProfileARN != "" {
		// Its region picks the account's API host: it must be an AWS one.
		if _, err := endpoint.ParseProfileARN("profileArn", out.ProfileARN); err != nil {
			return store.Account{}, fmt.Errorf("the sign-in answer was not saved: %w", err)
		}
	}
	if out.ExpiresIn <= 0 {
		out.ExpiresIn = 3600
	}
	c := kiro.Credentials{AccessToken: out.AccessToken, RefreshToken: out.RefreshToken, ProfileARN: out.ProfileARN,
		ExpiresAt:  s.opts.Now().Add(time.Duration(out.ExpiresIn) * time.Second).UTC(),
		AuthMethod: store.AuthSocial, Provider: f.provider}
	return s.saveOrReplace(ctx, f.replace, c, store.Account{Label: f.label, Email: s.fetchEmail(ctx, c)})
}

// finish records the outcome once and closes the loopback server.
func (f *SocialFlow) finish(acct store.Account, err error) {
	f.finishOne.Do(func() {
		f.mu.Lock()
		f.claimed = true
		f.acct, f.err = acct, err
		timer := f.timer
		f.mu.Unlock()
		timer.Stop()
		close(f.done)
		// Not Shutdown: a callback handler calls this and must still answer
		// its browser; Shutdown waits for that handler. Close it a moment later.
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = f.srv.Shutdown(ctx)
		}()
	})
}

// Wait returns the account once the browser (or a pasted URL) completes the
// login, or the error that ended it. Ending ctx cancels the flow.
func (f *SocialFlow) Wait(ctx context.Context) (store.Account, error) {
	select {
	case <-f.done:
	case <-ctx.Done():
		f.end(fmt.Errorf("%w: %w", ErrCanceled, context.Cause(ctx)))
		<-f.done
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.acct, f.err
}

// Done is closed when the flow has ended.
func (f *SocialFlow) Done() <-chan struct{} { return f.done }

// Cancel ends the flow and closes its loopback server before it returns. A
// code exchange already under way still completes and decides the outcome.
func (f *SocialFlow) Cancel() { f.end(ErrCanceled) }

// end stops a flow that no callback has claimed; one being handled decides
// its own outcome (its account may already be saved).
func (f *SocialFlow) end(err error) {
	f.mu.Lock()
	busy := f.claimed
	f.claimed = true
	f.mu.Unlock()
	if !busy {
		f.finish(store.Account{}, err)
		// No callback handler is running, so the port can close now:
		// once Wait or Cancel returns, nothing listens on it any more.
		_ = f.srv.Close()
	}
}

// page writes the callback page: a title and one paragraph per line, in
// language lang.
func page(w http.ResponseWriter, status int, lang, title string, lines ...string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html><html lang="%s"><meta charset="utf-8"><title>Kirodesk · %s</title>
<body style="font-family:system-ui;margin:4em auto;max-width:32em"><h1>%s</h1>`,
		html.EscapeString(lang), html.EscapeString(title), html.EscapeString(title))
	for _, l := range lines {
		fmt.Fprintf(w, "<p>%s</p>", html.EscapeString(l))
	}
	fmt.Fprint(w, "</body></html>")
}
