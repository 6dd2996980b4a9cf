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
	# Xvfb picks a free display itself and writes its number once it
	# listens: two sessions started at once (make test's two lanes) cannot
	# take the same one.
	Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$scratch/display" >/dev/null 2>&1 &
	xvfb_pid=$!
	for _ in $(seq 100); do [ -s "$scratch/display" ] && break; sleep 0.1; done
	export DISPLAY=":$(cat "$scratch/display")"
fi

"$@"
