package store

import "testing"

// failWrites makes every write of f fail with err until the returned
// function is called or the test ends.
func failWrites[T any](t *testing.T, f *File[T], err error) (restore func()) {
	t.Helper()
	set := func(w writeFunc) {
		f.writeSem <- struct{}{} // the writer is read under writeSem only
		f.writeFile = w
		<-f.writeSem
	}
	set(func(string, []byte) error { return err })
	restore = func() { set(writeFileAtomic) }
	t.Cleanup(restore)
	return restore
}

// setWriter replaces the File's disk writer until the test ends.
func setWriter[T any](f *File[T], w writeFunc) {
	f.writeSem <- struct{}{}
	f.writeFile = w
	<-f.writeSem
}
