//go:build linux

package soak

import (
	"os"
	"testing"
)

// TestMain lets TestCrashLoop and TestUsageSurvivesKill9OfTheAppUnderLoad
// run this test binary as a Kirodesk child (KIRODESK_SOAK_CHILD=1: see
// crashChild; =usage: see usageChild).
func TestMain(m *testing.M) {
	switch os.Getenv("KIRODESK_SOAK_CHILD") {
	case "1":
		os.Exit(crashChild())
	case "usage":
		os.Exit(usageChild())
	}
	os.Exit(m.Run())
}
