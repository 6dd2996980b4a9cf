//go:build linux

package soak

import (
	"os"
	"testing"
)

// TestMain lets TestCrashLoop run this test binary as a Kirodesk child
// (KIRODESK_SOAK_CHILD=1): see crashChild.
func TestMain(m *testing.M) {
	if os.Getenv("KIRODESK_SOAK_CHILD") == "1" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}
