package relay

import (
	"context"
	"errors"
	"time"

	"kirodesk/internal/canon"
	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/payload"
	"kirodesk/internal/store"
)

// ServerToolRunner answers a request that declares server tools (web
// search): it may search and call the model several times inside the one
// client response (internal/websearch). Options.ServerTools holds it; Do
// hands it every request with ServerTools, and it calls back through up.
type ServerToolRunner func(ctx context.Context, req *canon.Request, sink Sink, up ServerUpstream) error

// ServerUpstream is what a ServerToolRunner may ask of the relay.
type ServerUpstream interface {
	// Chat is one model call with the relay's account choice and failover;
	// req.ServerTools is ignored (the runner declared what it runs).
	Chat(ctx context.Context, req *canon.Request, sink Sink) error
	// WebSearch runs query through Kiro's MCP endpoint on an account of
	// the pool, trying another account when one fails at the HTTP level.
	WebSearch(ctx context.Context, req *canon.Request, query string, timeout time.Duration) ([]kiro.SearchResult, error)
}

type serverUpstream struct{ r *Relay }

func (u serverUpstream) Chat(ctx context.Context, req *canon.Request, sink Sink) error {
	plain := *req
	plain.ServerTools = nil // Do must not hand it to the runner again
	return u.r.Do(ctx, &plain, sink)
}

func (u serverUpstream) WebSearch(ctx context.Context, req *canon.Request, query string, timeout time.Duration) ([]kiro.SearchResult, error) {
	r := u.r
	key := conversationKey(req)
	model := payload.NormalizeModel(req.Model, r.cachedModels())
	tried := map[string]bool{}
	var last error
	for range r.opts.Attempts {
		acct, release, err := r.opts.Pool.Acquire(ctx, tried, key, model)
		if err != nil {
			if last != nil {
				return nil, last
			}
			return nil, err
		}
		tried[acct.ID] = true
		res, err := u.search(ctx, acct, query, timeout)
		release()
		if err == nil {
			return res, nil
		}
		last = err
		var ue *kiro.UpstreamError
		if ctx.Err() != nil || !errors.As(err, &ue) || !ue.Retryable() {
			return nil, err // the MCP layer's own answer: another account would say the same
		}
		r.log.Info("web search failed; trying another account", "account", acct.ID, "err", err)
	}
	return nil, last
}

// search runs one MCP call on acct, refreshing a rejected token once.
func (u serverUpstream) search(ctx context.Context, acct store.Account, query string, timeout time.Duration) ([]kiro.SearchResult, error) {
	r := u.r
	cr, err := r.opts.Pool.Credentials(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	res, err := r.opts.Client.WebSearch(ctx, cr, kiro.MachineID(acct.ID), mcpProfileARN(acct, cr), query, timeout)
	var ue *kiro.UpstreamError
	if errors.As(err, &ue) && ue.Class == kiro.ClassAuth {
		fresh, rerr := r.opts.Pool.Reauthorize(ctx, acct.ID, cr.AccessToken)
		if rerr != nil {
			return nil, rerr
		}
		res, err = r.opts.Client.WebSearch(ctx, fresh, kiro.MachineID(acct.ID), mcpProfileARN(acct, fresh), query, timeout)
	}
	return res, err
}

// mcpProfileARN is sent for every account that has one: unlike chat, MCP
// wants it from IAM Identity Center accounts too (kiro-protocol.md section 11).
func mcpProfileARN(a store.Account, cr kiro.Credentials) string {
	if cr.ProfileARN != "" {
		return cr.ProfileARN
	}
	return a.ProfileARN
}
