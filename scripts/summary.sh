#!/usr/bin/env bash
# Prints one closing line for a whole `make test`: Go tests (and subtests)
# counted from the verbose logs, frontend and browser tests from Vitest's
# JSON reports; before them, how long each part took (build/suite-times.txt,
# scripts/timed.sh). The last line stays the counts: CI reads it.
# Usage: summary.sh GO_LOG VITEST_JSON E2E_JSON [MORE_GO_LOGS...]
set -euo pipefail
golog=$1 vitest=$2 e2e=$3
shift 3
more=()
for f in "$@"; do [ -f "$f" ] && more+=("$f"); done
[ -f "$golog" ] || golog=/dev/null
gp=$(cat "$golog" "${more[@]}" | grep -cE '^\s*--- PASS' || true)
# A package that does not build runs no test: it counts as one failure.
gf=$(cat "$golog" "${more[@]}" | grep -cE '^\s*--- FAIL|^FAIL\s+\S+ \[(build|setup) failed\]' || true)
gs=$(cat "$golog" "${more[@]}" | grep -cE '^\s*--- SKIP' || true)
vitest_counts() {
	node -e '
  const r = require(process.argv[1]);
  console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests);
' "$(realpath "$1")"
}
vp=0 vf=0 vs=0 ep=0 ef=0 es=0
# A suite that did not get to run (make test failed before it) has no report.
if [ -f "$vitest" ]; then read -r vp vf vs < <(vitest_counts "$vitest"); fi
if [ -f "$e2e" ]; then read -r ep ef es < <(vitest_counts "$e2e"); fi
times="$(cd "$(dirname "$0")/.." && pwd)/build/suite-times.txt"
if [ -s "$times" ]; then
	echo "times (the two lanes run side by side):"
	sed 's/^/  /' "$times"
fi
echo "go: $gp passed, $gf failed, $gs skipped; frontend: $vp passed, $vf failed, $vs skipped; browser e2e: $ep passed, $ef failed, $es skipped"
echo "tests: $((gp + vp + ep)) passed, $((gf + vf + ef)) failed, $((gs + vs + es)) skipped"
