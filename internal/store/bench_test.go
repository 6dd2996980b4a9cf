package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkFlush measures one durable write of the pool (encode, keep the
// backup, temp file, fsync, rename, folder fsync) at several pool sizes.
func BenchmarkFlush(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			s, err := Open(dir, Options{FlushInterval: time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close(context.Background())
			ctx := context.Background()
			err = s.Pool.Update(ctx, func(p *Pool) error {
				for i := range n {
					addAccount(fmt.Sprintf("account-%04d", i))(p)
					p.Accounts[i].Region = "us-east-1"
					p.Accounts[i].ProfileARN = "arn:aws:codewhisperer:us-east-1:123456789012:profile/ABCDEFGHIJKL"
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			fi, _ := os.Stat(filepath.Join(dir, "pool.json"))
			b.SetBytes(fi.Size())
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				s.Pool.Touch(func(p *Pool) { p.Accounts[i%n].Counters.Requests++ })
				if err := s.Pool.Flush(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(fi.Size()), "file-bytes")
		})
	}
}

// BenchmarkTouch is the cost a request pays to bump its account's counters.
func BenchmarkTouch(b *testing.B) {
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	if err := s.Pool.Update(context.Background(), addAccount("a")); err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Pool.Touch(func(p *Pool) { p.Accounts[0].Counters.Requests++ })
		}
	})
}
