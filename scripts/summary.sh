#!/usr/bin/env bash
# Prints one closing line for a whole `make test`: Go tests (and subtests)
# counted from the verbose log, frontend tests from Vitest's JSON report.
set -euo pipefail
golog=$1 vitest=$2
gp=$(grep -cE '^\s*--- PASS' "$golog" || true)
gf=$(grep -cE '^\s*--- FAIL' "$golog" || true)
gs=$(grep -cE '^\s*--- SKIP' "$golog" || true)
read -r vp vf vs < <(node -e '
  const r = require(process.argv[1]);
  console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests);
' "$(realpath "$vitest")")
echo "go: $gp passed, $gf failed, $gs skipped; frontend: $vp passed, $vf failed, $vs skipped"
echo "tests: $((gp + vp)) passed, $((gf + vf)) failed, $((gs + vs)) skipped"
