package kiro_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/endpoint"
	"kirodesk/internal/outbound"
	"kirodesk/internal/outbound/proxytest"
	"kirodesk/internal/store"
)

func TestChatHostTable(t *testing.T) {
	assert.Equal(t, []string{"https://q.us-east-1.amazonaws.com", "https://codewhisperer.us-east-1.amazonaws.com",
		"https://runtime.us-east-1.kiro.dev"}, kiro.ChatHosts(endpoint.Default))
	assert.Equal(t, []string{"https://q.eu-central-1.amazonaws.com", "https://runtime.eu-central-1.kiro.dev"},
		kiro.ChatHosts(endpoint.MustParseRegion("eu-central-1")), "the legacy host exists in us-east-1 only")
}

func bases(t *testing.T, c *kiro.Client, cr kiro.Credentials) []string {
	t.Helper()
	b, err := c.ChatBases(cr)
	require.NoError(t, err)
	return b
}

// notFound is a host that knows none of Kiro's endpoints.
func notFound(t *testing.T) (string, *atomic.Int64) {
	var n atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(s.Close)
	return s.URL, &n
}

func chatText(t *testing.T, c *kiro.Client, cr kiro.Credentials) {
	t.Helper()
	resp, err := c.Chat(context.Background(), cr, kiro.MachineID(cr.AccountID), body(t, ""))
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// The first host does not resolve, the second answers 404: the third
// serves, and is remembered for the account so the next call goes straight to it.
func TestChatFallsBackToTheNextHostAndRemembersIt(t *testing.T) {
	fake := fakekiro.New(fakekiro.Options{CheckHeaders: true})
	t.Cleanup(fake.Close)
	acct := fake.AddAccount(fakekiro.FakeAccount{})
	gone := "http://kiro-gone.invalid:1" // .invalid never resolves (RFC 6761)
	nf, hits404 := notFound(t)
	var regions []string
	var mu sync.Mutex
	c := kiro.New(kiro.Options{
		Upstream: func() store.Upstream {
			u := store.DefaultUpstream()
			u.AuthBase, u.OIDCBase = fake.URL, fake.URL
			return u
		},
		Hosts: func(region endpoint.Region) []string {
			mu.Lock()
			regions = append(regions, region.String())
			mu.Unlock()
			return []string{gone, nf, fake.URL}
		},
		Account: func(id string) (store.Account, bool) {
			return store.Account{ID: id, Region: "eu-central-1"}, id == "acct-1"
		},
	})
	cr := kiro.Credentials{AccessToken: acct.AccessToken, AuthMethod: store.AuthBuilderID, AccountID: "acct-1",
		ProfileARN: "arn:aws:codewhisperer:us-west-2:123456789012:profile/X"}

	fake.Enqueue(fakekiro.Script{fakekiro.Text("one")})
	chatText(t, c, cr)
	assert.EqualValues(t, 1, hits404.Load())
	assert.Equal(t, []string{fake.URL, gone, nf}, bases(t, c, cr), "the working host comes first now")

	fake.Enqueue(fakekiro.Script{fakekiro.Text("two")})
	chatText(t, c, cr)
	assert.EqualValues(t, 1, hits404.Load(), "remembered: the 404 host is not asked again")
	assert.Equal(t, 2, fake.Calls(fakekiro.PathChat))
	assert.Equal(t, "eu-central-1", regions[0], "the account's explicit region wins over the profile ARN's")

	// Another account starts from the top of the table.
	other := cr
	other.AccountID = "acct-2"
	assert.Equal(t, []string{gone, nf, fake.URL}, bases(t, c, other))
	assert.Equal(t, "us-west-2", regions[len(regions)-1], "no explicit region: the profile ARN's")

	// When every host fails, the last failure is returned.
	c2 := kiro.New(kiro.Options{Upstream: store.DefaultUpstream, Hosts: func(endpoint.Region) []string { return []string{gone, nf} }})
	_, err := c2.Chat(context.Background(), cr, "m", body(t, ""))
	var ue *kiro.UpstreamError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, http.StatusNotFound, ue.Status)
}

// An account's own endpoint, or a configured APIBase, is the only host tried.
func TestEndpointOverrides(t *testing.T) {
	c := kiro.New(kiro.Options{
		Upstream: func() store.Upstream { return store.DefaultUpstream() },
		Account: func(id string) (store.Account, bool) {
			return store.Account{ID: id, Region: "ap-southeast-1", APIBase: "https://kiro.corp.example/{region}/"}, id == "a"
		},
	})
	assert.Equal(t, []string{"https://kiro.corp.example/ap-southeast-1"}, bases(t, c, kiro.Credentials{AccountID: "a"}))
	assert.Equal(t, kiro.ChatHosts(endpoint.Default), bases(t, c, kiro.Credentials{AccountID: "b"}))

	c = kiro.New(kiro.Options{Upstream: func() store.Upstream {
		u := store.DefaultUpstream()
		u.APIBase = "http://127.0.0.1:9/{region}"
		return u
	}})
	assert.Equal(t, []string{"http://127.0.0.1:9/eu-west-1"}, bases(t, c, kiro.Credentials{Region: "eu-west-1"}))
}

