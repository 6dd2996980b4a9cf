#!/bin/sh
# Installs Kirodesk from this folder for the current user (no root):
#   ~/.local/lib/kirodesk/       kirodesk, kirodesk-desktop and kirodesk-tray
#   ~/.local/bin/kirodesk        a symlink, for the terminal
#   ~/.local/share/applications and ~/.local/share/icons: the menu entry
# PREFIX=/usr/local sh install.sh installs for everyone (as root).
# sh install.sh --uninstall removes those files again. Neither touches the
# config folder (~/.config/kirodesk) or the keychain: `kirodesk reset --all`
# removes those.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
lib="$prefix/lib/kirodesk"
apps="$prefix/share/applications"
icons="$prefix/share/icons/hicolor"

if [ "${1:-}" = "--uninstall" ]; then
	rm -f "$prefix/bin/kirodesk" "$apps/kirodesk.desktop"
	rm -rf "$lib"
	for d in "$icons"/*/apps; do rm -f "$d/kirodesk.png"; done
	echo "Kirodesk removed from $prefix (your config folder and keychain items are kept)"
	exit 0
fi

mkdir -p "$lib" "$prefix/bin" "$apps" "$prefix/share/icons"
cp "$here/kirodesk" "$here/kirodesk-desktop" "$here/kirodesk-tray" "$lib/"
chmod 0755 "$lib/kirodesk" "$lib/kirodesk-desktop" "$lib/kirodesk-tray"
ln -sf "$lib/kirodesk" "$prefix/bin/kirodesk"
# The menu may not have ~/.local/bin on its PATH: point at the file itself.
sed "s|^Exec=kirodesk|Exec=$lib/kirodesk|" "$here/share/applications/kirodesk.desktop" >"$apps/kirodesk.desktop"
cp -r "$here/share/icons/hicolor" "$prefix/share/icons/"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$apps" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true
echo "Kirodesk installed in $lib; start it from the menu or run $prefix/bin/kirodesk"
