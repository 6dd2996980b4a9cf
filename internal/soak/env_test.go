//go:build linux

package soak

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"kirodesk/internal/core"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// model is what every client asks for; the fake serves it.
const model = "claude-sonnet-4-5-20250929"

// env is a running Kirodesk on a temporary folder with the real keychain,
// its listener on a free loopback port, in front of a fake Kiro.
type env struct {
	fake    *fakekiro.Server
	core    *core.Core
	dir     string
	service string // the keychain service of dir
	url     string // http://127.0.0.1:port
	key     string // the local API key
	client  *http.Client
	ids     []string // the accounts added by newEnv
	fakeAcc []fakekiro.FakeAccount
}

type envOptions struct {
	fake     fakekiro.Options
	accounts int
	logger   *slog.Logger
	// config edits the settings before the listener opens.
	config func(*store.Config)
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	testenv.RequireKeychain(t)
	ctx := context.Background()
	fake := fakekiro.New(o.fake)
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	service := core.KeychainService(dir, os.Getenv)
	t.Cleanup(func() { wipeKeychain(t, service) })
	upstream := map[string]string{store.EnvAPIBase: fake.URL, store.EnvAuthBase: fake.URL, store.EnvOIDCBase: fake.URL}
	port := 0
	c, err := core.Open(ctx, core.Options{
		ConfigDir: dir, Logger: o.logger,
		Getenv: func(k string) string { return upstream[k] },
		Host:   "127.0.0.1", Port: &port,
	})
	if err != nil {
		t.Fatalf("core.Open: %v", err)
	}
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := c.Close(cctx); err != nil {
			t.Errorf("core.Close: %v", err)
		}
	})
	<-c.Reconciled()
	if o.config != nil {
		if err := c.Store.Config.Update(ctx, func(cfg *store.Config) error { o.config(cfg); return nil }); err != nil {
			t.Fatalf("settings: %v", err)
		}
	}
	e := &env{fake: fake, core: c, dir: dir, service: service}
	for i := range o.accounts {
		fa := fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/P"})
		e.fakeAcc = append(e.fakeAcc, fa)
		cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthSocial,
			ProfileARN: fa.ProfileARN, ExpiresAt: time.Now().Add(time.Hour)}
		a, err := c.Accounts.Add(ctx, store.Account{Label: "soak " + string(rune('A'+i)), AuthMethod: store.AuthSocial}, cr.Secret())
		if err != nil { // a refused save adds nothing: the soak needs every account
			t.Fatalf("add account: %v", err)
		}
		e.ids = append(e.ids, a.ID)
	}
	if err := c.Proxy.Start(); err != nil {
		t.Fatalf("proxy start: %v", err)
	}
	key, err := c.APIKey(ctx)
	if err != nil {
		t.Fatalf("api key: %v", err)
	}
	e.key = key.Reveal()
	e.url = c.Proxy.Status().Endpoint
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 0
	tr.MaxIdleConnsPerHost = 128
	tr.DisableCompression = true
	tr.Proxy = nil
	tr.DialContext = (&net.Dialer{Timeout: 5 * time.Second}).DialContext
	e.client = &http.Client{Transport: tr, Timeout: 60 * time.Second}
	t.Cleanup(e.client.CloseIdleConnections)
	return e
}
