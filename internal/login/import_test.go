package login

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/store"
)

// copyFixture copies testdata/aiclient (a proxy folder holding configs/) so
// tests may delete from it.
func copyFixture(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "AIClient-2-API")
	require.NoError(t, os.CopyFS(dst, os.DirFS("testdata/aiclient")))
	return dst
}

// fixtureTokens are every token value in the fixture.
func fixtureTokens(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, f := range stringField.FindAllSubmatch(b, -1) {
			k := string(f[1])
			if strings.HasSuffix(k, "Token") || k == "clientSecret" {
				out = append(out, string(f[2]))
			}
		}
		if strings.HasSuffix(p, "provider_pools.json") {
			var pools map[string][]map[string]any
			require.NoError(t, json.Unmarshal(b, &pools))
			for _, n := range pools["claude-kiro-oauth"] {
				if s, ok := n["KIRO_OAUTH_CREDS_BASE64"].(string); ok {
					raw, _ := base64.StdEncoding.DecodeString(s)
					var c map[string]any
					require.NoError(t, json.Unmarshal(raw, &c))
					out = append(out, c["refreshToken"].(string), c["accessToken"].(string))
				}
			}
		}
		return nil
	}))
	require.GreaterOrEqual(t, len(out), 15)
	return out
}

func TestImportAIClient(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	// The torn file's refresh token is recovered and must be proven upstream.
	e.fake.AddAccount(fakekiro.FakeAccount{RefreshToken: "aor-fixture-torn-late"})
	root := copyFixture(t)
	configs := filepath.Join(root, "configs")
	kiroDir := filepath.Join(configs, "kiro")

	rep, err := e.svc.ImportAIClient(t.Context(), root) // the proxy folder: configs/ is found
	require.NoError(t, err)
	assert.Equal(t, configs, rep.Dir)

	type row struct {
		Name, Group, Outcome string
		Disabled             bool
	}
	var got []row
	for _, a := range rep.Accounts {
		got = append(got, row{a.Name, a.Group, a.Outcome, a.Disabled})
	}
	g1, g2 := "claude-kiro-oauth", "claude-kiro-oauth-team2"
	assert.Equal(t, []row{
		{"Work Google", g1, Imported, false},
		{"Builder ID spare", g1, Imported, true},
		{"Acme IdC", g1, Imported, false},
		{"3f5e1a2b-0004", g1, Imported, false},
		{"Torn early", g1, Failed, false},
		{"Torn late", g1, Imported, false},
		{"Work Google (copy)", g1, Skipped, false},
		{"Gone", g1, Failed, false},
		{"Team", g2, Imported, false},
		{"Shared A", g2, Imported, false},
		{"Shared B", g2, Imported, false},
	}, got)
	r := rep.Accounts
	assert.Equal(t, "base64 in provider_pools.json", r[3].Source)
	assert.Equal(t, filepath.Join(kiroDir, "1736150000000_kiro-auth-token", "1736150000000_kiro-auth-token.json"), r[0].Source)
	assert.Empty(t, r[0].Reason)
	assert.Contains(t, r[4].Reason, "damaged")
	assert.Contains(t, r[4].Reason, "no complete refresh token")
	assert.NotContains(t, r[4].Reason, "aor-fixture", "the reason never quotes the file")
	assert.Contains(t, r[5].Reason, "recovered and checked with Kiro")
	assert.Equal(t, `duplicate: the same refresh token is already in account "Work Google"`, r[6].Reason)
	assert.Equal(t, r[0].AccountID, r[6].AccountID)
	assert.Contains(t, r[7].Reason, "does not exist")
	assert.Contains(t, r[9].Reason, "other accounts' files (kiro-auth-token-b.json)")
	assert.Contains(t, r[10].Reason, "other accounts' files (kiro-auth-token-a.json)")
	im, sk, fa := rep.Counts()
	assert.Equal(t, []int{8, 1, 2}, []int{im, sk, fa})

	assert.Equal(t, map[string]int{"gemini-cli-oauth": 2, "openai-custom": 1}, rep.OtherProviders)
	assert.Equal(t, []string{"config.json", "pwd", "token-store.json", "input_system_prompt.txt"}, rep.OtherFiles)
	assert.Equal(t, []string{
		filepath.Join(kiroDir, "1736150000000_kiro-auth-token", "1736150000000_kiro-auth-token.json"),
		filepath.Join(kiroDir, "1736150200000_kiro-auth-token", "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b.json"),
		filepath.Join(kiroDir, "1736150200000_kiro-auth-token", "kiro-auth-token.json"),
		filepath.Join(kiroDir, "1736150400000_kiro-auth-token", "1736150400000_kiro-auth-token.json"),
		filepath.Join(kiroDir, "1736150500000_kiro-auth-token", "1736150500000_kiro-auth-token.json"),
		filepath.Join(kiroDir, "kiro-auth-token-1736150100000.json"),
		filepath.Join(kiroDir, "shared", "kiro-auth-token-a.json"),
		filepath.Join(kiroDir, "shared", "kiro-auth-token-b.json"),
		filepath.Join(kiroDir, "team2", "1736150600000_kiro-auth-token.json"),
	}, rep.PlaintextFiles, "the files read for accounts now in the keychain, never a failed one's")
	require.Len(t, rep.Notes, 1)
	assert.Contains(t, rep.Notes[0], "KIRO_OAUTH_CREDS_BASE64")

	// Secrets in the keychain, metadata in pool.json.
	p := e.st.Pool.Snapshot()
	require.Len(t, p.Accounts, 8)
	byLabel := map[string]store.Account{}
	for _, a := range p.Accounts {
		byLabel[a.Label] = a
	}
	google := byLabel["Work Google"]
	assert.Equal(t, store.AuthSocial, google.AuthMethod)
	assert.Equal(t, "Google", google.Provider)
	assert.Equal(t, "arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK", google.ProfileARN)
	assert.Equal(t, "aor-fixture-social-google", e.stored(google.ID).RefreshToken)

	builder := byLabel["Builder ID spare"]
	assert.True(t, builder.Disabled, "isDisabled carries over")
	assert.Equal(t, store.AuthBuilderID, builder.AuthMethod)
	bc := e.stored(builder.ID)
	assert.Equal(t, "client-fixture-builder", bc.ClientID)
	assert.Equal(t, "aor-fixture-builder", bc.RefreshToken)

	idc := byLabel["Acme IdC"]
	assert.Equal(t, store.AuthIdC, idc.AuthMethod)
	assert.Equal(t, "eu-west-1", idc.AuthRegion)
	assert.Equal(t, "https://acme.awsapps.com/start", idc.StartURL)
	ic := e.stored(idc.ID)
	assert.Equal(t, "client-fixture-idc", ic.ClientID, "merged from the folder's client file")
	assert.Equal(t, "secret-fixture-idc", ic.ClientSecret)
	assert.Equal(t, "aor-fixture-idc", ic.RefreshToken)

	gh := byLabel["GitHub"]
	assert.Equal(t, "Github", gh.Provider)
	assert.Equal(t, "aor-fixture-github-b64", e.stored(gh.ID).RefreshToken)

	torn := e.stored(byLabel["Torn late"].ID)
	assert.NotEqual(t, "aor-fixture-torn-late", torn.RefreshToken, "the refresh rotated it; the new one is kept")
	assert.Equal(t, e.fake.Accounts()[0].RefreshToken, torn.RefreshToken)
	assert.Equal(t, store.AuthSocial, byLabel["Team"].AuthMethod, "no authMethod and no client: social")
	assert.Equal(t, 1, e.fake.Calls(fakekiro.PathRefresh), "only the damaged file's token is refreshed")

	require.NoError(t, e.st.Pool.Flush(t.Context()))
	b, err := os.ReadFile(filepath.Join(e.dir, "pool.json"))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"Acme IdC"`)
	assertNoTokenIn(t, e.dir, append(fixtureTokens(t, root), torn.RefreshToken, torn.AccessToken)...)

	// Importing again adds nothing.
	rep2, err := e.svc.ImportAIClient(t.Context(), configs)
	require.NoError(t, err)
	for i, a := range rep2.Accounts {
		switch a.Name {
		case "Torn early", "Gone":
			assert.Equal(t, Failed, a.Outcome)
		case "Torn late":
			// Its token was rotated by the first import: the file's is dead now.
			assert.Equal(t, Failed, a.Outcome)
			assert.Contains(t, a.Reason, "refused by Kiro")
		default:
			assert.Equal(t, Skipped, a.Outcome, "%d %s: %s", i, a.Name, a.Reason)
		}
	}
	assert.Len(t, e.acc.List(), 8)

	// Deleting the plaintext: exactly the listed files go.
	deleted, err := e.svc.DeletePlaintext(rep)
	require.NoError(t, err)
	assert.Equal(t, rep.PlaintextFiles, deleted)
	for _, f := range rep.PlaintextFiles {
		assert.NoFileExists(t, f)
	}
	assert.FileExists(t, filepath.Join(kiroDir, "1736150300000_kiro-auth-token", "1736150300000_kiro-auth-token.json"), "a failed account's file stays")
	assert.FileExists(t, filepath.Join(configs, "provider_pools.json"))
	assert.FileExists(t, filepath.Join(configs, "config.json"))
}

func TestDeletePlaintextStaysInsideTheFolder(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	root := copyFixture(t)
	outside := filepath.Join(t.TempDir(), "precious.json")
	require.NoError(t, os.WriteFile(outside, []byte("{}"), 0o600))
	configs := filepath.Join(root, "configs")
	_, err := e.svc.DeletePlaintext(ImportReport{Dir: configs, PlaintextFiles: []string{
		outside, filepath.Join(configs, "kiro", "..", "..", "..", filepath.Base(filepath.Dir(outside)), "precious.json"),
		filepath.Join(configs, "pwd"),
	}})
	require.Error(t, err)
	assert.FileExists(t, outside)
	assert.FileExists(t, filepath.Join(configs, "pwd"), "not a .json credential file")
}

func TestImportAIClientWithoutPools(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	_, err := e.svc.ImportAIClient(t.Context(), t.TempDir())
	require.ErrorContains(t, err, "no provider_pools.json")
}

func TestImportKiroIDE(t *testing.T) {
	home := t.TempDir()
	e := newEnv(t, fakekiro.Options{}, func(o *Options) { o.Home = func() (string, error) { return home, nil } })
	_, err := e.svc.ImportKiroIDE(t.Context(), "", "")
	require.ErrorContains(t, err, "is the Kiro IDE logged in")

	cache := filepath.Join(home, ".aws", "sso", "cache")
	require.NoError(t, os.MkdirAll(cache, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(cache, "kiro-auth-token.json"), []byte(`{
  "accessToken": "aoa-ide-1", "refreshToken": "aor-ide-1", "expiresAt": "2026-01-01T00:00:00.000Z",
  "authMethod": "IdC", "provider": "BuilderId", "region": "us-east-1", "clientIdHash": "abc123"}`), 0o600))
	_, err = e.svc.ImportKiroIDE(t.Context(), "", "")
	require.ErrorContains(t, err, "client registration")
	require.NoError(t, os.WriteFile(filepath.Join(cache, "abc123.json"), []byte(`{"clientId":"cid-ide","clientSecret":"csec-ide","expiresAt":"2026-03-01T00:00:00.000Z"}`), 0o600))

	a, err := e.svc.ImportKiroIDE(t.Context(), "", "")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(cache, "kiro-auth-token.json"), a.IDETokenFile)
	assert.Equal(t, store.AuthBuilderID, a.AuthMethod)
	assert.Equal(t, "Builder ID", a.Label)
	c := e.assertSafe(a)
	assert.Equal(t, "aor-ide-1", c.RefreshToken, "not refreshed: the IDE keeps using it")
	assert.Equal(t, "cid-ide", c.ClientID)
	assertNoTokenIn(t, e.dir, "aor-ide-1", "aoa-ide-1", "csec-ide")
	assert.Zero(t, e.fake.Calls(fakekiro.PathToken))

	_, err = e.svc.ImportKiroIDE(t.Context(), filepath.Join(cache, "kiro-auth-token.json"), "again")
	require.ErrorIs(t, err, ErrDuplicate)
	assert.Len(t, e.acc.List(), 1)
}

func TestAddToken(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	social := e.fake.AddAccount(fakekiro.FakeAccount{Email: "paste@example.com", ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/P"})

	_, err := e.svc.AddToken(t.Context(), "aor-nobody-knows", "")
	require.ErrorContains(t, err, "did not accept the token, so it was not saved")
	assert.NotContains(t, err.Error(), "aor-nobody-knows")
	assert.Empty(t, e.acc.List())
	_, err = e.svc.AddToken(t.Context(), "  ", "")
	require.ErrorContains(t, err, "nothing was pasted")
	_, err = e.svc.AddToken(t.Context(), `{"refreshToken": "x", "authMethod": "IdC"}`, "")
	require.ErrorContains(t, err, "clientId and clientSecret")
	_, err = e.svc.AddToken(t.Context(), `{"refreshToken": "x",`, "")
	require.ErrorContains(t, err, "not valid JSON")

	a, err := e.svc.AddToken(t.Context(), "\n"+social.RefreshToken+"\n", "")
	require.NoError(t, err)
	assert.Equal(t, "paste@example.com", a.Label)
	assert.Equal(t, "arn:aws:codewhisperer:us-east-1:123456789012:profile/P", a.ProfileARN)
	c := e.assertSafe(a)
	assert.NotEqual(t, social.RefreshToken, c.RefreshToken, "the rotated token is what is kept")
	assert.Equal(t, e.fake.Accounts()[0].RefreshToken, c.RefreshToken)
	assertNoTokenIn(t, e.dir, social.RefreshToken, social.AccessToken)

	// The same token again (now the stored one) is a duplicate, refused before any refresh.
	refreshes := e.fake.Calls(fakekiro.PathRefresh)
	_, err = e.svc.AddToken(t.Context(), c.RefreshToken, "")
	require.ErrorIs(t, err, ErrDuplicate)
	assert.Equal(t, refreshes, e.fake.Calls(fakekiro.PathRefresh))

	// A JSON credential of an IdC account refreshes through OIDC.
	f, err := e.svc.StartDevice(t.Context(), DeviceOptions{})
	require.NoError(t, err)
	idcA, err := f.Wait(t.Context())
	require.NoError(t, err)
	idc := e.stored(idcA.ID)
	require.NoError(t, e.acc.Remove(t.Context(), idcA.ID))
	js, _ := json.Marshal(map[string]string{"refreshToken": idc.RefreshToken, "clientId": idc.ClientID, "clientSecret": idc.ClientSecret, "authMethod": "IdC", "provider": "BuilderId"})
	b, err := e.svc.AddToken(t.Context(), string(js), "pasted IdC")
	require.NoError(t, err)
	assert.Equal(t, store.AuthBuilderID, b.AuthMethod)
	assert.Equal(t, "pasted IdC", b.Label)
	e.assertSafe(b)
}

func TestImportKiroIDELearnsTheEmailAndRefusesTheSamePerson(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	fa := e.fake.AddAccount(fakekiro.FakeAccount{Email: "ide@example.com"})
	dir := t.TempDir()
	file := filepath.Join(dir, "kiro-auth-token.json")
	write := func(access, refresh string) {
		b, _ := json.Marshal(map[string]string{"accessToken": access, "refreshToken": refresh, "authMethod": "social",
			"provider": "Google", "expiresAt": time.Now().Add(time.Hour).Format(time.RFC3339)})
		require.NoError(t, os.WriteFile(file, b, 0o600))
	}
	write(fa.AccessToken, fa.RefreshToken)
	a, err := e.svc.ImportKiroIDE(t.Context(), file, "")
	require.NoError(t, err)
	assert.Equal(t, "ide@example.com", a.Label)
	assert.Equal(t, "ide@example.com", a.Email)
	assert.Zero(t, e.fake.Calls(fakekiro.PathRefresh), "an IDE import never rotates the IDE's token")

	// The IDE rotated its token since: a different token, the same person.
	e.fake.ExpireAccessToken(fa.AccessToken)
	fb := e.fake.AddAccount(fakekiro.FakeAccount{Email: "IDE@example.com"})
	write(fb.AccessToken, fb.RefreshToken)
	_, err = e.svc.ImportKiroIDE(t.Context(), file, "")
	require.ErrorIs(t, err, ErrDuplicate)
	assert.Len(t, e.acc.List(), 1)
}

// An import reads each existing account's keychain item once, not once per
// imported account.
func TestImportAIClientReadsEachKeychainItemOnce(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	const existing, imported = 20, 30
	for i := range existing {
		_, err := e.acc.Add(t.Context(), store.Account{Label: "old", AuthMethod: store.AuthSocial},
			secretJSON(t, map[string]string{"refreshToken": "aor-old-" + string(rune('a'+i)), "authMethod": "social"}))
		require.NoError(t, err)
	}
	configs := filepath.Join(t.TempDir(), "configs")
	var nodes []map[string]string
	for i := range imported {
		name := filepath.Join("kiro", "n"+string(rune('a'+i)), "t.json")
		require.NoError(t, os.MkdirAll(filepath.Join(configs, filepath.Dir(name)), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(configs, name), []byte(`{"refreshToken":"aor-new-`+string(rune('a'+i))+`"}`), 0o600))
		nodes = append(nodes, map[string]string{"uuid": "u" + string(rune('a'+i)), "KIRO_OAUTH_CREDS_FILE_PATH": "configs/" + filepath.ToSlash(name)})
	}
	b, _ := json.Marshal(map[string]any{"claude-kiro-oauth": nodes})
	require.NoError(t, os.WriteFile(filepath.Join(configs, "provider_pools.json"), b, 0o600))

	before := e.sec.Gets()
	start := time.Now()
	rep, err := e.svc.ImportAIClient(t.Context(), configs)
	require.NoError(t, err)
	im, _, _ := rep.Counts()
	assert.Equal(t, imported, im)
	reads := e.sec.Gets() - before
	assert.LessOrEqual(t, reads, existing+imported, "one read per account, old or new")
	t.Logf("imported %d accounts next to %d in %v with %d keychain reads", imported, existing, time.Since(start), reads)
}
