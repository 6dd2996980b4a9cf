package testenv

import (
	"bufio"
	"io"
)

// ReadLines reads r, a child process's output, line by line in the
// background while the test goes on; the function it returns waits for r
// to end (the child has exited or been killed) and returns the lines.
func ReadLines(r io.Reader) (wait func() []string) {
	var lines []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
	}()
	return func() []string {
		<-done
		return lines
	}
}
