package usage

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The groups we name ourselves carry a code for the window; the person's
// names (clients recognised, accounts, models) carry none.
func TestSpecialGroupLabelsCarryCodes(t *testing.T) {
	assert.Equal(t, "usage.otherClient", specialLabel(ByClient, "other").Code)
	assert.Equal(t, "other", specialLabel(ByClient, "other").Text)
	assert.Equal(t, "usage.none", specialLabel(ByAccount, "(none)").Code)
	assert.Equal(t, "usage.none", specialLabel(ByModel, "(none)").Code)
	assert.Empty(t, specialLabel(ByClient, "Claude Code").Code)
	assert.Empty(t, specialLabel(ByAccount, "other").Code, "an account may be called other")
	assert.Empty(t, specialLabel(ByClient, "(none)").Code)
}
