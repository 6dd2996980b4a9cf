package endpoint

import (
	"strings"

	"kirodesk/internal/uitext"
)

// Why a value is refused, with codes the window translates
// (frontend/src/i18n, "gotext.endpoint"). The field is config.json's or the
// form's name and the value is quoted as the person typed it: both stay as
// they are in every language.
var (
	msgRegion     = uitext.Define("endpoint.region", "{{field}} {{value}} is not an AWS region name (like us-east-1)")
	msgProfileARN = uitext.Define("endpoint.profileArn",
		"{{field}} {{value}} is not a Kiro profile ARN (like arn:aws:codewhisperer:us-east-1:123456789012:profile/ABCDEFGHIJKL)")
	msgUserName = uitext.Define("endpoint.userName", "{{field}} {{value}} must not hold a user name")
	msgPath     = uitext.Define("endpoint.path", "{{field}} {{value}} has a path that is not plain")

	msgStartNotURL   = uitext.Define("endpoint.startUrl.notUrl", "{{field}} {{value}} is not a URL (like https://my-org.awsapps.com/start)")
	msgStartHTTPS    = uitext.Define("endpoint.startUrl.https", "{{field}} {{value}} must begin with https:// (like https://my-org.awsapps.com/start)")
	msgStartFragment = uitext.Define("endpoint.startUrl.fragment", "{{field}} {{value}} must not hold a fragment (#...)")
	msgStartQuery    = uitext.Define("endpoint.startUrl.query", "{{field}} {{value}} must not hold a query (?...)")
	msgStartHost     = uitext.Define("endpoint.startUrl.host", "{{field}} {{value}} must name a host (like my-org.awsapps.com)")

	msgBaseNotURL = uitext.Define("endpoint.base.notUrl", "{{field}} {{value}} is not a URL")
	msgBaseHTTPS  = uitext.Define("endpoint.base.https", "{{field}} {{value}} must be https (http only to this machine, like http://127.0.0.1:8080)")
	msgBaseQuery  = uitext.Define("endpoint.base.query", "{{field}} {{value}} must not hold a query or fragment")
	msgBaseHost   = uitext.Define("endpoint.base.host", "{{field}} {{value}} must name a host (like q.{region}.amazonaws.com)")
	msgBasePort   = uitext.Define("endpoint.base.port", "{{field}} {{value}} has a port outside 1-65535")
)

// reasonOf is the English reason of a refusal: its template after the
// field and the value.
func reasonOf(m uitext.Msg) string {
	return strings.TrimPrefix(m.With().Text, "{{field}} {{value}} ")
}
