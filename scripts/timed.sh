#!/usr/bin/env bash
# Runs a command and, during `make test` (which starts the file
# build/suite-times.txt), appends how long it took there; scripts/summary.sh
# prints the file at the end. The command's exit status is kept.
# Usage: scripts/timed.sh NAME COMMAND [ARGS...]
set -uo pipefail
name=$1
shift
times="$(cd "$(dirname "$0")/.." && pwd)/build/suite-times.txt"
start=$(date +%s)
"$@"
status=$?
if [ -f "$times" ]; then
	printf '%-16s %4ds%s\n' "$name" "$(($(date +%s) - start))" "$([ $status -eq 0 ] || echo ' (failed)')" >>"$times"
fi
exit $status