// Behind a SOCKS proxy the proxy resolves names; its "host unreachable"
// moves on to the next host too, and every call (chat, refresh, models,
// usage) goes through the account's proxy.
func TestFallbackAndCallsThroughTheAccountsProxy(t *testing.T) {
	fake := fakekiro.New(fakekiro.Options{CheckHeaders: true})
	t.Cleanup(fake.Close)
	acct := fake.AddAccount(fakekiro.FakeAccount{})
	px, err := proxytest.NewSOCKS5("", "")
	require.NoError(t, err)
	t.Cleanup(px.Close)
	tr := outbound.New(outbound.Options{
		Settings:     func() store.Outbound { return store.Outbound{Proxy: store.ProxyNone} },
		AccountProxy: func(id string) string { return map[string]string{"acct-1": px.URL}[id] },
	})
	c := kiro.New(kiro.Options{HTTPFor: tr.For,
		Upstream: func() store.Upstream {
			u := store.DefaultUpstream()
			u.AuthBase, u.OIDCBase = fake.URL, fake.URL
			return u
		},
		Hosts: func(endpoint.Region) []string { return []string{"http://kiro-gone.invalid:80", fake.URL} }})
	cr := kiro.Credentials{AccessToken: acct.AccessToken, RefreshToken: acct.RefreshToken, AuthMethod: store.AuthSocial, AccountID: "acct-1"}

	fake.Enqueue(fakekiro.Script{fakekiro.Text("hi")})
	chatText(t, c, cr)
	require.NoError(t, c.CheckUsage(context.Background(), cr, "m"))
	_, err = c.ListModels(context.Background(), cr, "m")
	require.NoError(t, err)
	next, err := c.Refresh(context.Background(), cr)
	require.NoError(t, err)
	assert.Equal(t, "acct-1", next.AccountID, "refreshed credentials stay with their account")

	targets := strings.Join(px.Targets(), " ")
	assert.NotContains(t, targets, "kiro-gone", "the proxy could not reach the missing host")
	assert.Contains(t, targets, strings.TrimPrefix(fake.URL, "http://"))
	assert.GreaterOrEqual(t, px.Tunnels.Load(), int64(1))
	assert.Equal(t, 1, fake.Calls(fakekiro.PathUsage))
	assert.Equal(t, 1, fake.Calls(fakekiro.PathRefresh))

	// An account without an override connects directly.
	before := px.Tunnels.Load()
	other := cr
	other.AccountID, other.AccessToken = "acct-2", next.AccessToken
	require.NoError(t, c.CheckUsage(context.Background(), other, "m"))
	assert.Equal(t, before, px.Tunnels.Load())
}

// The working host is handed out to be kept, and a kept hint is tried
// first after a restart (a new Client), as long as it is still a candidate.
func TestChatHostHintSurvivesARestart(t *testing.T) {
	fake := fakekiro.New(fakekiro.Options{CheckHeaders: true})
	t.Cleanup(fake.Close)
	acct := fake.AddAccount(fakekiro.FakeAccount{})
	nf, hits404 := notFound(t)
	hosts := func(endpoint.Region) []string { return []string{nf, fake.URL} }
	var mu sync.Mutex
	kept := map[string]string{}
	newClient := func() *kiro.Client {
		return kiro.New(kiro.Options{Upstream: store.DefaultUpstream, Hosts: hosts,
			Account: func(id string) (store.Account, bool) {
				mu.Lock()
				defer mu.Unlock()
				return store.Account{ID: id, ChatHost: kept[id]}, true
			},
			OnChatHost: func(id, base string) { mu.Lock(); kept[id] = base; mu.Unlock() }})
	}
	cr := kiro.Credentials{AccessToken: acct.AccessToken, AuthMethod: store.AuthBuilderID, AccountID: "acct-1"}
	fake.Enqueue(fakekiro.Script{fakekiro.Text("a")})
	chatText(t, newClient(), cr)
	assert.EqualValues(t, 1, hits404.Load())
	assert.Equal(t, fake.URL, kept["acct-1"])

	c := newClient()
	assert.Equal(t, []string{fake.URL, nf}, bases(t, c, cr))
	fake.Enqueue(fakekiro.Script{fakekiro.Text("b")})
	chatText(t, c, cr)
	assert.EqualValues(t, 1, hits404.Load(), "the hint spared the 404 host")

	kept["acct-1"] = "https://stale.example"
	assert.Equal(t, []string{nf, fake.URL}, bases(t, newClient(), cr), "a hint that is no candidate is ignored")
}

