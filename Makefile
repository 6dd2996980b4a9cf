# Kirodesk. `make run` builds and starts the desktop app; `make test` runs
# every test. Both install what they need first (scripts/deps.sh).

SHELL     := bash
.SHELLFLAGS := -o pipefail -ec
GO        ?= go
TAGS      := desktop,production,webkit2_41
# The version has one source, the VERSION file: the binaries (--version, the
# About box) and every package name and control field take it from here.
VERSION   ?= $(shell cat VERSION)
LDFLAGS   := -s -w -X main.version=$(VERSION)
BIN       := build/bin
GOFILES    = $(shell git ls-files -co --exclude-standard '*.go')

.PHONY: all deps test-deps frontend build build-windows package run serve test test-go test-frontend test-e2e test-desktop test-package vet fmt-check bench clean soak fuzz

all: build

deps:
	@scripts/deps.sh

test-deps:
	@scripts/deps.sh --test

# The frontend and the binaries are files with their sources as
# prerequisites, so that one `make test` builds each once: the e2e tests,
# the desktop test and the packages share them.
FRONTEND_SRC = $(shell git ls-files -co --exclude-standard frontend/src frontend/wailsjs frontend/index.html \
	frontend/package.json frontend/package-lock.json frontend/vite.config.ts 'frontend/tsconfig*.json')
