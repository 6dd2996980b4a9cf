package doctor_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/doctor"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/endpoint"
	"kirodesk/internal/outbound"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

func check(r doctor.Report, name string) []doctor.Check {
	var out []doctor.Check
	for _, s := range r.Sections {
		for _, c := range s.Checks {
			if c.Name == name {
				out = append(out, c)
			}
		}
	}
	return out
}

func noTray(context.Context) doctor.Check {
	return doctor.Check{Name: "tray host", Status: doctor.Skip}
}

// runWithPortTaken runs the doctor for one ready account of a fake Kiro,
// reached after the dead hosts listed, with the configured port taken by
// the listener it returns and $https_proxy set; more adds to the options.
func runWithPortTaken(t *testing.T, deadHosts []string, more func(*doctor.Options)) (doctor.Report, net.Listener) {
	t.Helper()
	fake := fakekiro.New(fakekiro.Options{})
	t.Cleanup(fake.Close)
	fa := fake.AddAccount(fakekiro.FakeAccount{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	cfg := store.NewConfig()
	cfg.Port = ln.Addr().(*net.TCPAddr).Port
	cfg.Outbound.Proxy = store.ProxyNone
	out := outbound.New(outbound.Options{Settings: func() store.Outbound { return cfg.Outbound }})
	client := kiro.New(kiro.Options{HTTPFor: out.For, Upstream: store.DefaultUpstream,
		Hosts: func(endpoint.Region) []string { return append(slices.Clone(deadHosts), fake.URL) }})
	cr := kiro.Credentials{AccessToken: fa.AccessToken, AuthMethod: store.AuthBuilderID}
	opts := doctor.Options{
		Version: "v", ConfigDir: t.TempDir(), Config: cfg, Secrets: secrets.NewMemory(), Outbound: out, Client: client,
		Accounts:    []store.Account{{ID: "a1", Label: "one", AuthMethod: store.AuthBuilderID, State: store.AccountState{Status: store.StatusReady}}},
		Credentials: func(context.Context, string) (kiro.Credentials, error) { return cr, nil },
		Getenv:      func(k string) string { return map[string]string{"https_proxy": "http://ignored:1"}[k] },
		Tray:        noTray,
	}
	if more != nil {
		more(&opts)
	}
	return doctor.Run(t.Context(), opts), ln
}

// A taken port fails; a host that does not resolve is reported and the
// next one of the table is checked, as requests would do.
func TestPortAndDNSFallback(t *testing.T) {
	rep, _ := runWithPortTaken(t, []string{"http://kiro-gone.invalid:1"}, nil)
	text := rep.Text()
	assert.True(t, rep.Failed(), text)
	assert.Equal(t, doctor.Fail, check(rep, "port")[0].Status)
	assert.Contains(t, check(rep, "port")[0].Detail, "taken")
	dns := check(rep, "dns")
	require.Len(t, dns, 2, text)
	assert.Equal(t, doctor.Fail, dns[0].Status)
	assert.Contains(t, dns[0].Detail, "kiro-gone.invalid")
	assert.Equal(t, doctor.OK, dns[1].Status)
	assert.Equal(t, doctor.OK, check(rep, "tcp/tls")[0].Status, text)
	assert.Equal(t, doctor.Skip, check(rep, "refresh")[0].Status)
	assert.Equal(t, doctor.OK, check(rep, "usage")[0].Status, text)
	assert.Contains(t, check(rep, "environment")[0].Detail, "$https_proxy set but ignored")
	assert.True(t, strings.HasPrefix(text, "Kirodesk doctor, "))
}

func TestBadFolderAndBrokenKeychain(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notDir, nil, 0o600))
	rep := doctor.Run(t.Context(), doctor.Options{ConfigDir: notDir, Secrets: failing{}, Tray: noTray})
	assert.Equal(t, doctor.Fail, check(rep, "keychain")[0].Status)
	assert.Contains(t, check(rep, "keychain")[0].Detail, "no keychain available")
	assert.Equal(t, doctor.Fail, check(rep, "config dir")[0].Status)
	assert.Contains(t, check(rep, "config dir")[0].Detail, "not a folder")
	assert.Equal(t, doctor.Warn, check(rep, "accounts")[0].Status)
}

type failing struct{}

func (failing) Get(context.Context, string) (secrets.Secret, error) {
	return secrets.Secret{}, secrets.ErrUnavailable
}
func (failing) Set(context.Context, string, secrets.Secret) error { return secrets.ErrUnavailable }
func (failing) Delete(context.Context, string) error              { return secrets.ErrUnavailable }

// Every Kiro endpoint pointed elsewhere is a warning, and an account whose
// region does not parse fails its check without a request being sent.
func TestUpstreamOverridesAndHostileRegions(t *testing.T) {
	fake := fakekiro.New(fakekiro.Options{})
	t.Cleanup(fake.Close)
	fa := fake.AddAccount(fakekiro.FakeAccount{})
	cfg := store.NewConfig()
	cfg.Outbound.Proxy = store.ProxyNone
	cfg.Upstream.OIDCBase = "http://127.0.0.1:9"
	out := outbound.New(outbound.Options{Settings: func() store.Outbound { return cfg.Outbound }})
	accts := []store.Account{
		{ID: "a1", Label: "own", AuthMethod: store.AuthSocial, APIBase: fake.URL, State: store.AccountState{Status: store.StatusReady}},
		{ID: "a2", Label: "hostile", AuthMethod: store.AuthSocial, State: store.AccountState{Status: store.StatusReady}},
	}
	client := kiro.New(kiro.Options{HTTPFor: out.For, Upstream: store.DefaultUpstream,
		Account: func(id string) (store.Account, bool) {
			for _, a := range accts {
				if a.ID == id {
					return a, true
				}
			}
			return store.Account{}, false
		}})
	rep := doctor.Run(t.Context(), doctor.Options{
		Version: "v", ConfigDir: t.TempDir(), Config: cfg, Secrets: secrets.NewMemory(), Outbound: out, Client: client, Accounts: accts,
		Credentials: func(_ context.Context, id string) (kiro.Credentials, error) {
			cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthSocial}
			if id == "a2" {
				cr.Region = "x.attacker.example#"
			}
			return cr, nil
		},
		Getenv: func(k string) string { return map[string]string{store.EnvAuthBase: "https://auth.corp.example"}[k] },
		Tray:   noTray,
	})
	text := rep.Text()
	up := check(rep, "upstream")
	require.Len(t, up, 2, text)
	assert.Equal(t, doctor.Warn, up[0].Status)
	assert.Contains(t, up[0].Detail, "upstream.oidcBase in config.json is http://127.0.0.1:9 instead of Kiro's own https://oidc.{region}.amazonaws.com")
	assert.Contains(t, up[1].Detail, "$"+store.EnvAuthBase+" is https://auth.corp.example")
	ep := check(rep, "endpoint")
	require.Len(t, ep, 2, text)
	assert.Equal(t, doctor.Warn, ep[0].Status)
	assert.Contains(t, ep[0].Detail, "this account's apiBase is "+fake.URL)
	assert.Equal(t, doctor.Fail, ep[1].Status)
	assert.Contains(t, ep[1].Detail, `region "x.attacker.example#" is not an AWS region name`)
	assert.Equal(t, 1, fake.Calls(fakekiro.PathUsage), "only the first account's check reached Kiro")
}
