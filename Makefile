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

frontend: deps
	cd frontend && npm run build

# The Linux desktop binary, without the Wails CLI: the frontend is built and
# embedded (main.go), and the tags select Wails' production desktop build.
# The tray is a second executable beside it (design.md, "Process model").
build: frontend
	$(GO) build -tags $(TAGS) -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/kirodesk .
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/kirodesk-tray ./app/tray

# The Windows exe cross-compiles with cgo off (Wails and systray are pure Go
# there); CI builds it so the Windows-only files keep compiling.
# Both are GUI-subsystem exes so that starting them opens no console window;
# kirodesk.exe attaches to the console of the shell that started it, for
# the command-line commands (console_windows.go).
build-windows: frontend
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -tags desktop,production -trimpath \
		-ldflags "$(LDFLAGS) -H windowsgui" -o $(BIN)/kirodesk.exe .
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath \
		-ldflags "$(LDFLAGS) -H windowsgui" -o $(BIN)/kirodesk-tray.exe ./app/tray

# The .deb, the portable tar.gz and the Windows installer, into build/pkg
# (scripts/package.sh says what each holds).
package: build build-windows
	scripts/package.sh $(VERSION)

run: build
	$(BIN)/kirodesk

# The proxy alone, no window: handy on a server or over SSH.
serve: build
	$(BIN)/kirodesk serve

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: deps
	$(GO) vet ./...
	$(GO) vet -tags $(TAGS) .
	GOOS=windows CGO_ENABLED=0 $(GO) vet -tags desktop,production ./...

test: test-deps fmt-check vet test-go fuzz test-frontend test-e2e test-desktop test-package
	@scripts/summary.sh build/test-go.log build/test-frontend.json build/test-e2e.json build/test-package.log build/test-desktop.log | tee build/test-summary.txt

# Inside a private D-Bus session with a real, unlocked gnome-keyring and an
# Xvfb display (scripts/session.sh). CI=true makes desktop-dependent tests
# fail rather than skip if that session is missing.
# The full verbose log goes to build/test-go.log; the console shows all but
# the per-test RUN/PASS lines.
test-go: test-deps
	@mkdir -p build
	scripts/session.sh $(GO) test -race -count=1 -v ./... 2>&1 | tee build/test-go.log \
		| grep -vE '^\s*(=== (RUN|PAUSE|CONT|NAME)|--- PASS)' || true
	@! grep -qE '^(FAIL|panic:)' build/test-go.log

test-frontend: deps
	@mkdir -p build
	cd frontend && npm test -- --reporter=default --reporter=json --outputFile=../build/test-frontend.json

# The packages, built and then tested the way a person meets them
# (internal/packaging, build tag "packaging"). The test installs the .deb
# with dpkg, so it runs as root with CI=true (.ci/run) and is skipped, with
# a message, anywhere else; the packages are built only when it will run.
test-package: test-deps
	@mkdir -p build
	@if [ "$${CI:-}" = true ]; then $(MAKE) --no-print-directory package; fi
	scripts/session.sh $(GO) test -count=1 -v -tags packaging -run '^Test(DebianPackage|PortableArchive|WindowsInstaller)$$' ./internal/packaging 2>&1 | tee build/test-package.log \
		| grep -vE '^\s*(=== (RUN|PAUSE|CONT|NAME)|--- PASS)' || true
	@! grep -qE '^(FAIL|panic:)' build/test-package.log

# The built frontend in Debian's Chromium (playwright-core) against the real
# Go bindings and core (app/devserve: fake Kiro upstream, temporary config
# folder, the session's real keychain). Screenshots of every window, light
# and dark, at 800x600 go to build/screenshots/ (the CI artifact folder).
test-e2e: test-deps frontend
	@mkdir -p build/screenshots
	$(GO) build -o $(BIN)/kirodesk-devserve ./app/devserve
	cd frontend && KIRODESK_DEVSERVE=$(CURDIR)/$(BIN)/kirodesk-devserve ../scripts/session.sh \
		npm run test:e2e -- --reporter=default --reporter=json --outputFile=../build/test-e2e.json

# The real desktop binary under Xvfb in a D-Bus session with gnome-keyring:
# the window renders (build/screenshots/desktop-window.png), and the tray,
# driven over D-Bus as a desktop shell would, turns the port off and on and
# quits cleanly (app/desktoptest).
test-desktop: build
	@mkdir -p build/screenshots
	KIRODESK_DESKTOP_BIN=$(CURDIR)/$(BIN)/kirodesk scripts/session.sh $(GO) test -count=1 -v ./app/desktoptest 2>&1 \
		| tee build/test-desktop.log | grep -vE '^\s*(=== (RUN|PAUSE|CONT|NAME))' || true
	@grep -q '^ok' build/test-desktop.log

# Figures, not pass/fail (README, "Reading the benchmark"): what Kirodesk
# adds over calling the fake upstream directly, the release binary's cold
# start, memory and CPU, and the store's flush cost; then Go benchmarks of
# the hot paths. Inside a session for the keychain the binary needs. The
# table is also written as JSON under bench/results/.
BENCH_OUT ?= bench/results/bench-$(shell date -u +%Y%m%dT%H%M%SZ).json
bench: test-deps build
	KIRODESK_BENCH=1 KIRODESK_BENCH_BIN=$(CURDIR)/$(BIN)/kirodesk KIRODESK_BENCH_OUT=$(CURDIR)/$(BENCH_OUT) \
		scripts/session.sh $(GO) test -count=1 -timeout 15m -run TestOverheadReport -v ./internal/bench \
		| grep -vE '^(=== RUN|--- PASS|PASS$$|ok )|Failed to set fd limit'
	$(GO) test -run '^$$' -bench . -benchmem ./internal/bench ./internal/store ./internal/kiro/payload ./internal/usage

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
	FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/fuzz.sh

clean:
	rm -rf $(BIN) frontend/dist/assets frontend/dist/index.html
