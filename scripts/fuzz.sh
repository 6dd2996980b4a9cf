#!/usr/bin/env bash
# Runs every Go fuzz target under internal/ for a bounded time each
# (FUZZTIME, default 5s), one at a time: `go test -fuzz` takes one target
# per run. Each run starts from the target's seed corpus (f.Add and
# testdata/fuzz/<Target>/); a failing input is written there by go test, so
# commit it as a regression case once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-5s}
start=$(date +%s)
n=0
while IFS=: read -r file fn; do
	pkg=./$(dirname "$file")
	fn=${fn#func }
	echo "fuzz: $fn in $pkg for $FUZZTIME"
	"$GO" test -run '^$' -fuzz "^${fn}\$" -fuzztime "$FUZZTIME" "$pkg" 2>&1 | grep -vE '^fuzz: elapsed: [0-9]+s, execs' || { echo "fuzz: $fn FAILED"; exit 1; }
	n=$((n + 1))
done < <(grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' internal | sort)
echo "fuzz: $n targets in $(( $(date +%s) - start ))s"
