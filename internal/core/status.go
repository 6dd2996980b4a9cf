package core

import (
	"time"

	"kirodesk/internal/pool"
	"kirodesk/internal/proxy"
	"kirodesk/internal/store"
	"kirodesk/internal/uitext"
)

// Status is the proxy's and the accounts' state, as GET
// /v1/kirodesk/status and the desktop UI show it. Built from pool.json's
// metadata only: no token can be in it.
type Status struct {
	Proxy    proxy.Status    `json:"proxy"`
	Accounts []AccountStatus `json:"accounts"`
	Notices  []string        `json:"notices"`
}

// AccountStatus is one account's public state.
type AccountStatus struct {
	ID         string `json:"id"`
	Label      string `json:"label"`
	AuthMethod string `json:"authMethod"`
	Provider   string `json:"provider,omitempty"`
	Email      string `json:"email,omitempty"`
	Region     string `json:"region,omitempty"`
	Disabled   bool   `json:"disabled"`
	State      string `json:"state"`
	Reason     string `json:"reason,omitempty"`
	// ReasonText is Reason with its code, for the window.
	ReasonText uitext.Text  `json:"reasonText,omitzero"`
	Until      time.Time    `json:"until,omitzero"`
	Quota      *store.Quota `json:"quota,omitempty"`
	// ModelsResting are models this account cannot serve until a time
	// (capacity errors, models not available to it).
	ModelsResting []pool.ModelRest `json:"modelsResting,omitempty"`
	Counters      store.Counters   `json:"counters"`
	LastError     *store.LastError `json:"lastError,omitempty"`
}

// Status returns the current status.
func (c *Core) Status() Status {
	p := c.Store.Pool.Snapshot()
	out := Status{Proxy: c.Proxy.Status(), Accounts: make([]AccountStatus, 0, len(p.Accounts)), Notices: c.Store.Notices()}
	if out.Notices == nil {
		out.Notices = []string{}
	}
	for _, a := range p.Accounts {
		st := c.Pool.StateNow(&a) // a cooldown that has ended shows as ready
		out.Accounts = append(out.Accounts, AccountStatus{ID: a.ID, Label: a.Label, AuthMethod: a.AuthMethod,
			Provider: a.Provider, Email: a.Email, Region: a.Region, Disabled: a.Disabled, State: st.Status,
			Reason: st.Reason, ReasonText: st.ReasonText(), Until: st.Until, Quota: a.Quota, ModelsResting: c.Pool.ModelRests(a.ID),
			Counters: a.Counters, LastError: a.LastError})
	}
	return out
}
