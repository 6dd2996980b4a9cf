package pool

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"kirodesk/internal/store"
)

// A rest's reason carries its code and the streak and status it names, for
// the window; Reason stays the English the CLI prints.
func TestCoolingReasonCarriesCode(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	a := &store.Account{ID: "a1", State: store.AccountState{Status: store.StatusReady}}
	coolLocked(a, throttleRest, coolKind{msg: store.ReasonCoolingThrottl, status: 429}, now)
	assert.Equal(t, store.StatusCooling, a.State.Status)
	assert.Equal(t, "cooling down after 1 throttle(s) (429)", a.State.Reason)
	r := a.State.ReasonText()
	assert.Equal(t, "account.coolingThrottles", r.Code)
	assert.Equal(t, map[string]string{"n": "1", "status": "429"}, r.Args)
	assert.Equal(t, a.State.Reason, r.Text)

	b := &store.Account{ID: "b1", State: store.AccountState{Status: store.StatusCooling, Streak: 4}}
	coolLocked(b, failureRest, coolKind{msg: store.ReasonCoolingNoReply}, now)
	assert.Equal(t, "cooling down after 5 failure(s) (no answer)", b.State.Reason)
	assert.Equal(t, "account.coolingNoAnswer", b.State.ReasonCode)
	assert.Equal(t, map[string]string{"n": "5"}, b.State.ReasonArgs)
}
