//go:build linux

package desktoptest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"kirodesk/app/internal/shelltest"
	"kirodesk/internal/store"
)

// The real desktop app with "language": "zh-CN" in config.json on an
// English system: the app tells its tray process the language, and the
// tray menu a desktop shell reads is Chinese, down to Quit (退出), which
// still quits.
func TestDesktopTrayInTheConfiguredLanguage(t *testing.T) {
	bin, w := desktopShell(t)
	dir, port := configFolder(t, func(c *store.Config) { c.Language = "zh-CN" })
	// The setting, not the system, makes it Chinese.
	_, exited := startApp(t, bin, append([]string{"LC_ALL=", "LC_MESSAGES=", "LANG=C.UTF-8"}, offlineUpstream...), "--config-dir", dir, "--hidden")

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

	quitFromTray(t, menu, items, "退出", exited)
}
