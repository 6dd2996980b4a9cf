//go:build linux

package desktoptest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/app/internal/shelltest"
	"kirodesk/internal/apikey"
	"kirodesk/internal/core"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// The real desktop app with "language": "zh-CN" in config.json on an
// English system: the app tells its tray process the language, and the
// tray menu a desktop shell reads is Chinese, down to Quit (退出), which
// still quits.
func TestDesktopTrayInTheConfiguredLanguage(t *testing.T) {
	bin := os.Getenv("KIRODESK_DESKTOP_BIN")
	if bin == "" {
		t.Skip("KIRODESK_DESKTOP_BIN is unset: `make test-desktop` builds the app and runs this test")
	}
	for _, k := range []string{"DISPLAY", "DBUS_SESSION_BUS_ADDRESS"} {
		require.NotEmpty(t, os.Getenv(k), "%s is unset: run under scripts/session.sh", k)
	}
	conn, err := dbus.ConnectSessionBus()
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	w := shelltest.StartWatcher(t, conn)

	dir := t.TempDir()
	port := freePort(t)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	require.NoError(t, st.Config.Update(context.Background(), func(c *store.Config) error {
		c.Port = port
		c.Language = "zh-CN"
		return nil
	}))
	require.NoError(t, st.Close(context.Background()))
	t.Cleanup(func() {
		_ = secrets.NewKeyring(core.KeychainService(dir, os.Getenv)).Delete(context.Background(), apikey.Item)
	})

	log := &lockedBuffer{}
	cmd := exec.Command(bin, "--config-dir", dir, "--hidden")
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir(), "NO_AT_BRIDGE=1",
		"LC_ALL=", "LC_MESSAGES=", "LANG=C.UTF-8", // the setting, not the system, makes it Chinese
		store.EnvAPIBase+"=http://127.0.0.1:9", store.EnvAuthBase+"=http://127.0.0.1:9", store.EnvOIDCBase+"=http://127.0.0.1:9")
	cmd.Stdout, cmd.Stderr = log, log
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
		}
		if t.Failed() {
			t.Logf("app log:\n%s", log.String())
		}
	})

	menu := w.MenuOf(t, 30*time.Second)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	items := menu.WaitFor(t, "Chinese menu, proxy on", func(items []shelltest.Entry) bool {
		e, ok := shelltest.Find(items, "开启代理")
		return ok && e.ToggleState == 1 && len(items) > 0 && items[0].Label == "代理已开启 — "+addr
	})
	labels := strings.Join(shelltest.Labels(items), "|")
	for _, want := range []string{"开启代理", "复制接口地址", "打开 Kirodesk", "开机自动启动", "退出"} {
		assert.Contains(t, labels, want)
	}
	for _, english := range []string{"Proxy on", "Copy endpoint", "Open Kirodesk", "Start at login", "Quit"} {
		assert.NotContains(t, labels, english)
	}

	quit, ok := shelltest.Find(items, "退出")
	require.True(t, ok)
	menu.ClickQuit(t, quit.ID)
	select {
	case err := <-exited:
		require.NoError(t, err, "exit status")
	case <-time.After(30 * time.Second):
		t.Fatal("the app did not quit")
	}
}
