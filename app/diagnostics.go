package app

import (
	"context"
	"time"

	"kirodesk/internal/core"
	"kirodesk/internal/doctor"
)

// Diagnostics is the connection test's report, for the window: the
// sections and their checks (ok, warn, fail, skip), and the same as plain
// text for the Copy button. No secret is ever in it (internal/doctor).
type Diagnostics struct {
	doctor.Report
	Failed bool   `json:"failed"`
	Text   string `json:"text"`
}

// Diagnose runs the connection test ("Test connection"): per account DNS,
// TLS through the proxy in effect, a token refresh and a usage call, and
// the machine's checks. It takes as long as the network does.
func (a *App) Diagnose() (Diagnostics, error) {
	return withCore(a, 2*time.Minute, func(ctx context.Context, c *core.Core) (Diagnostics, error) {
		r := c.Diagnose(ctx, a.version)
		if r.Sections == nil {
			r.Sections = []doctor.Section{}
		}
		return Diagnostics{Report: r, Failed: r.Failed(), Text: r.Text()}, nil
	})
}

// SetOutboundProxy sets how Kirodesk reaches Kiro: "none", "system" or a
// proxy URL. A password inside the URL goes to the keychain, never to
// config.json; a URL with the user name alone keeps the stored password.
func (a *App) SetOutboundProxy(proxy string) (Settings, error) {
	return withCore(a, 15*time.Second, func(ctx context.Context, c *core.Core) (Settings, error) {
		if err := c.SetProxy(ctx, "", proxy); err != nil {
			return Settings{}, err
		}
		return a.Settings()
	})
}
