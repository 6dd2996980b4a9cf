#!/usr/bin/env bash
# Installs what building Kirodesk needs on Debian 12 (or a derivative), and
# with --test what its tests need too, skipping whatever is already there.
# Needs root or sudo for the system packages.
set -euo pipefail

# Wails' window (WebKitGTK 4.1: build tag webkit2_41); the tray
# (getlantern/systray on ayatana-appindicator); a real Secret Service for the
# keychain tests; a display for the desktop tests; makensis for the Windows
# installer (make package) and 7z to look inside it (make test-package);
# objdump (binutils) reads the libc version the .deb depends on; git gives
# make package's release notes (scripts/mkfeed reads the log since the last tag).
# internal/provenance fails when a program the project runs comes from no
# package listed here (nor Debian's essential set).
packages=(
	libgtk-3-dev libwebkit2gtk-4.1-dev
	libayatana-appindicator3-dev
	gnome-keyring dbus dbus-x11
	xvfb
	pkg-config gcc binutils git
	desktop-file-utils
	nsis p7zip-full
)
# The browser the end-to-end tests drive (playwright-core, make test-e2e), and
# a Chinese font for it: without one the zh-CN screenshots show empty boxes
# and the check for clipped text measures boxes, not the glyphs people see;
# curl runs the commands the window copies (not on a fresh Debian).
[ "${1:-}" = "--test" ] && packages+=(chromium fonts-wqy-microhei curl)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v go >/dev/null || { echo "deps: Go 1.26 or newer is needed (https://go.dev/dl/)" >&2; exit 1; }
command -v npm >/dev/null || { echo "deps: Node.js 20 and npm are needed" >&2; exit 1; }

# npm packages from committed lock files, reinstalled when a lock changes:
# the frontend, and for tests the real coding agents as clients (Claude Code,
# Codex, Cline, opencode: large downloads that `make run` does not need).
root="$(cd "$(dirname "$0")/.." && pwd)"
dirs=("$root/frontend")
[ "${1:-}" = "--test" ] && dirs+=("$root/test/claudecode" "$root/test/codex" "$root/test/cline" "$root/test/opencode")
for dir in "${dirs[@]}"; do
	if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
		case "$dir" in
		# npm ci refuses these locks: they lack the optional binary packages
		# for other systems, which the registry here does not serve. npm
		# install --no-save installs the same locked versions, the lock intact.
		*/test/cline | */test/opencode) (cd "$dir" && npm install --no-save --no-audit --no-fund --loglevel=error) ;;
		*) (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) ;;
		esac
	fi
done
