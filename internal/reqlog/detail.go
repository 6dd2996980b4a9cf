package reqlog

import "context"

// SetTokenDetail records the cache tokens of the answer and whether its
// token figures were counted locally (Kiro sent none), for the usage
// history.
func SetTokenDetail(ctx context.Context, cacheRead, cacheWrite int, estimated bool) {
	if n, ok := ctx.Value(noteKey{}).(*Note); ok {
		n.mu.Lock()
		n.cacheRd, n.cacheWr, n.estimated = cacheRead, cacheWrite, estimated
		n.mu.Unlock()
	}
}

// Usage is what the usage history needs of a finished request, beyond
// what the server saw itself.
type Usage struct {
	Model, Account                       string
	RequestedModel                       string // the client's name when an alias changed it
	Input, Output, CacheRead, CacheWrite int
	Estimated                            bool
	Credits                              float64
}

// Usage returns the note's figures for the usage history.
func (n *Note) Usage() Usage {
	n.mu.Lock()
	defer n.mu.Unlock()
	return Usage{Model: n.model, RequestedModel: n.requested, Account: n.acct, Input: n.in, Output: n.out, CacheRead: n.cacheRd,
		CacheWrite: n.cacheWr, Estimated: n.estimated, Credits: n.cred}
}
