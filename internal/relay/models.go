package relay

import (
	"context"
	"sync"
	"time"

	"kirodesk/internal/kiro"
	"kirodesk/internal/kiro/payload"
)

// modelsTTL is how long an account's catalogue is trusted; modelsRetry how
// long a failed fetch waits before the next try (the built-in list serves
// meanwhile).
const (
	modelsTTL   = time.Hour
	modelsRetry = 5 * time.Minute
)

// catalogue caches the model list of the accounts (they share one in
// practice; per-account lists come with the pool's model availability).
type catalogue struct {
	mu      sync.Mutex
	models  payload.ModelCatalog
	expires time.Time
}

// Models returns the catalogue from an account that can serve now, fetched
// with ListAvailableModels at most once an hour, else the built-in list.
func (r *Relay) Models(ctx context.Context) payload.ModelCatalog {
	r.models.mu.Lock()
	defer r.models.mu.Unlock()
	if time.Now().Before(r.models.expires) && len(r.models.models) > 0 {
		return r.models.models
	}
	if time.Now().Before(r.models.expires) {
		return payload.BuiltinModels()
	}
	cat, err := r.fetchModels(ctx)
	if err != nil || len(cat) == 0 {
		r.log.Info("using the built-in model list", "err", err)
		r.models.models, r.models.expires = nil, time.Now().Add(modelsRetry)
		return payload.BuiltinModels()
	}
	r.models.models, r.models.expires = cat, time.Now().Add(modelsTTL)
	return cat
}

// cachedModels is the catalogue if one is cached, without network; nil
// lets the builder use its built-in table.
func (r *Relay) cachedModels() payload.ModelCatalog {
	r.models.mu.Lock()
	defer r.models.mu.Unlock()
	return r.models.models
}

func (r *Relay) fetchModels(ctx context.Context) (payload.ModelCatalog, error) {
	acct, err := r.opts.Pool.Pick(nil, "", "")
	if err != nil {
		return nil, err
	}
	cr, err := r.opts.Pool.Credentials(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return r.opts.Client.ListModels(ctx, cr, kiro.MachineID(acct.ID))
}
