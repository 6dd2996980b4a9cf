package core

import (
	"time"

	"kirodesk/internal/proxy"
	"kirodesk/internal/store"
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
	ID         string           `json:"id"`
	Label      string           `json:"label"`
	AuthMethod string           `json:"authMethod"`
	Provider   string           `json:"provider,omitempty"`
	Region     string           `json:"region,omitempty"`
	Disabled   bool             `json:"disabled"`
	State      string           `json:"state"`
	Reason     string           `json:"reason,omitempty"`
	Until      time.Time        `json:"until,omitzero"`
	Counters   store.Counters   `json:"counters"`
	LastError  *store.LastError `json:"lastError,omitempty"`
}

// Status returns the current status.
func (c *Core) Status() Status {
	p := c.Store.Pool.Snapshot()
	out := Status{Proxy: c.Proxy.Status(), Accounts: make([]AccountStatus, 0, len(p.Accounts)), Notices: c.Store.Notices()}
	if out.Notices == nil {
		out.Notices = []string{}
	}
	for _, a := range p.Accounts {
		out.Accounts = append(out.Accounts, AccountStatus{ID: a.ID, Label: a.Label, AuthMethod: a.AuthMethod,
			Provider: a.Provider, Region: a.Region, Disabled: a.Disabled, State: a.State.Status,
			Reason: a.State.Reason, Until: a.State.Until, Counters: a.Counters, LastError: a.LastError})
	}
	return out
}
