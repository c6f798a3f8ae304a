#!/usr/bin/env bash
# Runs the hostile-input property tests (domain/tests/no_panic.rs: every parser on arbitrary
# and mutated inputs) again and again with fresh random seeds for a bounded time, and counts
# the cases run and the failures found.
#
#   scripts/fuzz-long.sh [SECONDS]     default 600
#
# The tests fix their own case count (512 per property per run) in the source, so
# PROPTEST_CASES has no effect on them; more cases come from more runs, each with a new seed.
# A failing run's output is kept in target/fuzz-failures/. proptest records a failing seed in
# domain/tests/no_panic.proptest-regressions and replays it first on every later run, so
# after a first failure every run fails the same way: read the first failure's time and the
# distinct panic locations, not the count of failing runs.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-600}
cargo test --locked --release -p readyboard-domain --test no_panic --no-run >/dev/null 2>&1
test_bin=$(cargo test --locked --release -p readyboard-domain --test no_panic --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "no_panic":
        print(m["executable"])')
props=$("$test_bin" --list 2>/dev/null | grep -c ': test$' || true)
per_run=$(grep -o 'with_cases([0-9]*)' domain/tests/no_panic.rs | head -1 | tr -dc 0-9)
proptests=$(grep -c 'never_panic' domain/tests/no_panic.rs || true)
start=$(date +%s)
runs=0 failures=0 first=""
while [ $(( $(date +%s) - start )) -lt "$budget" ]; do
  out=$("$test_bin" 2>&1) && rc=0 || rc=$?
  runs=$((runs + 1))
  if [ "$rc" != 0 ]; then
    failures=$((failures + 1))
    [ -n "$first" ] || first=$(( $(date +%s) - start ))
    mkdir -p target/fuzz-failures
    echo "$out" >"target/fuzz-failures/run-$runs.txt"
  fi
done
secs=$(( $(date +%s) - start ))
echo "hostile-input suite: $runs runs of $props tests ($proptests properties × ${per_run:-?} cases) in $secs s on $(nproc) vCPU, $(date -u +%F):"
echo "  $((runs * proptests * ${per_run:-0})) generated cases; failing runs: $failures${first:+ (first after $first s)}"
if [ "$failures" != 0 ]; then
  echo "  distinct panics:"
  cat target/fuzz-failures/run-*.txt | grep -o "panicked at [^ ]*" | sort | uniq -c | sed 's/^/   /'
  cat target/fuzz-failures/run-*.txt | grep -E "minimal failing input|^Test failed" | sort -u | sed 's/^/    /'
fi
[ "$failures" = 0 ]
