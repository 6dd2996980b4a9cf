package control

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"kirodesk/internal/accounts"
	"kirodesk/internal/login"
	"kirodesk/internal/pool"
	"kirodesk/internal/store"
)

// ErrNoFlow means the flow id is unknown (finished, expired or never started).
var ErrNoFlow = errors.New("no such login in progress: start a new one")

// Local implements API in-process, over the login and accounts services.
type Local struct {
	login    *login.Service
	accounts *accounts.Service
	pool     *pool.Pool // nil: no live state, Reset and RefreshQuota refused

	mu    sync.Mutex
	flows map[string]*flow
}

type flow struct {
	device  *login.DeviceFlow
	social  *login.SocialFlow
	expires time.Time
}

// NewLocal returns the in-process API. p may be nil (tests of the login
// flows alone).
func NewLocal(l *login.Service, a *accounts.Service, p *pool.Pool) *Local {
	return &Local{login: l, accounts: a, pool: p, flows: map[string]*flow{}}
}

// Accounts lists the accounts with their state as selection sees it now (a
// cooldown whose time has passed reads as ready).
func (l *Local) Accounts(ctx context.Context) ([]store.Account, error) {
	list := l.accounts.List()
	if l.pool != nil {
		for i := range list {
			list[i].State = l.pool.StateNow(&list[i])
		}
	}
	return list, nil
}

var errNoPool = errors.New("this command needs the account pool")

func (l *Local) Reset(ctx context.Context, id string) (store.Account, error) {
	if l.pool == nil {
		return store.Account{}, errNoPool
	}
	if err := l.pool.Reset(ctx, id); err != nil {
		return store.Account{}, err
	}
	return l.accounts.Get(id)
}

func (l *Local) RefreshQuota(ctx context.Context, id string) (store.Account, error) {
	if l.pool == nil {
		return store.Account{}, errNoPool
	}
	if _, err := l.pool.RefreshQuota(ctx, id); err != nil {
		return store.Account{}, err
	}
	return l.accounts.Get(id)
}

func (l *Local) Remove(ctx context.Context, id string) error { return l.accounts.Remove(ctx, id) }

func (l *Local) SetDisabled(ctx context.Context, id string, disabled bool) (store.Account, error) {
	return l.accounts.SetDisabled(ctx, id, disabled)
}

func (l *Local) Rename(ctx context.Context, id, label string) (store.Account, error) {
	return l.accounts.Rename(ctx, id, label)
}

func (l *Local) add(f *flow) string {
	id := "flow-" + rand.Text()[:16]
	l.mu.Lock()
	defer l.mu.Unlock()
	// Forget flows nobody waited on once they cannot succeed any more.
	for k, old := range l.flows {
		if time.Now().After(old.expires.Add(time.Minute)) {
			if old.social != nil {
				old.social.Cancel()
			}
			delete(l.flows, k)
		}
	}
	l.flows[id] = f
	return id
}

func (l *Local) get(id string) (*flow, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.flows[id]
	if f == nil {
		return nil, fmt.Errorf("%w (%s)", ErrNoFlow, id)
	}
	return f, nil
}

func (l *Local) drop(id string) {
	l.mu.Lock()
	delete(l.flows, id)
	l.mu.Unlock()
}

func (l *Local) StartDevice(ctx context.Context, o login.DeviceOptions) (Flow, error) {
	d, err := l.login.StartDevice(ctx, o)
	if err != nil {
		return Flow{}, err
	}
	id := l.add(&flow{device: d, expires: d.ExpiresAt})
	return Flow{ID: id, Kind: KindDevice, UserCode: d.UserCode, VerificationURI: d.VerificationURI,
		VerificationURIComplete: d.VerificationURIComplete, ExpiresAt: d.ExpiresAt}, nil
}

func (l *Local) StartSocial(ctx context.Context, o login.SocialOptions) (Flow, error) {
	s, err := l.login.StartSocialWith(ctx, o)
	if err != nil {
		return Flow{}, err
	}
	id := l.add(&flow{social: s, expires: s.ExpiresAt})
	return Flow{ID: id, Kind: KindSocial, LoginURL: s.LoginURL, ExpiresAt: s.ExpiresAt}, nil
}

func (l *Local) WaitFlow(ctx context.Context, id string) (store.Account, error) {
	f, err := l.get(id)
	if err != nil {
		return store.Account{}, err
	}
	defer l.drop(id)
	if f.device != nil {
		return f.device.Wait(ctx)
	}
	return f.social.Wait(ctx)
}

func (l *Local) CompleteSocial(ctx context.Context, id, redirectURL string) (store.Account, error) {
	f, err := l.get(id)
	if err != nil {
		return store.Account{}, err
	}
	if f.social == nil {
		return store.Account{}, errors.New("only a Google or GitHub login takes a pasted URL")
	}
	return f.social.CompleteWithURL(ctx, redirectURL)
}

func (l *Local) CancelFlow(ctx context.Context, id string) error {
	f, err := l.get(id)
	if err != nil {
		return err
	}
	if f.social != nil {
		f.social.Cancel()
	} else {
		f.device.Cancel()
	}
	l.drop(id)
	return nil
}

func (l *Local) ImportKiroIDE(ctx context.Context, path, label string) (store.Account, error) {
	return l.login.ImportKiroIDE(ctx, path, label)
}

func (l *Local) ImportAIClient(ctx context.Context, dir string) (login.ImportReport, error) {
	return l.login.ImportAIClient(ctx, dir)
}

func (l *Local) DeletePlaintext(ctx context.Context, r login.ImportReport) ([]string, error) {
	return l.login.DeletePlaintext(r)
}

func (l *Local) AddToken(ctx context.Context, input, label string) (store.Account, error) {
	return l.login.AddToken(ctx, input, label)
}
