package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// TestMain lets the tests run this package as the real kirodesk command: a
// child started with KIRODESK_TEST_AS_MAIN=1 runs Main with its arguments,
// exactly as main.go does minus the desktop shell.
func TestMain(m *testing.M) {
	if os.Getenv("KIRODESK_TEST_AS_MAIN") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Main(ctx, os.Args[1:], Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Version: "test"})
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}
