#!/usr/bin/env bash
# Prints one closing line for a whole `make test`: Go tests (and subtests)
# counted from the verbose logs, frontend tests from Vitest's JSON report.
# Usage: summary.sh GO_LOG VITEST_JSON [MORE_GO_LOGS...]
set -euo pipefail
golog=$1 vitest=$2
shift 2
gp=$(cat "$golog" "$@" | grep -cE '^\s*--- PASS' || true)
gf=$(cat "$golog" "$@" | grep -cE '^\s*--- FAIL' || true)
gs=$(cat "$golog" "$@" | grep -cE '^\s*--- SKIP' || true)
read -r vp vf vs < <(node -e '
  const r = require(process.argv[1]);
  console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests);
' "$(realpath "$vitest")")
echo "go: $gp passed, $gf failed, $gs skipped; frontend: $vp passed, $vf failed, $vs skipped"
echo "tests: $((gp + vp)) passed, $((gf + vf)) failed, $((gs + vs)) skipped"
