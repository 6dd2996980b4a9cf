// Package soak holds Kirodesk's robustness suite, as tests only: a real
// Kirodesk (core.Open on a temporary folder, the real keychain) in front of
// the fake Kiro (internal/fakekiro), put through load with injected faults
// (TestSoak), SIGKILLs at random moments (TestCrashLoop), a table of
// malformed requests (TestBadInput) and security checks (TestSecurity*).
//
// `make test` runs the short versions; `make soak` runs the load for
// KIRODESK_SOAK_MINUTES minutes. Every test prints its figures.
package soak
