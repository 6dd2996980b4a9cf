// Package kiro talks to Kiro's services: the chat call, token refresh
// (social and AWS SSO-OIDC), and the classification of upstream failures
// (kiro-protocol.md sections 2, 6 and 7). Request bodies come from
// kiro/payload and response streams are read by kiro/eventstream; this
// package does the HTTP in between. Every URL comes from store.Upstream, so
// tests point it at fakekiro. A Client is safe for concurrent use and keeps
// connections alive across calls.
package kiro
