# Kirodesk. `make run` builds and starts the desktop app; `make test` runs
# every test. Both install what they need first (scripts/deps.sh).

SHELL     := bash
.SHELLFLAGS := -o pipefail -ec
GO        ?= go
TAGS      := desktop,production,webkit2_41
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
BIN       := build/bin
GOFILES    = $(shell git ls-files -co --exclude-standard '*.go')

.PHONY: all deps test-deps frontend build build-windows run serve test test-go test-frontend test-e2e test-desktop vet fmt-check bench clean

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
# The tray is a GUI-subsystem exe so that starting it opens no console window.
build-windows: frontend
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -tags desktop,production -trimpath \
		-ldflags "$(LDFLAGS)" -o $(BIN)/kirodesk.exe .
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath \
		-ldflags "$(LDFLAGS) -H windowsgui" -o $(BIN)/kirodesk-tray.exe ./app/tray

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

test: test-deps fmt-check vet test-go test-frontend test-e2e test-desktop
	@scripts/summary.sh build/test-go.log build/test-frontend.json build/test-e2e.json | tee build/test-summary.txt

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

# Figures, not pass/fail: the proxy's added latency over calling the fake
# upstream directly (internal/bench), then Go benchmarks of the hot paths.
bench: test-deps
	KIRODESK_BENCH=1 $(GO) test -count=1 -run TestOverheadReport -v ./internal/bench | grep -vE '^(=== RUN|--- PASS|PASS$$)'
	$(GO) test -run '^$$' -bench . -benchmem ./internal/bench ./internal/store ./internal/kiro/payload

clean:
	rm -rf $(BIN) frontend/dist/assets frontend/dist/index.html
