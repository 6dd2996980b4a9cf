package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A pool.json written before regions were checked, or edited by hand, may
// hold a region that turns Kiro's host into another one. On load the value
// is dropped (the file is rewritten without it) and the account is marked
// login needed with the field named; the other accounts load as they are.
func TestHostilePoolValuesAreDroppedOnLoad(t *testing.T) {
	dir := t.TempDir()
	pool := `{"version":1,"accounts":[
	 {"id":"good","label":"g","authMethod":"social","region":"eu-central-1","profileArn":"arn:aws:codewhisperer:eu-central-1:123456789012:profile/ABC","state":{"status":"ready"}},
	 {"id":"evil","label":"e","authMethod":"idc","region":"x.attacker.example#","authRegion":"us-east-1.attacker.example",
	  "profileArn":"arn:aws:codewhisperer:evil.example#:123456789012:profile/A","startUrl":"https://u@evil.example/start",
	  "apiBase":"http://evil.example","chatHost":"https://q.x.attacker.example#.amazonaws.com","state":{"status":"ready"}}]}`
	path := filepath.Join(dir, "pool.json")
	require.NoError(t, os.WriteFile(path, []byte(pool), 0o600))

	s := openT(t, dir)
	snap := s.Pool.Snapshot()
	good, evil := snap.Account("good"), snap.Account("evil")
	require.NotNil(t, good)
	require.NotNil(t, evil)
	assert.Equal(t, "eu-central-1", good.Region)
	assert.Equal(t, StatusReady, good.State.Status)

	assert.Equal(t, StatusLoginNeeded, evil.State.Status)
	for _, field := range []string{`region "x.attacker.example#"`, `authRegion "us-east-1.attacker.example"`, "profileArn ", "startUrl ", "apiBase "} {
		assert.Contains(t, evil.State.Reason, field)
	}
	assert.Empty(t, evil.Region+evil.AuthRegion+evil.ProfileARN+evil.StartURL+evil.APIBase+evil.ChatHost)
	require.Len(t, s.Notices(), 1)
	assert.Contains(t, s.Notices()[0], "account evil")

	onDisk, err := os.ReadFile(path)
	require.NoError(t, err)
	reread := readPool(t, path).Account("evil")
	require.NotNil(t, reread)
	assert.Empty(t, reread.Region+reread.AuthRegion+reread.ProfileARN+reread.StartURL+reread.APIBase+reread.ChatHost,
		"the refused values leave the file at once")
	assert.Equal(t, StatusLoginNeeded, reread.State.Status)
	assert.NotContains(t, string(onDisk), `"apiBase"`)
}

func TestHostilePoolValuesAreRefusedOnUpdate(t *testing.T) {
	s := openT(t, t.TempDir())
	ctx := context.Background()
	for _, set := range []func(*Account){
		func(a *Account) { a.Region = "x.attacker.example#" },
		func(a *Account) { a.AuthRegion = "x.attacker.example#" },
		func(a *Account) { a.ProfileARN = "arn:aws:codewhisperer:x.attacker.example#:123456789012:profile/A" },
		func(a *Account) { a.StartURL = "https://x.attacker.example/start#frag" },
		func(a *Account) { a.APIBase = "http://x.attacker.example" },
	} {
		err := s.Pool.Update(ctx, func(p *Pool) error {
			a := Account{ID: "a", AuthMethod: AuthSocial, State: AccountState{Status: StatusReady}}
			set(&a)
			p.Accounts = append(p.Accounts, a)
			return nil
		})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "change rejected: accounts[0]: ")
	}
	assert.Empty(t, s.Pool.Snapshot().Accounts)
}

// An upstream base an older build took (plain http to another machine) is
// reset to Kiro's own on load, with a notice, rather than failing the file.
func TestRefusedUpstreamBaseIsResetOnLoad(t *testing.T) {
	dir := t.TempDir()
	c := NewConfig()
	c.Upstream.APIBase = "http://x.attacker.example"
	b, err := c.MarshalJSON()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), b, 0o600))

	s := openT(t, dir)
	assert.Equal(t, DefaultUpstream().APIBase, s.Config.Snapshot().Upstream.APIBase)
	require.Len(t, s.Notices(), 1)
	assert.Contains(t, s.Notices()[0], `upstream.apiBase "http://x.attacker.example" must be https`)
	assert.Empty(t, s.Config.Snapshot().Upstream.Overridden())

	err = s.Config.Update(context.Background(), func(c *Config) error { c.Upstream.OIDCBase = "https://oidc.{region}.evil.example#"; return nil })
	require.Error(t, err)
	require.NoError(t, s.Config.Update(context.Background(), func(c *Config) error { c.Upstream.OIDCBase = "http://127.0.0.1:9"; return nil }))
	assert.Equal(t, []UpstreamBase{{"oidcBase", "http://127.0.0.1:9", DefaultUpstream().OIDCBase}}, s.Config.Snapshot().Upstream.Overridden())
}