// An IdC account refreshes in its own auth region, which can differ from
// the API region; explicit account settings win over the credentials'.
func TestRefreshUsesTheAccountsAuthRegion(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"accessToken":"new","expiresIn":3600}`)
	}))
	t.Cleanup(srv.Close)
	accts := map[string]store.Account{
		"idc":   {ID: "idc", Region: "us-west-2", AuthRegion: "eu-west-1"},
		"plain": {ID: "plain", Region: "ap-south-1"},
	}
	c := kiro.New(kiro.Options{
		Upstream: func() store.Upstream {
			return store.Upstream{APIBase: srv.URL + "/{region}", AuthBase: srv.URL + "/auth-{region}", OIDCBase: srv.URL + "/{region}"}
		},
		Account: func(id string) (store.Account, bool) { a, ok := accts[id]; return a, ok },
	})
	idc := kiro.Credentials{RefreshToken: "r", ClientID: "c", ClientSecret: "s", AuthMethod: store.AuthIdC, Region: "us-east-1"}
	for _, id := range []string{"idc", "plain", ""} {
		cr := idc
		cr.AccountID = id
		_, err := c.Refresh(context.Background(), cr)
		require.NoError(t, err)
	}
	social := kiro.Credentials{RefreshToken: "r", AuthMethod: store.AuthSocial, AccountID: "idc"}
	_, err := c.Refresh(context.Background(), social)
	require.NoError(t, err)
	assert.Equal(t, []string{"/eu-west-1/token", "/ap-south-1/token", "/us-east-1/token", "/auth-us-east-1/refreshToken"}, paths,
		"auth region, else the account's region, else the credentials'; social refresh lives in us-east-1")
}

// countingTransport fails and counts every request: none may be sent.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, fmt.Errorf("request to %s", r.URL.Host)
}

// However hostile values reached the credentials or the account (a keychain
// item written by an older build, a pool.json edited by hand), the client
// parses them again before it builds a host: no request leaves.
func TestHostileRegionsSendNoRequest(t *testing.T) {
	fake := fakekiro.New(fakekiro.Options{})
	t.Cleanup(fake.Close)
	acct := fake.AddAccount(fakekiro.FakeAccount{})
	rt := &countingTransport{}
	hc := &http.Client{Transport: rt}
	accts := map[string]store.Account{
		"region": {ID: "region", Region: "x.attacker.example#"},
		"auth":   {ID: "auth", AuthRegion: "x.attacker.example#"},
		"base":   {ID: "base", APIBase: "https://q.{region}.evil.example#"},
	}
	c := kiro.New(kiro.Options{HTTP: hc,
		Upstream: func() store.Upstream { return store.DefaultUpstream() },
		Account:  func(id string) (store.Account, bool) { a, ok := accts[id]; return a, ok }})
	base := kiro.Credentials{AccessToken: acct.AccessToken, RefreshToken: acct.RefreshToken, AuthMethod: store.AuthIdC, ClientID: "c", ClientSecret: "s"}
	var cases []kiro.Credentials
	for _, set := range []func(*kiro.Credentials){
		func(c *kiro.Credentials) { c.Region = "x.attacker.example#" },
		func(c *kiro.Credentials) { c.AuthRegion = "x.attacker.example#" },
		func(c *kiro.Credentials) {
			c.ProfileARN = "arn:aws:codewhisperer:x.attacker.example#:123456789012:profile/A"
		},
		func(c *kiro.Credentials) { c.AccountID = "region" },
		func(c *kiro.Credentials) { c.AccountID = "auth" },
		func(c *kiro.Credentials) { c.AccountID = "base" },
	} {
		cr := base
		set(&cr)
		cases = append(cases, cr)
	}
	ctx := context.Background()
	for i, cr := range cases {
		_, err := c.ChatBases(cr)
		require.Error(t, err, i)
		_, err = c.Chat(ctx, cr, "m", body(t, ""))
		require.ErrorContains(t, err, "no request sent", i)
		_, err = c.UsageLimits(ctx, cr, "m")
		require.Error(t, err, i)
		_, err = c.ListModels(ctx, cr, "m")
		require.Error(t, err, i)
		if cr.AccountID != "base" { // the refresh does not use the API base
			_, err = c.Refresh(ctx, cr)
			require.ErrorContains(t, err, "refresh not sent", i)
		}
	}
	assert.Zero(t, rt.n.Load(), "no request left for any host")
	assert.Empty(t, fake.CallCounts())
}
