package endpoint_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/kiro/endpoint"
)

func TestRegion(t *testing.T) {
	for _, ok := range []string{"us-east-1", "eu-central-1", "ap-southeast-2", "us-gov-west-1", "us-isob-east-1", "il-central-1"} {
		r, err := endpoint.ParseRegion("region", ok)
		require.NoError(t, err, ok)
		assert.Equal(t, ok, r.String())
	}
	for _, bad := range []string{"", "x.attacker.example#", "us-east-1.attacker.example", "US-EAST-1", "us-east-", "us east 1",
		"us-east-1/", "us-east-1#", "us-east-123", "useast1", "us--east-1", "us-east-1\n", "a-b-1", "us-east-1.", "us-east-1@evil"} {
		_, err := endpoint.ParseRegion("region", bad)
		require.Error(t, err, "%q", bad)
	}
	_, err := endpoint.ParseRegion("region", "x.attacker.example#")
	assert.EqualError(t, err, `region "x.attacker.example#" is not an AWS region name (like us-east-1)`)
}

func TestProfileARN(t *testing.T) {
	a, err := endpoint.ParseProfileARN("profileArn", "arn:aws:codewhisperer:eu-central-1:699475941385:profile/EHGA3GRVQMUK")
	require.NoError(t, err)
	assert.Equal(t, "eu-central-1", a.Region().String())
	assert.Equal(t, "arn:aws:codewhisperer:eu-central-1:699475941385:profile/EHGA3GRVQMUK", a.String())
	for _, bad := range []string{"", "arn:aws:codewhisperer:x.attacker.example#:699475941385:profile/A",
		"arn:aws:codewhisperer:us-east-1:1:profile/A", "arn:aws:codewhisperer:us-east-1:699475941385:profile/",
		"arn:aws:codewhisperer:us-east-1:699475941385:profile/A-B", "arn:aws:codewhisperer:us-east-1:699475941385:profile/A:B",
		"arn:aws:s3:us-east-1:699475941385:profile/A", "arn:aws:codewhisperer:us-east-1:699475941385:user/A"} {
		_, err := endpoint.ParseProfileARN("profileArn", bad)
		require.Error(t, err, "%q", bad)
		assert.Contains(t, err.Error(), "profileArn ")
	}
}

func TestStartURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://view.awsapps.com/start":           "https://view.awsapps.com/start",
		"https://d-1234567890.awsapps.com/start/#": "https://d-1234567890.awsapps.com/start",
		"https://My-Org.awsapps.com/start#/":       "https://my-org.awsapps.com/start",
	} {
		got, err := endpoint.ParseStartURL("startUrl", in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"", "http://my-org.awsapps.com/start", "https://user@my-org.awsapps.com/start",
		"https://my-org.awsapps.com/start#frag", "https://my-org.awsapps.com/start?x=1", "https://127.0.0.1/start",
		"https://my-org.awsapps.com:8443/start", "https://localhost/start", "my-org.awsapps.com/start", "https:///start",
		"https://x.attacker.example#.awsapps.com/start", "javascript:alert(1)"} {
		_, err := endpoint.ParseStartURL("startUrl", bad)
		require.Error(t, err, "%q", bad)
	}
}

func TestBase(t *testing.T) {
	b, err := endpoint.ParseBase("apiBase", "https://q.{region}.amazonaws.com")
	require.NoError(t, err)
	r, _ := endpoint.ParseRegion("region", "eu-central-1")
	assert.Equal(t, "https://q.eu-central-1.amazonaws.com", b.URL(r).String())
	assert.Equal(t, "https://q.us-east-1.amazonaws.com/getUsageLimits", b.URL(endpoint.Region{}, "getUsageLimits").String(), "no region is us-east-1")
	assert.Equal(t, "https://q.{region}.amazonaws.com", b.String())
	assert.False(t, b.Loopback())

	l, err := endpoint.ParseBase("apiBase", "http://127.0.0.1:9998/{region}/")
	require.NoError(t, err, "{region} in the path")
	assert.Equal(t, "http://127.0.0.1:9998/eu-central-1/token", l.URL(r, "token").String())
	assert.Equal(t, "http://127.0.0.1:9998/{region}", l.String())
	_, err = endpoint.ParseBase("apiBase", "http://127.0.0.1:9998/{x}/")
	require.Error(t, err, "only {region}")
	l, err = endpoint.ParseBase("apiBase", "http://127.0.0.1:9998/kiro/")
	require.NoError(t, err)
	assert.True(t, l.Loopback())
	assert.Equal(t, "http://127.0.0.1:9998/kiro/token", l.URL(r, "token").String())
	for _, ok := range []string{"http://localhost:1", "http://[::1]:8080", "https://10.0.0.1", "https://proxy.corp.example:8443/kiro"} {
		_, err := endpoint.ParseBase("apiBase", ok)
		require.NoError(t, err, ok)
	}
	for _, bad := range []string{"", "http://q.us-east-1.amazonaws.com", "ftp://127.0.0.1", "https://u@q.example.com",
		"https://q.example.com/?a=1", "https://q.example.com/#x", "https://q.{region}.example.com#", "https://",
		"https://q.example.com:0", "https://q.example.com:99999", "http://127.0.0.1.attacker.example", "https://a b.com",
		"https://q.example.com/a/../b", "https://q.example.com/%2e%2e"} {
		_, err := endpoint.ParseBase("apiBase", bad)
		require.Error(t, err, "%q", bad)
		assert.Contains(t, err.Error(), "apiBase ")
	}
}

