package api

import (
	"context"
	"errors"

	"kirodesk/internal/canon"
	"kirodesk/internal/relay"
	"kirodesk/internal/reqlog"
)

// alias applies the model aliases (config.json modelAliases and
// unknownModelAlias) to req.Model before the relay checks the model, and
// returns the name the client asked for.
//
// The answer carries that name, not the Kiro model that served it: the
// OpenAI and Anthropic SDKs, and clients such as Cursor or Cherry Studio,
// compare the answer's model with the one they chose (some cache or
// price by it), and the proxy already answers with the client's spelling
// when it normalises a Claude name. The request log and the usage
// history keep both names.
func (h *Handlers) alias(ctx context.Context, req *canon.Request) (asked string) {
	asked = req.Model
	if h.opts.Settings == nil {
		return asked
	}
	cfg := h.opts.Settings()
	if len(cfg.ModelAliases) == 0 && cfg.UnknownModelAlias == "" {
		return asked
	}
	// The unknown-name alias goes only to names the relay would refuse as
	// unknown; a model Kiro lists but an account cannot use is never sent
	// elsewhere: the relay's "not available" error reaches the client.
	target, ok := cfg.Alias(asked, func(name string) bool { return h.opts.Relay.Known(ctx, name) })
	if ok && h.opts.Relay.Listed(ctx, asked) {
		// config.json refuses aliases named like a built-in model; this is
		// one the accounts' own list has since brought: Kiro's model wins.
		ok = false
	}
	if ok && target != asked {
		req.Model = target
		reqlog.SetRequestedModel(ctx, asked)
	}
	return asked
}

// aliasError names the client's own model name in a model error when an
// alias chose the model, so the person sees which alias to change.
func aliasError(err error, asked, served string) error {
	var me *relay.ModelError
	if asked != served && errors.As(err, &me) {
		me.Alias = asked
	}
	return err
}
