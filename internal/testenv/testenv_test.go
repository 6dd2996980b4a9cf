package testenv

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"testing"
	"time"
)

// outcome is what a helper did to a test: nothing, skip or fail.
type outcome struct {
	testing.TB
	skipped, failed string
}

func (o *outcome) Helper() {}
func (o *outcome) Skip(args ...any) {
	o.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}
func (o *outcome) Fatalf(format string, args ...any) {
	o.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls check as a test body would, and reports what it did.
func run(t *testing.T, check func(testing.TB)) *outcome {
	o := &outcome{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(o)
	}()
	<-done
	return o
}

func TestMissingSkipsOutsideCIAndFailsInCI(t *testing.T) {
	for _, tc := range []struct {
		ci   string
		fail bool
	}{{"", false}, {"false", false}, {"0", false}, {"true", true}, {"1", true}, {"yes", true}} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			o := run(t, func(tb testing.TB) { Missing(tb, "no widget") })
			if tc.fail {
				if o.failed == "" || o.skipped != "" {
					t.Fatalf("in CI a missing need must fail the test, got skipped=%q failed=%q", o.skipped, o.failed)
				}
				if want := "CI is set, so this test must run, but no widget"; o.failed != want {
					t.Errorf("failure says %q, want %q", o.failed, want)
				}
				return
			}
			if o.skipped != "no widget" || o.failed != "" {
				t.Fatalf("outside CI a missing need skips with the reason, got skipped=%q failed=%q", o.skipped, o.failed)
			}
		})
	}
}

func TestRequireKeychainWithoutASessionBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the session bus is how Linux reaches its keychain")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("CI", "true")
	o := run(t, RequireKeychain)
	if o.failed == "" {
		t.Fatalf("in CI a missing keychain fails the test, got skipped=%q", o.skipped)
	}
	t.Setenv("CI", "")
	o = run(t, RequireKeychain)
	if o.skipped == "" || o.failed != "" {
		t.Fatalf("outside CI a missing keychain skips, got skipped=%q failed=%q", o.skipped, o.failed)
	}
}

func TestProbeKeychainTellsABusWithoutSecretServiceFromAWorkingOne(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service is Linux's keychain")
	}
	// A bus address nobody listens on: the probe must report an error, not
	// hang and not pass.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	if err := probeKeychain(5 * time.Second); err == nil {
		t.Fatal("a session bus that does not exist passed the keychain probe")
	}
}

func TestRequireDisplay(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux can lack a display")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("CI", "true")
	if o := run(t, RequireDisplay); o.failed == "" {
		t.Fatalf("in CI a missing display fails the test, got skipped=%q", o.skipped)
	}
	t.Setenv("DISPLAY", ":99")
	if o := run(t, RequireDisplay); o.failed != "" || o.skipped != "" {
		t.Fatalf("a display was set, got skipped=%q failed=%q", o.skipped, o.failed)
	}
}

// Under scripts/session.sh (as `make test` runs) the keychain is there, so
// in CI this must pass without skipping: the real probe accepts a real
// Secret Service.
func TestRequireKeychainAcceptsTheSessionKeychain(t *testing.T) {
	RequireKeychain(t)
	if err := probeKeychain(10 * time.Second); err != nil {
		t.Fatalf("the probe rejected a keychain RequireKeychain accepted: %v", err)
	}
}

func TestClockMovesOnlyWhenMoved(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	c := NewClock(at)
	if got := c.Now(); !got.Equal(at) {
		t.Fatalf("Now = %v, want %v", got, at)
	}
	c.Add(90 * time.Minute)
	c.Add(-30 * time.Minute)
	if got, want := c.Now(), at.Add(time.Hour); !got.Equal(want) {
		t.Fatalf("Now = %v, want %v", got, want)
	}
}

func TestReadLinesWaitsForTheEnd(t *testing.T) {
	r, w := io.Pipe()
	wait := ReadLines(r)
	go func() {
		_, _ = io.WriteString(w, "one\ntwo\n")
		_, _ = io.WriteString(w, "three")
		_ = w.Close()
	}()
	if got := wait(); !slices.Equal(got, []string{"one", "two", "three"}) {
		t.Fatalf("lines %q", got)
	}
}
