#!/usr/bin/env bash
# Runs a command the way the desktop tests need it: inside a private D-Bus
# session bus with a throwaway, unlocked gnome-keyring (the real Secret
# Service, not a mock) and an X display (Xvfb when none is set).
#
# The keyring lives in a temporary XDG_DATA_HOME, so running the tests on a
# developer's machine never touches their own login keyring.
set -euo pipefail

if [ -z "${KIRODESK_SESSION:-}" ]; then
	export KIRODESK_SESSION=1
	exec dbus-run-session -- "$0" "$@"
fi

scratch=$(mktemp -d)
export XDG_DATA_HOME="$scratch/data"
mkdir -p "$XDG_DATA_HOME/keyrings"
chmod 700 "$XDG_DATA_HOME" "$XDG_DATA_HOME/keyrings"
# --unlock reads the new keyring's password from stdin and creates it
# unlocked; the daemon prints its control socket for us to export.
eval "$(printf 'kirodesk-test' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL

xvfb_pid=""
cleanup() {
	[ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
	rm -rf "$scratch"
}
trap cleanup EXIT

if [ -z "${DISPLAY:-}" ]; then
	n=99
	while [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
	Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
	xvfb_pid=$!
	export DISPLAY=":$n"
	for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
fi

"$@"