// Fuzz targets: whatever is accepted must be a value that cannot move a
// request to another host than the one it names.

func FuzzRegion(f *testing.F) {
	for _, s := range []string{"us-east-1", "eu-central-1", "x.attacker.example#", "us-gov-west-1", "", "a-b-12", "us-east-1.evil"} {
		f.Add(s)
	}
	b, _ := endpoint.ParseBase("apiBase", "https://q.{region}.amazonaws.com")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := endpoint.ParseRegion("region", s)
		if err != nil {
			assert.Contains(t, err.Error(), "region ")
			return
		}
		assert.Equal(t, s, r.String())
		assert.NotContains(t, s, ".")
		assert.Equal(t, "q."+s+".amazonaws.com", b.URL(r).Host)
	})
}

func FuzzProfileARN(f *testing.F) {
	for _, s := range []string{"arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK",
		"arn:aws:codewhisperer:x.attacker.example#:699475941385:profile/A", "arn:aws:codewhisperer:us-east-1:1:profile/P", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := endpoint.ParseProfileARN("profileArn", s)
		if err != nil {
			return
		}
		assert.Equal(t, s, a.String(), "an accepted ARN is already canonical")
		_, err = endpoint.ParseRegion("region", a.Region().String())
		assert.NoError(t, err)
	})
}

func FuzzStartURL(f *testing.F) {
	for _, s := range []string{"https://view.awsapps.com/start", "https://d-1.awsapps.com/start/#", "https://u@x.example/start",
		"http://x.example", "https://x.example:1/", "https://x.example/a?b#c", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := endpoint.ParseStartURL("startUrl", s)
		if err != nil {
			return
		}
		u, err := url.Parse(got)
		require.NoError(t, err)
		assert.Equal(t, "https", u.Scheme)
		assert.Nil(t, u.User)
		assert.Empty(t, u.Fragment)
		assert.Empty(t, u.RawQuery)
		assert.Empty(t, u.Port())
		again, err := endpoint.ParseStartURL("startUrl", got)
		require.NoError(t, err, "the canonical form is accepted")
		assert.Equal(t, got, again)
	})
}

func FuzzBaseURL(f *testing.F) {
	for _, s := range []string{"https://q.{region}.amazonaws.com", "http://127.0.0.1:9998", "http://[::1]:1/x", "http://evil.example",
		"https://u:p@x.example", "https://x.example/#", "https://{region}/", "https://x.example/{region}", ""} {
		f.Add(s)
	}
	r, _ := endpoint.ParseRegion("region", "eu-west-1")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := endpoint.ParseBase("apiBase", s)
		if err != nil {
			return
		}
		u := b.URL(r, "token")
		assert.True(t, u.Scheme == "https" || u.Scheme == "http" && b.Loopback())
		assert.Nil(t, u.User)
		back, err := url.Parse(u.String())
		require.NoError(t, err)
		assert.Equal(t, u.Host, back.Host, "the built URL reads back to the same host")
		assert.Empty(t, back.RawQuery)
		assert.Empty(t, back.Fragment)
		assert.True(t, strings.HasSuffix(back.Path, "/token"))
		again, err := endpoint.ParseBase("apiBase", b.String())
		require.NoError(t, err, "the canonical form %q is accepted", b.String())
		assert.Equal(t, b, again)
	})
}
