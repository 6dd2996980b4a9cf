package fakekiro

// Per-account controls and counts, for pool tests: which account answers
// what, what each account's usage limits say, and what the fake saw per
// account (to compare with Kirodesk's own counters).

// AccountStats is what the fake counted for one account.
type AccountStats struct {
	Chats        int     // authenticated chat calls, whatever their answer
	Errors       int     // of those, answered with a non-200 status or dropped
	Refreshes    int     // successful refreshes (rotations)
	Credits      float64 // metered by played scripts
	InputTokens  int64   // uncachedInputTokens sent in messageMetadataEvents
	OutputTokens int64   // outputTokens sent in messageMetadataEvents
}

// findLocked returns the account whose email, current access token or
// current refresh token is key.
func (s *Server) findLocked(key string) *account {
	for _, a := range s.accounts {
		if key != "" && (a.Email == key || a.AccessToken == key || a.RefreshToken == key) {
			return a
		}
	}
	return nil
}

// Stats returns the counts of the account named by key (email or a current
// token); the zero value if there is none.
func (s *Server) Stats(key string) AccountStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.findLocked(key); a != nil {
		return a.stats
	}
	return AccountStats{}
}

// SetAccountScript makes every chat call of the account named by key
// (email or a current token) play fn's script, before queued scripts and
// faults; nil restores the shared behaviour. It reports whether the account
// was found.
func (s *Server) SetAccountScript(key string, fn func(RecordedRequest) Script) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.findLocked(key)
	if a != nil {
		a.script = fn
	}
	return a != nil
}

// SetUsageLimits replaces the getUsageLimits answer of the account named by
// key; credits its scripts metered are still added to the first line. It
// reports whether the account was found.
func (s *Server) SetUsageLimits(key string, l UsageLimits) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.findLocked(key)
	if a != nil {
		l.UsageBreakdownList = append([]UsageBreakdown(nil), l.UsageBreakdownList...)
		a.Limits = &l
		a.credits = 0
	}
	return a != nil
}

// Rotate refreshes the account named by key as another client would (the
// person's own Kiro IDE): it gets new tokens, and every refresh token it
// had before is dead, grace or not. It returns the account with the new
// tokens, and false if there is none.
func (s *Server) Rotate(key string) (FakeAccount, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.findLocked(key)
	if a == nil {
		return FakeAccount{}, false
	}
	s.issueLocked(a, a.RefreshToken)
	delete(s.refresh, a.grace)
	a.grace = ""
	a.stats.Refreshes-- // not one of Kirodesk's refreshes
	return a.FakeAccount, true
}

// SetRefreshHook calls fn after every successful refresh has rotated the
// tokens and before the answer is written, outside the fake's lock. fn may
// block to hold the answer back (a test kills the client in that window);
// nil removes the hook.
func (s *Server) SetRefreshHook(fn func(issued FakeAccount)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onRefresh = fn
}
