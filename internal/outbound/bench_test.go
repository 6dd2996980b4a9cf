package outbound_test

import (
	"testing"

	"kirodesk/internal/outbound/proxytest"
	"kirodesk/internal/store"
)

// BenchmarkFor is the per-request cost of finding the transport: the
// settings read, the environment (system mode) and the CA file's stat.
func BenchmarkFor(b *testing.B) {
	ca, err := proxytest.NewCA()
	if err != nil {
		b.Fatal(err)
	}
	e := newEnv(store.ProxySystem)
	e.global.CABundle = writeCA(b, ca.PEM)
	tr := e.transports()
	b.ReportAllocs()
	for b.Loop() {
		_ = tr.For("acct-1")
	}
}
