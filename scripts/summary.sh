#!/usr/bin/env bash
# Prints one closing line for a whole `make test`: Go tests (and subtests)
# counted from the verbose log, frontend tests from Vitest's JSON report.
set -euo pipefail
golog=$1 vitest=$2 e2e=${3:-}
gp=$(grep -cE '^\s*--- PASS' "$golog" || true)
gf=$(grep -cE '^\s*--- FAIL' "$golog" || true)
gs=$(grep -cE '^\s*--- SKIP' "$golog" || true)
read -r vp vf vs < <(node -e '
  const r = require(process.argv[1]);
  console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests);
' "$(realpath "$vitest")")
ep=0 ef=0 es=0
if [ -n "$e2e" ]; then
	read -r ep ef es < <(node -e '
  const r = require(process.argv[1]);
  console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests);
' "$(realpath "$e2e")")
fi
echo "go: $gp passed, $gf failed, $gs skipped; frontend: $vp passed, $vf failed, $vs skipped; e2e: $ep passed, $ef failed, $es skipped"
echo "tests: $((gp + vp + ep)) passed, $((gf + vf + ef)) failed, $((gs + vs + es)) skipped"
