//go:build linux

package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"kirodesk/app/internal/shelltest"
	"kirodesk/app/trayproto"
)

// The real kirodesk-tray in Chinese, read over com.canonical.dbusmenu as a
// desktop shell reads it: a Chinese system gets a Chinese menu before the
// app has said anything, the app's language wins once it names one, and a
// change of language relabels the menu live, check marks kept.
func TestTrayOverDBusSpeaksTheLanguageAndSwitchesLive(t *testing.T) {
	tr := startTray(t,
		// The system's language, read by the tray itself (locale.System).
		// The zh_CN locale need not be installed: only the name is read.
		"LC_ALL=", "LC_MESSAGES=zh_CN.UTF-8", "LANG=C.UTF-8",
	)

	dm := tr.w.MenuOf(t, 15*time.Second)
	items := dm.WaitFor(t, "starting menu in Chinese", func(items []shelltest.Entry) bool {
		return len(items) == 8 && items[0].Label == "Kirodesk 正在启动…"
	})
	assert.Equal(t, []string{"Kirodesk 正在启动…", "开启代理", "复制接口地址", "-", "打开 Kirodesk", "开机自动启动", "-", "退出"},
		shelltest.Labels(items))

	on := trayproto.State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", StartAtLogin: true, Language: "zh-CN",
		Accounts: []trayproto.Account{{Label: "Work", State: "ready", Quota: "已用 40%"}},
		Today:    &trayproto.Today{Requests: 3}}
	tr.send(t, on)
	items = dm.WaitFor(t, "Chinese menu with a state", func(items []shelltest.Entry) bool {
		return len(items) == 10 && items[0].Label == "代理已开启 — 127.0.0.1:8990" && items[3].ToggleState == 1
	})
	assert.Equal(t, []string{"代理已开启 — 127.0.0.1:8990", "今天：3 次请求", "Work — 可用，已用 40%",
		"开启代理", "复制接口地址", "-", "打开 Kirodesk", "开机自动启动", "-", "退出"}, shelltest.Labels(items))

	// The setting changes to English: the same menu, relabelled in place.
	on.Language = "en"
	on.Accounts[0].Quota = "40% used"
	tr.send(t, on)
	items = dm.WaitFor(t, "switched to English", func(items []shelltest.Entry) bool {
		return len(items) == 10 && items[3].Label == "Proxy on" && items[9].Label == "Quit"
	})
	assert.Equal(t, []string{"Proxy on — 127.0.0.1:8990", "Today: 3 requests", "Work — ready, 40% used",
		"Proxy on", "Copy endpoint", "-", "Open Kirodesk", "Start at login", "-", "Quit"}, shelltest.Labels(items))
	assert.Equal(t, int32(1), items[3].ToggleState, "the check marks survive the relabel")
	assert.Equal(t, int32(1), items[7].ToggleState)

	// And back.
	on.Language = "zh-CN"
	tr.send(t, on)
	dm.WaitFor(t, "back to Chinese", func(items []shelltest.Entry) bool {
		return len(items) == 10 && items[3].Label == "开启代理" && items[9].Label == "退出"
	})

	tr.closeInput(t)
}
