package kiro_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/kiro"
	"kirodesk/internal/secrets"
)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestReadIDEFileSocial(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "kiro-auth-token.json", `{"accessToken":"at-1","refreshToken":"rt-1",
		"expiresAt":"2026-11-25T10:00:00.000Z","authMethod":"social","provider":"Github",
		"profileArn":"arn:aws:codewhisperer:us-east-1:123456789012:profile/X"}`)
	c, err := kiro.ReadIDEFile(p)
	require.NoError(t, err)
	assert.Equal(t, "social", c.AuthMethod)
	assert.Equal(t, "rt-1", c.RefreshToken)
	assert.Equal(t, "Github", c.Provider)
	assert.Equal(t, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), c.ExpiresAt)
}

func TestReadIDEFileIdCWithClientFile(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "kiro-auth-token.json", `{"accessToken":"at","refreshToken":"rt",
		"expiresAt":"2026-11-25T10:00:00Z","authMethod":"IdC","provider":"BuilderId","region":"us-east-1",
		"clientIdHash":"abc123"}`)
	writeFile(t, dir, "abc123.json", `{"clientId":"cid","clientSecret":"csec","expiresAt":"2027-01-01T00:00:00Z"}`)
	c, err := kiro.ReadIDEFile(p)
	require.NoError(t, err)
	assert.Equal(t, "builder-id", c.AuthMethod)
	assert.Equal(t, "cid", c.ClientID)
	assert.Equal(t, "csec", c.ClientSecret)
	assert.Equal(t, 2027, c.ClientExpiresAt.Year())

	// Enterprise is IAM Identity Center.
	p2 := writeFile(t, dir, "other.json", `{"refreshToken":"rt","authMethod":"IdC","provider":"Enterprise",
		"region":"eu-central-1","clientIdHash":"abc123"}`)
	c, err = kiro.ReadIDEFile(p2)
	require.NoError(t, err)
	assert.Equal(t, "idc", c.AuthMethod)
	r, err := c.OIDCRegion()
	require.NoError(t, err)
	assert.Equal(t, "eu-central-1", r.String())
}

func TestReadIDEFileErrorsNeverEchoTokens(t *testing.T) {
	dir := t.TempDir()
	_, err := kiro.ReadIDEFile(writeFile(t, dir, "torn.json", `{"refreshToken":"secret-rt-value`))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret-rt-value")

	_, err = kiro.ReadIDEFile(writeFile(t, dir, "norefresh.json", `{"accessToken":"secret-at"}`))
	require.ErrorContains(t, err, "no refreshToken")
	assert.NotContains(t, err.Error(), "secret-at")

	_, err = kiro.ReadIDEFile(writeFile(t, dir, "noclient.json", `{"refreshToken":"r","authMethod":"IdC","clientIdHash":"missing"}`))
	require.ErrorContains(t, err, "client registration")

	_, err = kiro.ReadIDEFile(writeFile(t, dir, "escape.json", `{"refreshToken":"r","authMethod":"IdC","clientIdHash":"../../etc/passwd"}`))
	require.ErrorContains(t, err, "not a file name")

	_, err = kiro.ReadIDEFile(filepath.Join(dir, "absent.json"))
	require.ErrorContains(t, err, "Kiro IDE token file")
}

func TestParseCredentialJSONVariants(t *testing.T) {
	// The old proxy wrote epoch milliseconds and omitted authMethod.
	c, _, err := kiro.ParseCredentialJSON([]byte(`{"refreshToken":"r","expiresAt":1764064800000}`))
	require.NoError(t, err)
	assert.Equal(t, "social", c.AuthMethod)
	assert.Equal(t, int64(1764064800), c.ExpiresAt.Unix())

	c, _, err = kiro.ParseCredentialJSON([]byte(`{"refreshToken":"r","clientId":"a","clientSecret":"b","idcRegion":"eu-west-1"}`))
	require.NoError(t, err)
	assert.Equal(t, "idc", c.AuthMethod)
	assert.Equal(t, "eu-west-1", c.AuthRegion)

	c, _, err = kiro.ParseCredentialJSON([]byte(`{"refreshToken":"r","authMethod":"builder-id","clientId":"a","clientSecret":"b"}`))
	require.NoError(t, err)
	assert.Equal(t, "builder-id", c.AuthMethod)
}

// A credential file's region, idcRegion, profileArn or startUrl becomes part
// of a host name or goes to AWS: anything but an AWS name is refused, with
// the field named, and the file's tokens are not returned.
func TestHostileEndpointValuesAreRefused(t *testing.T) {
	for field, body := range map[string]string{
		`region "x.attacker.example#"`:                                                  `{"refreshToken":"secret-rt","region":"x.attacker.example#"}`,
		`idcRegion "us-east-1.evil.example"`:                                            `{"refreshToken":"secret-rt","clientId":"a","clientSecret":"b","idcRegion":"us-east-1.evil.example"}`,
		`profileArn "arn:aws:codewhisperer:x.attacker.example#:123456789012:profile/A"`: `{"refreshToken":"secret-rt","profileArn":"arn:aws:codewhisperer:x.attacker.example#:123456789012:profile/A"}`,
		`startUrl "https://u@evil.example/start"`:                                       `{"refreshToken":"secret-rt","clientId":"a","clientSecret":"b","startUrl":"https://u@evil.example/start"}`,
	} {
		c, _, err := kiro.ParseCredentialJSON([]byte(body))
		require.Error(t, err, field)
		assert.Contains(t, err.Error(), field)
		assert.NotContains(t, err.Error(), "secret-rt")
		assert.Empty(t, c.RefreshToken)

		dir := t.TempDir()
		_, err = kiro.ReadIDEFile(writeFile(t, dir, "kiro-auth-token.json", body))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "kiro-auth-token.json: "+field)
	}
	// The keychain form is checked again when it is read.
	_, err := kiro.ParseCredentials(secrets.New(`{"refreshToken":"r","authRegion":"x.attacker.example#"}`))
	require.ErrorContains(t, err, `authRegion "x.attacker.example#" is not an AWS region name`)
	// The access portal's own form of a start URL is taken, canonical.
	c, _, err := kiro.ParseCredentialJSON([]byte(`{"refreshToken":"r","clientId":"a","clientSecret":"b","startUrl":"https://d-1234567890.awsapps.com/start/#/"}`))
	require.NoError(t, err)
	assert.Equal(t, "https://d-1234567890.awsapps.com/start", c.StartURL)
}
