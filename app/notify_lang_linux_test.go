package app

import (
	"context"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

// Desktop notifications speak the app's language: on a Chinese system the
// notification server receives Chinese, and after the setting changes to
// English, English.
func TestNotificationsOverDBusSpeakTheLanguage(t *testing.T) {
	privateBus(t)
	conn, err := dbus.ConnectSessionBus()
	require.NoError(t, err)
	defer conn.Close()
	srv := notificationServer{got: make(chan [2]string, 4)}
	require.NoError(t, conn.Export(srv, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"))
	reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue)
	require.NoError(t, err)
	require.Equal(t, dbus.RequestNameReplyPrimaryOwner, reply)

	a, _ := startAppIn(t, t.TempDir(), "zh_CN.UTF-8")
	a.notifier = DBusNotifier{}
	c, err := a.ready()
	require.NoError(t, err)
	needsLogin := func(label string) {
		t.Helper()
		acc, err := c.Accounts.Add(context.Background(), store.Account{Label: label, AuthMethod: store.AuthSocial}, secrets.New(`{"accessToken":"x"}`))
		require.NoError(t, err)
		require.NoError(t, c.Store.Pool.Update(context.Background(), func(p *store.Pool) error {
			p.Account(acc.ID).State = store.AccountState{Status: store.StatusLoginNeeded}
			return nil
		}))
		a.checkAccounts()
	}
	received := func() [2]string {
		t.Helper()
		select {
		case got := <-srv.got:
			return got
		case <-time.After(5 * time.Second):
			t.Fatal("the notification server received nothing")
			return [2]string{}
		}
	}

	needsLogin("工作")
	assert.Equal(t, [2]string{"Kirodesk：需要重新登录", "工作 需要重新登录：请打开 Kirodesk 的“账号”页面。"}, received())

	_, err = a.SetLanguage("en")
	require.NoError(t, err)
	needsLogin("Home")
	assert.Equal(t, [2]string{"Kirodesk: sign in again", "Home needs a new sign-in: open Kirodesk, Accounts."}, received())
}
