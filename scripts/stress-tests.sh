#!/usr/bin/env bash
# Runs a compiled test binary many times, several copies at once, to find hangs and flaky
# failures that one run rarely shows (docs/RELIABILITY.md).
#   scripts/stress-tests.sh [ROUNDS] [COPIES] [TEST-TARGET]   defaults: 25 rounds, 6 copies, api
# A run longer than LIMIT seconds (default 90) counts as hung; failed runs' output is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-25}
copies=${2:-6}
target=${3:-api}
limit=${LIMIT:-90}
cargo test --locked -p readyboard-server --test "$target" --no-run 2>/dev/null
bin=$(ls -t target/debug/deps/"$target"-* | grep -v '\.d$' | head -n1)
out=$(mktemp -d)
echo "binary: $bin; $rounds rounds of $copies copies; output of failed runs in $out" >&2
runs=0 hung=0 failed=0
for round in $(seq 1 "$rounds"); do
  for i in $(seq 1 "$copies"); do
    (
      rc=0
      timeout "$limit" "$bin" -q >"$out/run-$i.log" 2>&1 || rc=$?
      echo "$rc" >"$out/run-$i.rc"
    ) &
  done
  wait
  for i in $(seq 1 "$copies"); do
    runs=$((runs + 1))
    case $(cat "$out/run-$i.rc") in
      0) ;;
      124) hung=$((hung + 1)); cp "$out/run-$i.log" "$out/hung-$runs.log" ;;
      *) failed=$((failed + 1)); cp "$out/run-$i.log" "$out/failed-$runs.log" ;;
    esac
  done
  echo "round $round: runs=$runs hung=$hung failed=$failed" >&2
done
echo "runs=$runs hung=$hung failed=$failed"
[ "$hung" -eq 0 ] && [ "$failed" -eq 0 ]
