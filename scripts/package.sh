#!/usr/bin/env bash
# Builds Kirodesk's packages from the binaries `make build build-windows`
# wrote to build/bin, into build/pkg:
#   kirodesk_<version>_<arch>.deb            Debian 12 and derivatives
#   kirodesk-<version>-linux-<arch>.tar.gz   other Linux distributions
#   kirodesk-<version>-windows-amd64-setup.exe   NSIS installer
#   kirodesk-feed.json                       the release feed (scripts/mkfeed):
#                                            version, day, notes, each package's
#                                            URL under RELEASE_BASE_URL and SHA-256
# Usage: scripts/package.sh VERSION (make package passes the VERSION file).
# RELEASE_BASE_URL and RELEASE_PAGE_URL (make package sets both) say where
# the release's files and page will be; RELEASE_NOTES names a notes file
# (default: the commits since the previous tag).
#
# The .deb is staged and built with dpkg-deb --root-owner-group: no
# debhelper, no fakeroot. It has no maintainer scripts: the package owns
# files under /usr only and never touches a person's config folder or
# keychain, so upgrades and removal leave them alone by construction. The
# icon cache and the desktop menu are refreshed by dpkg triggers of
# hicolor-icon-theme and desktop-file-utils.
set -euo pipefail

version=${1:?usage: scripts/package.sh VERSION}
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin=build/bin
out=build/pkg
for f in kirodesk kirodesk-desktop kirodesk-tray kirodesk.exe kirodesk-desktop.exe kirodesk-tray.exe; do
	[ -f "$bin/$f" ] || { echo "package: $bin/$f is missing: run make build build-windows" >&2; exit 1; }
done
# The binaries must be the version being packaged.
for f in kirodesk kirodesk-desktop; do
	got=$("$bin/$f" --version)
	[ "$got" = "kirodesk $version" ] || { echo "package: $bin/$f says \"$got\", want \"kirodesk $version\": rebuild" >&2; exit 1; }
done

arch=$(dpkg --print-architecture)
goarch=$(go env GOARCH)
# Debian orders "1.0~rc1" before "1.0"; a "-" would start a Debian revision.
debversion=${version//-/\~}
# Files in the archives carry the last commit's time, not the build's.
mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
rm -f "$out"/kirodesk_*.deb "$out"/kirodesk-*.tar.gz "$out"/kirodesk-*-setup.exe "$out"/kirodesk-feed.json

go run ./scripts/iconset -src build/appicon.png -out "$stage/icons"

# --- .deb -------------------------------------------------------------------
# The executables live together in /usr/lib/kirodesk, because the command
# starts the desktop app from its own folder (launcher.Path) and the app
# the tray (app.TrayPath), both resolving the symlink; /usr/bin/kirodesk is
# a symlink to the command (no GUI linked; `kirodesk` alone runs the app).
deb="$stage/deb"
install -D -m 0755 "$bin/kirodesk" "$deb/usr/lib/kirodesk/kirodesk"
install -D -m 0755 "$bin/kirodesk-desktop" "$deb/usr/lib/kirodesk/kirodesk-desktop"
install -D -m 0755 "$bin/kirodesk-tray" "$deb/usr/lib/kirodesk/kirodesk-tray"
mkdir -p "$deb/usr/bin"
ln -s ../lib/kirodesk/kirodesk "$deb/usr/bin/kirodesk"
install -D -m 0644 build/linux/kirodesk.desktop "$deb/usr/share/applications/kirodesk.desktop"
mkdir -p "$deb/usr/share/icons"
cp -r "$stage/icons/hicolor" "$deb/usr/share/icons/"
find "$deb/usr" -type d -exec chmod 0755 {} +
find "$deb/usr/share" -type f -exec chmod 0644 {} +

# libc: the newest symbol version the binaries use. The other libraries are
# named by their Debian 12 packages (and bring GLib and friends).
# (kirodesk itself is static, built without cgo: objdump -T refuses it.)
glibc=$(objdump -T "$bin/kirodesk-desktop" "$bin/kirodesk-tray" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
mkdir -p "$deb/DEBIAN"
cat >"$deb/DEBIAN/control" <<EOF
Package: kirodesk
Version: $debversion
Architecture: $arch
Maintainer: Kirodesk developers
Installed-Size: $(du -sk --apparent-size "$deb/usr" | cut -f1)
Depends: libc6 (>= $glibc), libwebkit2gtk-4.1-0, libgtk-3-0, libayatana-appindicator3-1
Suggests: gnome-keyring
Section: devel
Priority: optional
Description: Kiro accounts as a local Anthropic- and OpenAI-compatible API
 Kirodesk is a desktop tray app that serves your Kiro accounts on
 127.0.0.1 as an Anthropic- and OpenAI-compatible API, for Claude Code and
 other clients. Tokens are kept in the desktop keychain (the Secret
 Service, e.g. gnome-keyring); "kirodesk serve" runs the proxy without a
 window.
EOF
dpkg-deb --build --root-owner-group -Zxz "$deb" "$out/kirodesk_${debversion}_${arch}.deb" >/dev/null

# --- tar.gz -----------------------------------------------------------------
name="kirodesk-$version-linux-$goarch"
tgz="$stage/$name"
install -D -m 0755 "$bin/kirodesk" "$tgz/kirodesk"
install -D -m 0755 "$bin/kirodesk-desktop" "$tgz/kirodesk-desktop"
install -D -m 0755 "$bin/kirodesk-tray" "$tgz/kirodesk-tray"
install -D -m 0644 build/linux/kirodesk.desktop "$tgz/share/applications/kirodesk.desktop"
mkdir -p "$tgz/share/icons"
cp -r "$stage/icons/hicolor" "$tgz/share/icons/"
install -D -m 0755 build/linux/install.sh "$tgz/install.sh"
install -D -m 0644 build/linux/README.txt "$tgz/README.txt"
find "$tgz" -type d -exec chmod 0755 {} +
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
	-C "$stage" -czf "$out/$name.tar.gz" "$name"

# --- Windows installer ------------------------------------------------------
# makensis wants the version resource as four numbers.
IFS=. read -r a b c _ <<<"${version%%[-+~]*}"
viversion="${a:-0}.${b:-0}.${c:-0}.0"
makensis -V2 -NOCD \
	-DVERSION="$version" -DVIVERSION="$viversion" \
	-DBINDIR="$root/$bin" -DICON="$stage/icons/kirodesk.ico" \
	-DOUTFILE="$root/$out/kirodesk-$version-windows-amd64-setup.exe" \
	build/windows/installer/kirodesk.nsi

# --- release feed -----------------------------------------------------------
# Last, over the finished files: the day is the last commit's, like the
# archives' times.
go run ./scripts/mkfeed -version "$version" -dir "$out" \
	-base "${RELEASE_BASE_URL:?RELEASE_BASE_URL is unset (make package sets it)}" \
	-page "${RELEASE_PAGE_URL:?RELEASE_PAGE_URL is unset (make package sets it)}" \
	-date "$(date -u -d "@$mtime" +%F)" -notes "${RELEASE_NOTES:-}"

ls -l "$out"
