//go:build linux

package soak

import (
	"testing"

	"github.com/godbus/dbus/v5"
	ss "github.com/zalando/go-keyring/secret_service"
)

// keychainItems lists the names ("username" attribute) of every Secret
// Service item of service: what Kirodesk really left in the keychain,
// including chunk items and items no pool entry points to.
func keychainItems(t testing.TB, service string) []string {
	t.Helper()
	svc, err := ss.NewSecretService()
	if err != nil {
		t.Fatalf("secret service: %v", err)
	}
	coll := svc.GetLoginCollection()
	if err := svc.Unlock(coll.Path()); err != nil {
		t.Fatalf("unlock the keychain: %v", err)
	}
	paths, err := svc.SearchItems(coll, map[string]string{"service": service})
	if err != nil {
		t.Fatalf("search the keychain: %v", err)
	}
	var names []string
	for _, p := range paths {
		v, err := svc.Object("org.freedesktop.secrets", p).GetProperty("org.freedesktop.Secret.Item.Attributes")
		if err != nil {
			t.Fatalf("read item %s: %v", p, err)
		}
		attrs, _ := v.Value().(map[string]string)
		names = append(names, attrs["username"])
	}
	return names
}

// wipeKeychain deletes every item of service (test clean-up).
func wipeKeychain(t testing.TB, service string) {
	t.Helper()
	svc, err := ss.NewSecretService()
	if err != nil {
		t.Logf("secret service: %v", err)
		return
	}
	coll := svc.GetLoginCollection()
	_ = svc.Unlock(coll.Path())
	paths, err := svc.SearchItems(coll, map[string]string{"service": service})
	if err != nil {
		t.Logf("search the keychain: %v", err)
		return
	}
	for _, p := range paths {
		if err := svc.Delete(dbus.ObjectPath(p)); err != nil {
			t.Logf("delete item %s: %v", p, err)
		}
	}
}
