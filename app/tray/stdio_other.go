//go:build !unix

package main

import "os"

// protocolOutput returns standard output. On Windows systray is pure Go and
// nothing else in the process writes there.
func protocolOutput() (*os.File, error) { return os.Stdout, nil }
