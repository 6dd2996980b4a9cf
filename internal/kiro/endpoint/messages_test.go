package endpoint

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/uitext"
)

// Every refusal carries a code, the field and the quoted value as its
// arguments, and the English it always had; a wrapper (the store's "change
// rejected") does not hide the code from the window.
func TestRefusalsCarryCodes(t *testing.T) {
	cases := []struct {
		code, field, value, english string
		err                         error
	}{
		{"endpoint.region", "region", "us east", `region "us east" is not an AWS region name (like us-east-1)`,
			func() error { _, err := ParseRegion("region", "us east"); return err }()},
		{"endpoint.profileArn", "profileArn", "arn:x", `profileArn "arn:x" is not a Kiro profile ARN (like arn:aws:codewhisperer:us-east-1:123456789012:profile/ABCDEFGHIJKL)`,
			func() error { _, err := ParseProfileARN("profileArn", "arn:x"); return err }()},
		{"endpoint.base.https", "upstream.apiBase", "http://example.com", `upstream.apiBase "http://example.com" must be https (http only to this machine, like http://127.0.0.1:8080)`,
			func() error { _, err := ParseBase("upstream.apiBase", "http://example.com"); return err }()},
		{"endpoint.base.port", "upstream.authBase", "https://a.example:0", `upstream.authBase "https://a.example:0" has a port outside 1-65535`,
			func() error { _, err := ParseBase("upstream.authBase", "https://a.example:0"); return err }()},
		{"endpoint.base.host", "upstream.oidcBase", "https://localhostx", `upstream.oidcBase "https://localhostx" must name a host (like q.{region}.amazonaws.com)`,
			func() error { _, err := ParseBase("upstream.oidcBase", "https://localhostx"); return err }()},
		{"endpoint.userName", "upstream.apiBase", "https://u@a.example", `upstream.apiBase "https://u@a.example" must not hold a user name`,
			func() error { _, err := ParseBase("upstream.apiBase", "https://u@a.example"); return err }()},
		{"endpoint.startUrl.https", "startUrl", "http://my-org.awsapps.com/start", `startUrl "http://my-org.awsapps.com/start" must begin with https:// (like https://my-org.awsapps.com/start)`,
			func() error { _, err := ParseStartURL("startUrl", "http://my-org.awsapps.com/start"); return err }()},
		{"endpoint.startUrl.query", "startUrl", "https://my-org.awsapps.com/start?x=1", `startUrl "https://my-org.awsapps.com/start?x=1" must not hold a query (?...)`,
			func() error { _, err := ParseStartURL("startUrl", "https://my-org.awsapps.com/start?x=1"); return err }()},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			require.Error(t, c.err)
			assert.Equal(t, c.english, c.err.Error())
			want := uitext.Text{Code: c.code, Args: map[string]string{"field": c.field, "value": `"` + c.value + `"`}, Text: c.english}
			assert.Equal(t, []uitext.Text{want}, uitext.Texts(fmt.Errorf("config.json: change rejected: %w", c.err)))
			var e *Error
			require.ErrorAs(t, c.err, &e)
			assert.Equal(t, c.value, e.Value)
			assert.True(t, strings.HasSuffix(c.english, " "+e.Reason), "Reason is the English after the value: %q", e.Reason)
		})
	}
}

func TestRefusalShortensAndQuotesTheValue(t *testing.T) {
	_, err := ParseRegion("region", strings.Repeat("x", 100)+"\n")
	got := uitext.Texts(err)
	require.Len(t, got, 1)
	assert.Equal(t, `"`+strings.Repeat("x", 80)+`..."`, got[0].Args["value"], "at most 80 bytes, quoted: no forged log line")
	assert.Equal(t, got[0].Text, err.Error())
}
