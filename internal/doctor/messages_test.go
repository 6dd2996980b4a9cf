package doctor_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/doctor"
	"kirodesk/internal/store"
	"kirodesk/internal/uitext"
)

// Every section title, check name and detail the window shows carries a
// code and its arguments (the window translates them); Go's own errors are
// plain. The English fields are the same words.
func TestReportCarriesCodesAndArguments(t *testing.T) {
	rep, ln := runWithPortTaken(t, nil, func(o *doctor.Options) {
		o.Notices = []uitext.Text{uitext.Plain("pool.json was damaged")}
	})
	require.Len(t, rep.Sections, 3, rep.Text())
	assert.Equal(t, "doctor.section.machine", rep.Sections[0].TitleText.Code)
	assert.Equal(t, "doctor.section.network", rep.Sections[1].TitleText.Code)
	acct := rep.Sections[2].TitleText
	assert.Equal(t, "doctor.section.account", acct.Code)
	assert.Equal(t, map[string]string{"id": "a1", "label": "one", "method": store.AuthBuilderID}, acct.Args)
	assert.Equal(t, rep.Sections[2].Title, acct.Text)

	port := check(rep, "port")[0]
	assert.Equal(t, "doctor.check.port", port.NameText.Code)
	assert.Equal(t, "doctor.port.taken", port.DetailText.Code)
	assert.Equal(t, ln.Addr().String(), port.DetailText.Args["addr"])
	assert.NotEmpty(t, port.DetailText.Args["error"])
	assert.Equal(t, port.Detail, port.DetailText.Text)

	env := check(rep, "environment")[0]
	assert.Equal(t, "doctor.environment.ignored", env.DetailText.Code)
	assert.Equal(t, "$https_proxy", env.DetailText.Args["vars"])

	state := check(rep, "state files")[0]
	assert.Equal(t, uitext.Plain("pool.json was damaged"), state.DetailText, "a notice is passed on with its code, or plain")

	tcp := check(rep, "tcp/tls")[0]
	assert.Equal(t, "doctor.check.tcpTLS", tcp.NameText.Code)
	assert.Equal(t, "doctor.tcp.answered", tcp.DetailText.Code, "the fake is plain HTTP")
	assert.Equal(t, "doctor.usage.ok", check(rep, "usage")[0].DetailText.Code)
	assert.Equal(t, "doctor.refresh.running", check(rep, "refresh")[0].DetailText.Code)

	for _, s := range rep.Sections {
		for _, c := range s.Checks {
			if c.Name == "tray host" {
				continue // the test's own
			}
			assert.NotEmpty(t, c.NameText.Code, c.Name)
			assert.Equal(t, c.Name, c.NameText.Text)
			assert.Equal(t, c.Detail, c.DetailText.Text, c.Name)
		}
	}
}

func TestNoAccountSectionHasCodes(t *testing.T) {
	rep := doctor.Run(t.Context(), doctor.Options{Version: "v", ConfigDir: t.TempDir(), Tray: noTray})
	last := rep.Sections[len(rep.Sections)-1]
	assert.Equal(t, "doctor.section.accounts", last.TitleText.Code)
	require.Len(t, last.Checks, 1)
	assert.Equal(t, "doctor.accounts.none", last.Checks[0].DetailText.Code)
	assert.Equal(t, "no account yet: add one in the app", last.Checks[0].Detail)
}
