//go:build linux

package secrets

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/testenv"
)

// helperEnv marks the child process of TestNoKeychainErrors.
const helperEnv = "KIRODESK_SECRETS_NO_KEYCHAIN_HELPER"

// TestNoKeychainErrors checks the messages a person sees when there is no
// keychain. godbus keeps one session bus connection per process, so each
// situation runs in a fresh child process (this test binary, running only
// TestHelperNoKeychain) with its own D-Bus environment.
func TestNoKeychainErrors(t *testing.T) {
	cases := []struct {
		name string
		// busAddr returns the DBUS_SESSION_BUS_ADDRESS for the child; ""
		// means unset.
		busAddr func(t *testing.T) string
		want    []string
	}{
		{
			name: "NoSessionBus",
			busAddr: func(t *testing.T) string {
				if sessionBusAt(fmt.Sprintf("/run/user/%d", os.Getuid())) {
					t.Skip("this machine has a session bus at /run/user/<uid>, which godbus finds without DBUS_SESSION_BUS_ADDRESS")
				}
				return ""
			},
			want: []string{
				"no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)",
				"dbus-run-session with gnome-keyring",
			},
		},
		{
			name:    "NoSecretService",
			busAddr: privateBus,
			want:    []string{"no Secret Service on the D-Bus session bus: start gnome-keyring or KWallet"},
		},
		{
			name: "BusAddressUnreachable",
			busAddr: func(t *testing.T) string {
				return "unix:path=" + filepath.Join(t.TempDir(), "no-such-socket")
			},
			want: []string{"cannot connect to the D-Bus session bus", "dbus-run-session with gnome-keyring"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.busAddr(t)
			env := []string{helperEnv + "=1"}
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
					env = append(env, kv)
				}
			}
			if addr != "" {
				env = append(env, "DBUS_SESSION_BUS_ADDRESS="+addr)
			}

			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperNoKeychain$", "-test.count=1")
			cmd.Env = env
			start := time.Now()
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "helper failed:\n%s", out)

			results := parseHelperOutput(t, string(out))
			require.Len(t, results, 3, "helper output:\n%s", out)
			for op, r := range results {
				assert.True(t, r.unavailable, "%s: errors.Is(err, ErrUnavailable) is false for %q", op, r.msg)
				for _, w := range tc.want {
					assert.Contains(t, r.msg, w, op)
				}
			}
			// No dbus-launch, no waiting for a prompt: the answer is quick.
			assert.Less(t, time.Since(start), 20*time.Second)
		})
	}
}

// TestHelperNoKeychain is the child half of TestNoKeychainErrors. It prints
// one line per operation: "RESULT <op> <errors.Is ErrUnavailable> <message>".
func TestHelperNoKeychain(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper process for TestNoKeychainErrors")
	}
	k := NewKeyring(testService, WithTimeout(15*time.Second))
	ctx := context.Background()
	_, getErr := k.Get(ctx, "no-keychain-probe")
	setErr := k.Set(ctx, "no-keychain-probe", New("never-stored"))
	delErr := k.Delete(ctx, "no-keychain-probe")
	for _, r := range []struct {
		op  string
		err error
	}{{"get", getErr}, {"set", setErr}, {"delete", delErr}} {
		msg := "<nil>"
		if r.err != nil {
			msg = r.err.Error()
		}
		fmt.Printf("RESULT %s %t %s\n", r.op, errors.Is(r.err, ErrUnavailable), strings.ReplaceAll(msg, "\n", " "))
	}
}

type helperResult struct {
	unavailable bool
	msg         string
}

func parseHelperOutput(t *testing.T, out string) map[string]helperResult {
	t.Helper()
	results := map[string]helperResult{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "RESULT ")
		if !ok {
			continue
		}
		fields := strings.SplitN(rest, " ", 3)
		require.Len(t, fields, 3, "bad helper line %q", sc.Text())
		is, err := strconv.ParseBool(fields[1])
		require.NoError(t, err)
		results[fields[0]] = helperResult{unavailable: is, msg: fields[2]}
	}
	return results
}

// privateBus starts a D-Bus session daemon of its own with no services and
// no service directories, so org.freedesktop.secrets is neither owned nor
// activatable, and stops it when the test ends. (`dbus-daemon --session`
// would read the system's service directories, where gnome-keyring makes
// the Secret Service activatable.)
func privateBus(t *testing.T) string {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		testenv.Missing(t, "dbus-daemon is not installed: scripts/deps.sh --test installs it")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "session.conf")
	require.NoError(t, os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+filepath.Join(dir, "bus")+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600))

	out, err := exec.CommandContext(t.Context(), daemon, "--config-file="+conf, "--fork", "--print-address=1", "--print-pid=1").Output()
	require.NoError(t, err, "starting dbus-daemon")
	lines := strings.Fields(string(out))
	require.Len(t, lines, 2, "dbus-daemon printed %q", out)
	pid, err := strconv.Atoi(lines[1])
	require.NoError(t, err)
	t.Cleanup(func() {
		// The daemon forked away from us; stop exactly the one we started.
		if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Errorf("stopping dbus-daemon %d: %v", pid, err)
		}
	})
	return lines[0]
}

// sessionBusAt reports whether dir holds a session bus that godbus would
// find on its own.
func sessionBusAt(dir string) bool {
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
