package store

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckProxy(t *testing.T) {
	for _, ok := range []string{"none", "system", "http://proxy.example:3128", "https://alice@proxy.example:443",
		"socks5://127.0.0.1:1080", "socks5h://bob@[::1]:1080"} {
		assert.NoError(t, CheckProxy(ok), ok)
	}
	for _, bad := range []string{"", "System", "proxy.example:3128", "ftp://p:21", "http://p", "http://p:1/path", "http://:1"} {
		assert.Error(t, CheckProxy(bad), bad)
	}
	err := CheckProxy("http://alice:hunter2@proxy.example:3128")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2", "a refused proxy URL must not echo its password")
	assert.Contains(t, err.Error(), "keychain")
}

func TestOutboundDefaultsAndRoundTrip(t *testing.T) {
	c := NewConfig()
	assert.Equal(t, ProxySystem, c.Outbound.Proxy, "the default is explicit in the file")
	require.NoError(t, CheckConfig(c))

	// Files load over the defaults, so one from before the setting keeps "system".
	n := NewConfig()
	require.NoError(t, json.Unmarshal([]byte(`{"version":1,"outbound":{"proxy":"socks5://127.0.0.1:1080","future":1}}`), n))
	assert.Equal(t, "socks5://127.0.0.1:1080", n.Outbound.Proxy)
	b, err := json.Marshal(n)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"future":1`, "unknown fields inside outbound survive a save")

	n.Outbound.CABundle = "relative.pem"
	assert.ErrorContains(t, CheckConfig(n), "absolute")
}

func TestAccountProxyOverrideChecked(t *testing.T) {
	p := NewPool()
	p.Accounts = append(p.Accounts, Account{ID: "a1", AuthMethod: AuthSocial, State: AccountState{Status: StatusReady},
		Proxy: "socks5://127.0.0.1:1080", APIBase: "https://q.{region}.example"})
	require.NoError(t, CheckPool(p))
	p.Accounts[0].Proxy = "gopher://x:1"
	assert.ErrorContains(t, CheckPool(p), "proxy")
	p.Accounts[0].Proxy = ""
	p.Accounts[0].APIBase = "not a url"
	assert.ErrorContains(t, CheckPool(p), "apiBase")
}
