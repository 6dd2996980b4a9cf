package core

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// served is a Kirodesk opened with core.Open, its proxy listening, the
// real keychain holding its accounts, and a fake Kiro upstream.
type served struct {
	fake   *fakekiro.Server
	core   *Core
	clock  *testenv.Clock
	url    string
	key    string
	ids    []string // account ids, in the order added
	emails []string // the fake's name for each account
	http   *http.Client
}

type serveOpts struct {
	accounts int
	fake     fakekiro.Options
	config   func(*store.Config)
	// expires is each account's stored access-token expiry; zero means an
	// hour from now.
	expires time.Time
	// ideFile links account 0 to a Kiro IDE token file.
	ideFile string
}

func serve(t *testing.T, o serveOpts) *served {
	t.Helper()
	testenv.RequireKeychain(t)
	fake := fakekiro.New(o.fake)
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	ctx := context.Background()
	sec := secrets.NewKeyring(KeychainService(dir, os.Getenv))
	t.Cleanup(func() { _ = sec.Delete(context.Background(), "apikey") })
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	require.NoError(t, st.Config.Update(ctx, func(c *store.Config) error {
		if o.config != nil {
			o.config(c)
		}
		return nil
	}))
	acc := accounts.New(st.Pool, sec, nil)
	e := &served{fake: fake, clock: testenv.NewClock(time.Now())}
	expires := o.expires
	if expires.IsZero() {
		expires = time.Now().Add(time.Hour)
	}
	for i := range o.accounts {
		email := fmt.Sprintf("acct%d@example.com", i)
		fa := fake.AddAccount(fakekiro.FakeAccount{Email: email, ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/P"})
		cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthSocial,
			ProfileARN: fa.ProfileARN, ExpiresAt: expires}
		a := store.Account{Label: email, AuthMethod: store.AuthSocial}
		if i == 0 {
			a.IDETokenFile = o.ideFile
		}
		a, err := acc.Add(ctx, a, cr.Secret())
		require.NoError(t, err)
		t.Cleanup(func() { _ = sec.Delete(context.Background(), accounts.SecretKey(a.ID)) })
		e.ids = append(e.ids, a.ID)
		e.emails = append(e.emails, email)
	}
	require.NoError(t, st.Close(ctx))

	env := map[string]string{store.EnvAPIBase: fake.URL, store.EnvAuthBase: fake.URL, store.EnvOIDCBase: fake.URL}
	port := 0
	c, err := Open(ctx, Options{ConfigDir: dir, Getenv: func(k string) string { return env[k] }, Port: &port,
		Now: e.clock.Now, Background: -1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	<-c.Reconciled()
	require.NoError(t, c.Proxy.Start())
	key, err := c.APIKey(ctx)
	require.NoError(t, err)
	e.core, e.url, e.key = c, c.Proxy.Status().Endpoint, key.Reveal()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 128
	e.http = &http.Client{Transport: tr, Timeout: 60 * time.Second}
	return e
}

// answer is one /v1/messages exchange as the client saw it.
type answer struct {
	status     int
	retryAfter string
	text       string // the assistant's text
	err        string // an error's message (HTTP error or stream error event)
}

// ask sends one Anthropic Messages request, streaming or not.
func (e *served) ask(t *testing.T, stream bool, prompt string) answer {
	t.Helper()
	a, err := e.tryAsk(stream, prompt)
	require.NoError(t, err)
	return a
}

func (e *served) tryAsk(stream bool, prompt string) (answer, error) {
	body, _ := json.Marshal(map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 100, "stream": stream,
		"messages": []map[string]any{{"role": "user", "content": prompt}}})
	req, err := http.NewRequest(http.MethodPost, e.url+"/v1/messages", strings.NewReader(string(body)))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("x-api-key", e.key)
	req.Header.Set("content-type", "application/json")
	req.Header.Set("anthropic-version", "2023-06-01")
	resp, err := e.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	if resp.StatusCode != http.StatusOK || !stream {
		var m struct {
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			return a, err
		}
		for _, c := range m.Content {
			a.text += c.Text
		}
		a.err = m.Error.Message
		return a, nil
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			event = v
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		var d struct {
			Delta struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"delta"`
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(data), &d); err != nil {
			return a, err
		}
		switch event {
		case "content_block_delta":
			if d.Delta.Type == "text_delta" {
				a.text += d.Delta.Text
			}
		case "error":
			a.err = d.Error.Message
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		return a, err
	}
	return a, nil
}

// status reads GET /v1/kirodesk/status.
func (e *served) status(t *testing.T) Status {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.url+"/v1/kirodesk/status", nil)
	require.NoError(t, err)
	req.Header.Set("x-api-key", e.key)
	resp, err := e.http.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var st Status
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
	return st
}

func (e *served) account(t *testing.T, i int) AccountStatus {
	t.Helper()
	for _, a := range e.status(t).Accounts {
		if a.ID == e.ids[i] {
			return a
		}
	}
	t.Fatalf("account %d is not in the status", i)
	return AccountStatus{}
}
