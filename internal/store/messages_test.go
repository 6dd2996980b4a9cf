package store

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/uitext"
)

// The window translates the store's notices by code: each carries its code
// and the values its sentence names, beside the English the CLI prints.
func TestNoticesCarryCodesAndArguments(t *testing.T) {
	dir := damagedConfig(t)

	s2 := openT(t, dir)
	texts := s2.NoticeTexts()
	require.Len(t, texts, 1)
	n := texts[0]
	assert.Equal(t, "store.damagedRestored", n.Code)
	assert.Equal(t, "config.json", n.Args["file"])
	assert.Equal(t, filepath.Join(dir, "config.json.bak"), n.Args["backup"])
	assert.True(t, strings.HasPrefix(n.Args["aside"], filepath.Join(dir, "config.json.corrupt-")), n.Args["aside"])
	assert.NotEmpty(t, n.Args["reason"])
	assert.Equal(t, s2.Notices(), []string{n.Text}, "the English is the same sentence")
	assert.Equal(t, "config.json was damaged ("+n.Args["reason"]+"); loaded the backup "+n.Args["backup"]+
		"; the damaged file is kept as "+n.Args["aside"], n.Text)
}

func TestRepairNoticesCarryCodes(t *testing.T) {
	p := NewPool()
	p.Accounts = []Account{{ID: "a1", Region: "x.attacker.example#"}}
	notes := repairPool(p)
	require.Len(t, notes, 1)
	assert.Equal(t, "store.accountEndpointDropped", notes[0].Code)
	assert.Equal(t, "a1", notes[0].Args["id"])
	assert.Contains(t, notes[0].Args["reason"], "the value was dropped")
	assert.Equal(t, StatusLoginNeeded, p.Accounts[0].State.Status)
	assert.Equal(t, notes[0].Args["reason"], p.Accounts[0].State.Reason)
}

// An account's reason keeps its code beside the English; a reason written by
// an older build has none; a clone does not share the arguments.
func TestAccountReasonCodes(t *testing.T) {
	s := AccountState{Status: StatusSuspended}.WithReason(ReasonSuspended.With("message", "abuse"))
	assert.Equal(t, "Kiro suspended the account: abuse", s.Reason)
	assert.Equal(t, "account.suspended", s.ReasonText().Code)
	assert.Equal(t, map[string]string{"message": "abuse"}, s.ReasonText().Args)

	old := AccountState{Status: StatusLoginNeeded, Reason: "log in again"}
	assert.Equal(t, "log in again", old.ReasonText().Text)
	assert.Empty(t, old.ReasonText().Code)

	p := NewPool()
	p.Accounts = []Account{{ID: "a1", State: s}}
	c := ClonePool(p)
	c.Accounts[0].State.ReasonArgs["message"] = "changed"
	assert.Equal(t, "abuse", p.Accounts[0].State.ReasonArgs["message"])
}

// A refused setting is an error with a code and its value, quoted as
// before; the English is unchanged for the CLI.
func TestConfigErrorsCarryCodes(t *testing.T) {
	c := NewConfig()
	c.Port = 70000
	c.Strategy = "random"
	err := CheckConfig(c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "port 70000 is outside 1-65535")
	assert.Contains(t, err.Error(), `strategy "random" is not sticky, round-robin, least-used or fill-first`)
	texts := uitext.Texts(err)
	require.Len(t, texts, 2)
	assert.Equal(t, "config.port", texts[0].Code)
	assert.Equal(t, map[string]string{"value": "70000"}, texts[0].Args)
	assert.Equal(t, "config.strategy", texts[1].Code)
	assert.Equal(t, `"random"`, texts[1].Args["value"])
}

// Every setting the window edits is refused with a code: the upstream
// bases (endpoint's codes, through the store), the proxy with its password
// hidden, the language, the quota TTL and the update feed.
func TestMoreConfigErrorsCarryCodes(t *testing.T) {
	c := NewConfig()
	c.Upstream.APIBase = "http://example.com"
	c.Outbound.Proxy = "http://user:hunter2@proxy.example"
	c.Language = "fr"
	c.QuotaTTL = 5
	c.Updates.FeedURL = "ftp://feeds.example/feed.json"
	err := CheckConfig(c)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	byCode := map[string]uitext.Text{}
	for _, x := range uitext.Texts(fmt.Errorf("config.json: change rejected: %w", err)) {
		byCode[x.Code] = x
	}
	assert.Equal(t, uitext.Text{Code: "endpoint.base.https", Args: map[string]string{"field": "upstream.apiBase", "value": `"http://example.com"`},
		Text: `upstream.apiBase "http://example.com" must be https (http only to this machine, like http://127.0.0.1:8080)`}, byCode["endpoint.base.https"])
	assert.Equal(t, map[string]string{"value": `"http://user:xxxxx@proxy.example"`}, byCode["config.proxy.password"].Args)
	assert.NotContains(t, byCode["config.proxy.password"].Text, "hunter2")
	assert.Equal(t, uitext.Text{Code: "config.language", Args: map[string]string{"value": `"fr"`}, Text: `language "fr" is not system, en or zh-CN`}, byCode["config.language"])
	assert.Equal(t, map[string]string{"value": "5"}, byCode["config.quotaTTL"].Args)
	assert.Equal(t, uitext.Text{Code: "config.webUrl.https", Args: map[string]string{"field": "updates.feedURL", "value": `"ftp://feeds.example/feed.json"`},
		Text: `updates.feedURL "ftp://feeds.example/feed.json": only https is accepted (http only to this machine)`}, byCode["config.webUrl.https"])
	assert.Len(t, byCode, 5)
}

func TestProxyAndWebURLRefusals(t *testing.T) {
	cases := map[string]error{
		"config.proxy.notUrl": CheckProxy("proxy"),
		"config.proxy.scheme": CheckProxy("ftp://proxy.example:21"),
		"config.proxy.noPort": CheckProxy("http://proxy.example"),
		"config.proxy.path":   CheckProxy("http://proxy.example:3128/x"),
	}
	for code, err := range cases {
		texts := uitext.Texts(err)
		require.Len(t, texts, 1, code)
		assert.Equal(t, code, texts[0].Code)
		assert.Equal(t, err.Error(), texts[0].Text)
	}
	_, err := ParseWebURL("updates.feedURL", "feed.json")
	assert.Equal(t, "config.webUrl.notAbsolute", uitext.Texts(err)[0].Code)
	_, err = ParseWebURL("updates.feedURL", "https://me:pw@feeds.example/f.json")
	require.Error(t, err)
	assert.Equal(t, map[string]string{"field": "updates.feedURL", "value": `"https://me:xxxxx@feeds.example/f.json"`}, uitext.Texts(err)[0].Args)
}