# What a Go binary is built from: the Go files, the modules, the version
# and the files it embeds besides the frontend (go:embed).
GODEPS = $(GOFILES) go.mod go.sum VERSION $(wildcard app/tray/icons/*.png app/tray/i18n/*.json app/i18n/*.json)

frontend: frontend/dist/index.html
frontend/dist/index.html: $(FRONTEND_SRC) | deps
	cd frontend && ../scripts/timed.sh "frontend build" npm run build

# The Linux executables, without the Wails CLI: kirodesk is the command
# (cmd/kirodesk: serve, the account commands; no GUI linked, so serve idles
# small) and starts kirodesk-desktop beside it for the window. The desktop
# app embeds the built frontend (main.go), and the tags select Wails'
# production desktop build. The tray is a third executable (design.md,
# "Process model"). Each is a file target, built once per `make test`.
# kirodesk is built without cgo, as on Windows: nothing it links needs C
# (net and os/user have Go fallbacks; the keychain is D-Bus in Go), and a
# static binary maps no libc: `serve` idles 1.6 MB smaller (20.8 -> 19.2
# MB in the bench's process cell).
build: $(BIN)/kirodesk $(BIN)/kirodesk-desktop $(BIN)/kirodesk-tray
$(BIN)/kirodesk: $(GODEPS) | deps
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $@ ./cmd/kirodesk
$(BIN)/kirodesk-desktop: frontend/dist/index.html $(GODEPS) | deps
	scripts/timed.sh "desktop build" $(GO) build -tags $(TAGS) -trimpath -ldflags "$(LDFLAGS)" -o $@ .
$(BIN)/kirodesk-tray: $(GODEPS) | deps
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $@ ./app/tray

# The Windows exes cross-compile with cgo off (Wails and systray are pure Go
# there); CI builds them so the Windows-only files keep compiling.
# All are GUI-subsystem exes so that starting them opens no console window;
# kirodesk.exe and kirodesk-desktop.exe attach to the console of the shell
# that started them, for the command-line commands (internal/winconsole).
build-windows: $(BIN)/kirodesk.exe $(BIN)/kirodesk-desktop.exe $(BIN)/kirodesk-tray.exe
$(BIN)/kirodesk.exe: $(GODEPS)
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath \
		-ldflags "$(LDFLAGS) -H windowsgui" -o $@ ./cmd/kirodesk
$(BIN)/kirodesk-desktop.exe: frontend/dist/index.html $(GODEPS)
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 scripts/timed.sh "windows build" $(GO) build -tags desktop,production -trimpath \
		-ldflags "$(LDFLAGS) -H windowsgui" -o $@ .
$(BIN)/kirodesk-tray.exe: $(GODEPS)
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath \
		-ldflags "$(LDFLAGS) -H windowsgui" -o $@ ./app/tray

# The .deb, the portable tar.gz and the Windows installer, into build/pkg
# (scripts/package.sh says what each holds), and the release feed that the
# app's update check reads (kirodesk-feed.json): each package's URL under
# RELEASE_BASE_URL, the release page, notes from RELEASE_NOTES (a file) or
# the commits since the previous tag.
RELEASE_BASE_URL ?= https://github.com/kirodesk/kirodesk/releases/download/v$(VERSION)
RELEASE_PAGE_URL ?= https://github.com/kirodesk/kirodesk/releases/tag/v$(VERSION)
RELEASE_NOTES    ?=
package: build build-windows
	RELEASE_BASE_URL=$(RELEASE_BASE_URL) RELEASE_PAGE_URL=$(RELEASE_PAGE_URL) RELEASE_NOTES=$(RELEASE_NOTES) \
		scripts/timed.sh package.sh scripts/package.sh $(VERSION)

# Through the command, as a person starts it: it runs kirodesk-desktop.
run: build
	$(BIN)/kirodesk

# The proxy alone, no window: handy on a server or over SSH. It needs only
# the command, not the frontend or the desktop app.
serve: $(BIN)/kirodesk
	$(BIN)/kirodesk serve

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: deps
	$(GO) vet ./...
	$(GO) vet -tags $(TAGS) .
	GOOS=windows CGO_ENABLED=0 $(GO) vet -tags desktop,production ./...

# After the installs and the static checks, two lanes run side by side (on
# 2 cores one suite's waits overlap another's work), each in order: the Go
# tests then the fuzzing; the frontend, browser, desktop and package suites
# with the builds they share. Each part's time goes to
# build/suite-times.txt, which the summary prints; it is printed even when
# a lane failed, and then make fails.
test:
	@mkdir -p build && rm -f build/test-*.log build/test-*.json && : >build/suite-times.txt
	@scripts/timed.sh installs $(MAKE) --no-print-directory test-deps
	@scripts/timed.sh "gofmt, vet" $(MAKE) --no-print-directory fmt-check vet
	@set +e; start=$$(date +%s); \
	scripts/timed.sh "lane: go, fuzz" $(MAKE) --no-print-directory test-go fuzz & golane=$$!; \
	scripts/timed.sh "lane: app" $(MAKE) --no-print-directory test-frontend test-e2e test-desktop test-package; app=$$?; \
	wait $$golane; gostatus=$$?; \
	echo "both lanes       $$(( $$(date +%s) - start ))s" >>build/suite-times.txt; \
	scripts/summary.sh build/test-go.log build/test-frontend.json build/test-e2e.json build/test-package.log build/test-desktop.log | tee build/test-summary.txt; \
	[ $$gostatus -eq 0 ] && [ $$app -eq 0 ]

# Inside a private D-Bus session with a real, unlocked gnome-keyring and an
# Xvfb display (scripts/session.sh). CI=true makes desktop-dependent tests
# fail rather than skip if that session is missing.
# The full verbose log goes to build/test-go.log; the console shows all but
# the per-test RUN/PASS lines. app/desktoptest is test-desktop's, with the
# built app: here it would only skip.
test-go: test-deps
	@mkdir -p build
	@$(GO) list ./... | grep -v '/app/desktoptest$$' >build/go-packages.txt
	scripts/timed.sh "go -race" scripts/session.sh $(GO) test -race -count=1 -v $$(cat build/go-packages.txt) 2>&1 | tee build/test-go.log \
		| grep -vE '^\s*(=== (RUN|PAUSE|CONT|NAME)|--- PASS)' || true
	@! grep -qE '^(FAIL|panic:)' build/test-go.log

test-frontend: deps
	@mkdir -p build
	cd frontend && ../scripts/timed.sh frontend npm test -- --reporter=default --reporter=json --outputFile=../build/test-frontend.json

# The packages, built and then tested the way a person meets them
# (internal/packaging, build tag "packaging"). The test installs the .deb
# with dpkg, so it runs as root with CI=true (.ci/run) and is skipped, with
# a message, anywhere else; the packages are built only when it will run.
test-package: test-deps
	@mkdir -p build
	@if [ "$${CI:-}" = true ]; then $(MAKE) --no-print-directory package; fi
	scripts/timed.sh packages scripts/session.sh $(GO) test -count=1 -v -tags packaging -run '^Test(DebianPackage|PortableArchive|WindowsInstaller|ReleaseFeed)$$' ./internal/packaging 2>&1 | tee build/test-package.log \
		| grep -vE '^\s*(=== (RUN|PAUSE|CONT|NAME)|--- PASS)' || true
	@! grep -qE '^(FAIL|panic:)' build/test-package.log

# The built frontend in Debian's Chromium (playwright-core) against the real
# Go bindings and core (app/devserve: fake Kiro upstream, temporary config
# folder, the session's real keychain). Screenshots of every window, light
# and dark, at 800x600 go to build/screenshots/ (the CI artifact folder).
test-e2e: test-deps frontend $(BIN)/kirodesk-devserve
	@mkdir -p build/screenshots
	cd frontend && KIRODESK_DEVSERVE=$(CURDIR)/$(BIN)/kirodesk-devserve ../scripts/timed.sh e2e ../scripts/session.sh \
		npm run test:e2e -- --reporter=default --reporter=json --outputFile=../build/test-e2e.json

$(BIN)/kirodesk-devserve: $(GODEPS)
	scripts/timed.sh "devserve build" $(GO) build -o $@ ./app/devserve

# The real desktop binary under Xvfb in a D-Bus session with gnome-keyring:
# the window renders (build/screenshots/desktop-window.png), and the tray,
# driven over D-Bus as a desktop shell would, turns the port off and on and
# quits cleanly (app/desktoptest).
test-desktop: build
	@mkdir -p build/screenshots
	KIRODESK_DESKTOP_BIN=$(CURDIR)/$(BIN)/kirodesk scripts/timed.sh desktop scripts/session.sh $(GO) test -count=1 -v ./app/desktoptest 2>&1 \
		| tee build/test-desktop.log | grep -vE '^\s*(=== (RUN|PAUSE|CONT|NAME))' || true
	@grep -q '^ok' build/test-desktop.log

# Figures, not pass/fail (README, "Reading the benchmark"): what Kirodesk
# adds over calling the fake upstream directly, the release binary's cold
# start, memory and CPU, and the store's flush cost; then Go benchmarks of
# the hot paths. Inside a session for the keychain the binary needs. The
# table is also written as JSON under bench/results/.
BENCH_OUT ?= bench/results/bench-$(shell date -u +%Y%m%dT%H%M%SZ).json
bench: test-deps build
	KIRODESK_BENCH=1 KIRODESK_BENCH_BIN=$(CURDIR)/$(BIN)/kirodesk KIRODESK_BENCH_DESKTOP_BIN=$(CURDIR)/$(BIN)/kirodesk-desktop \
		KIRODESK_BENCH_OUT=$(CURDIR)/$(BENCH_OUT) \
		scripts/session.sh $(GO) test -count=1 -timeout 15m -run TestOverheadReport -v ./internal/bench \
		| grep -vE '^(=== RUN|--- PASS|PASS$$|ok )|Failed to set fd limit'
	$(GO) test -run '^$$' -bench . -benchmem ./internal/bench ./internal/store ./internal/kiro/payload ./internal/usage ./internal/tokens

# The robustness suite at length (internal/soak): KIRODESK_SOAK_MINUTES of
# 64 clients against a real Kirodesk with injected faults, then the crash
# loop (KIRODESK_CRASH_CYCLES SIGKILLs), the bad-input table and the
# security checks, each printing its figures. `make test` runs the short
# versions (a 40 s soak, 100 kills) as part of test-go.
KIRODESK_SOAK_MINUTES ?= 10
KIRODESK_CRASH_CYCLES ?= 300
soak: test-deps
	KIRODESK_SOAK_MINUTES=$(KIRODESK_SOAK_MINUTES) KIRODESK_CRASH_CYCLES=$(KIRODESK_CRASH_CYCLES) \
		scripts/session.sh $(GO) test -count=1 -timeout 0 -v ./internal/soak | grep -vE '^\s*(=== RUN|--- PASS)'

# Every fuzz target for FUZZTIME each, from its corpus (scripts/fuzz.sh);
# `make test` runs it with the default 5 s.
FUZZTIME ?= 5s
fuzz: test-deps
	FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/timed.sh fuzz scripts/fuzz.sh

clean:
	rm -rf $(BIN) frontend/dist/assets frontend/dist/index.html build/suite-times.txt
