package testenv

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer that many goroutines may write while the test
// reads it: a child process's output copier, a logger shared by servers.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
