// Command devserve runs the desktop app's real bound methods and core in
// front of an ordinary browser, for end-to-end tests of the frontend
// (frontend/e2e): a temporary config folder, the fake Kiro upstream
// (internal/fakekiro) with one signed-in account, the real keychain of the
// session (scripts/session.sh), and app/webbridge serving frontend/dist.
//
// POST /__devserve/device-flow makes the next device login wait for the test
// to approve its code at the fake upstream (POST <fakeUrl>/device).
// GET /__devserve/kirodesk-feed.json is the release feed the update check
// reads: version 0.1.0, newer than devserve's 0.0.0-devserve.
//
// It prints one JSON line on stdout ({"url", "fakeUrl", "configDir"}) once
// it is ready, and shuts down cleanly (drain, flush, keychain items
// removed) on SIGINT/SIGTERM or when its stdin closes.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"kirodesk/app"
	"kirodesk/app/webbridge"
	"kirodesk/internal/accounts"
	"kirodesk/internal/apikey"
	"kirodesk/internal/autostart"
	"kirodesk/internal/core"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/logging"
	"kirodesk/internal/reset"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "devserve:", err)
		os.Exit(1)
	}
}

func run() error {
	dist := flag.String("dist", "frontend/dist", "the built frontend")
	listen := flag.String("listen", "127.0.0.1:0", "where the browser connects")
	flag.Parse()
	if _, err := os.Stat(*dist + "/index.html"); err != nil {
		return fmt.Errorf("%s/index.html is missing: run npm run build in frontend/ first", *dist)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { // the test runner closing our stdin also means stop
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	log := logging.New(os.Stderr, slog.LevelDebug)

	fake := fakekiro.New(fakekiro.Options{CheckHeaders: true})
	defer fake.Close()
	dir, err := os.MkdirTemp("", "kirodesk-devserve-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	sec := secrets.NewKeyring(core.KeychainService(dir, os.Getenv))
	// The listener comes first: the update check's feed is served on it.
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	feedURL := "http://" + ln.Addr().String() + "/__devserve/kirodesk-feed.json"
	accountIDs, err := seed(ctx, dir, sec, fake, feedURL)
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// After the app's Shutdown: every account the test added (logins
		// included) and the device-login client registrations go too.
		if r, err := reset.Begin(dir, sec); err == nil {
			if _, err := r.Run(cctx); err == nil {
				return
			}
		}
		_ = sec.Delete(cctx, apikey.Item)
		for _, id := range accountIDs {
			_ = sec.Delete(cctx, accounts.SecretKey(id))
		}
	}()
	if err != nil {
		return err
	}
	getenv := func(k string) string {
		switch k {
		case store.EnvAPIBase, store.EnvAuthBase, store.EnvOIDCBase:
			return fake.URL
		}
		return os.Getenv(k)
	}

	// A pre-release, so that the feed's 0.1.0 is a newer version to offer.
	a := app.New(app.Options{Version: devserveVersion, Logger: log,
		Autostart: autostart.Manager{ConfigHome: dir + "/xdg", Name: "kirodesk-devserve"}})
	bridge := webbridge.New(a, os.DirFS(*dist), log)
	if err := a.Startup(bridge, app.WithLogins(a, func() (*core.Core, error) {
		return core.Open(ctx, core.Options{ConfigDir: dir, Logger: log, Getenv: getenv, Secrets: sec})
	})); err != nil {
		return err
	}
	defer a.Shutdown()

	mux := http.NewServeMux()
	mux.Handle("/", bridge)
	// Test hook: the next Builder ID / IdC login waits until the test
	// approves its code at the fake's verification page (POST fakeUrl/device).
	mux.HandleFunc("POST /__devserve/device-flow", func(w http.ResponseWriter, _ *http.Request) {
		fake.EnqueueDeviceFlow(fakekiro.DeviceFlow{AwaitApproval: true})
		w.WriteHeader(http.StatusNoContent)
	})
	// Test hook: Kiro stops accepting every account's tokens (access tokens
	// expire, refresh tokens are revoked), as when a sign-in is ended
	// elsewhere; the next request finds the account needs a new sign-in.
	mux.HandleFunc("POST /__devserve/revoke", func(w http.ResponseWriter, _ *http.Request) {
		for _, fa := range fake.Accounts() {
			fake.ExpireAccessToken(fa.AccessToken)
			fake.RevokeRefreshToken(fa.RefreshToken)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	// Test hook: the next chat request fails, first on a server error (tried
	// again after a pause), then on one that is the request's (final), so
	// the request log has a failure with two tries to explain.
	mux.HandleFunc("POST /__devserve/fail-next", func(w http.ResponseWriter, _ *http.Request) {
		fake.Enqueue(fakekiro.Script{fakekiro.Status(500, `{"message":"devserve: a server error on purpose"}`)},
			fakekiro.Script{fakekiro.Status(400, fakekiro.BodyImproperlyFormed)})
		w.WriteHeader(http.StatusNoContent)
	})
	// The release feed the update check reads ("Check for updates"; the
	// daily check is off): a release newer than this build, on this machine.
	mux.HandleFunc("GET /__devserve/kirodesk-feed.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, devserveFeed)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("devserve: serve", "err", err)
			stop()
		}
	}()
	ready, _ := json.Marshal(map[string]string{"url": "http://" + ln.Addr().String(), "fakeUrl": fake.URL, "configDir": dir})
	fmt.Println(string(ready))
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx) // the event streams end with their requests
	return nil
}

// devserveVersion is the version the app reports; devserveFeed the release
// feed served to its update check (URLs relative to the feed's).
const (
	devserveVersion = "0.0.0-devserve"
	devserveFeed    = `{"version":"0.1.0","date":"2026-12-07","notes":"- The first release.\n- Update notices.",` +
		`"page":"release/v0.1.0","packages":{"deb":{"url":"kirodesk_0.1.0_amd64.deb",` +
		`"sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}}`
)

// seed writes a config with a free port and adds one account signed in at
// the fake upstream, as a person who finished a login would have.
func seed(ctx context.Context, dir string, sec secrets.Store, fake *fakekiro.Server, feedURL string) ([]string, error) {
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err == nil {
		err = st.Config.Update(ctx, func(c *store.Config) error {
			c.Port = port
			// No update check leaves this machine: the daily one is off, and
			// the button reads devserve's own feed.
			c.Updates = store.Updates{Check: false, FeedURL: feedURL}
			return nil
		})
	}
	var ids []string
	if err == nil {
		fa := fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/DEV"})
		cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthSocial,
			ProfileARN: fa.ProfileARN, ExpiresAt: time.Now().Add(time.Hour)}
		var acc store.Account
		acc, err = accounts.New(st.Pool, sec, nil).Add(ctx, store.Account{Label: "Ada (fake Kiro)", AuthMethod: store.AuthSocial,
			Provider: "Google", Region: "us-east-1"}, cr.Secret())
		if err == nil {
			ids = append(ids, acc.ID)
		}
	}
	return ids, errors.Join(err, st.Close(ctx))
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
