package transtest

import "testing"

// BenchWriter writes Answer through a fresh writer per iteration.
func BenchWriter(b *testing.B, newWriter func() Writer) {
	evs := Answer()
	b.ReportAllocs()
	for b.Loop() {
		w := newWriter()
		if err := w.Start(); err != nil {
			b.Fatal(err)
		}
		for _, ev := range evs {
			if err := w.Write(ev); err != nil {
				b.Fatal(err)
			}
		}
	}
}
