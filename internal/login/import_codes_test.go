package login

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
)

// The window translates an import's reasons by code: each reason carries
// its code and the values it names, and its English is the Reason the CLI
// prints; Go's own errors stay plain.
func TestImportReasonsCarryCodes(t *testing.T) {
	e := newEnv(t, fakekiro.Options{}, nil)
	e.fake.AddAccount(fakekiro.FakeAccount{RefreshToken: "aor-fixture-torn-late"})
	rep, err := e.svc.ImportAIClient(t.Context(), copyFixture(t))
	require.NoError(t, err)
	r := rep.Accounts
	require.Len(t, r, 11)
	for _, a := range r {
		assert.Equal(t, a.Reason, a.ReasonText.Text, a.Name)
	}
	assert.Empty(t, r[0].ReasonText.Code)
	assert.Equal(t, "import.salvaged", r[5].ReasonText.Code)
	assert.Equal(t, "import.duplicate", r[6].ReasonText.Code)
	assert.Equal(t, map[string]string{"label": "Work Google"}, r[6].ReasonText.Args)
	assert.Equal(t, "import.noCredsFile", r[7].ReasonText.Code)
	assert.NotEmpty(t, r[7].ReasonText.Args["file"])
	assert.Equal(t, "import.mixedFiles", r[9].ReasonText.Code)
	assert.Equal(t, map[string]string{"files": "kiro-auth-token-b.json"}, r[9].ReasonText.Args)
	assert.Equal(t, len(rep.Notes), len(rep.NoteTexts))
	for i, n := range rep.NoteTexts {
		assert.Equal(t, rep.Notes[i], n.Text)
		assert.NotEmpty(t, n.Code)
	}
}
