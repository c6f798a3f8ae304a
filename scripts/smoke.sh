#!/usr/bin/env bash
# Short, bounded runs of the release-day load harness and of the fault harness (kill -9
# during uploads and decisions, backup during load and restore): each checks that nothing
# fails and every acknowledged upload is stored exactly once. Then the scale benchmark at
# 50 reports × 200 checks (every page and the status API answer without errors over a
# back-dated history; speed is not judged), and on PostgreSQL with the query-plan review of
# `scripts/explain-pages.sh` over it. The full runs, with their speed targets, are
# `scripts/load.sh`, `scripts/faults.sh` and `scripts/bench-scale.sh`; see docs/RELIABILITY.md
# and docs/BENCHMARKS.md.
#
#   scripts/smoke.sh            on the release build (built first unless NO_BUILD=1)
#   scripts/smoke.sh --debug    on the debug build the tests made (CI: no second build;
#                               these runs judge correctness, not speed)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--debug" ]; then
  export READYBOARD_BIN=$PWD/target/debug/readyboard
  [ -x "$READYBOARD_BIN" ] || scripts/build.sh --debug >/dev/null
fi
SMOKE=1 scripts/load.sh
SMOKE=1 NO_BUILD=1 scripts/faults.sh kill backup
SCALE=smoke NO_BUILD=1 scripts/bench-scale.sh

# The query-plan review on PostgreSQL (`scripts/explain-pages.sh`) over a small kept history:
# every page answers 200 with every statement's plan logged and summarised.
pg=${PG_URL:-postgres://postgres@127.0.0.1:5432}
if ! psql "$pg/postgres" -X -q -c 'SELECT 1' >/dev/null 2>&1; then
  echo "SKIPPED: the query-plan smoke needs PostgreSQL at $pg (set PG_URL)" >&2
  exit 0
fi
scratch=$(mktemp -d)
kept=""
trap 'rm -rf "$scratch"; [ -z "$kept" ] || psql "$pg/postgres" -X -q -c "DROP DATABASE IF EXISTS \"${kept##*/}\" WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
SCALE=smoke KEEP_DB=1 NO_BUILD=1 PG_URL=$pg scripts/bench-scale.sh postgres >"$scratch/scale.out" 2>"$scratch/scale.err" ||
  { cat "$scratch/scale.out" "$scratch/scale.err" >&2; exit 1; }
kept=$(sed -n 's/^keeping the database //p' "$scratch/scale.err")
[ -n "$kept" ] || { echo "the scale smoke kept no database" >&2; exit 1; }
set +e
OUT=$scratch/plans NO_BUILD=1 scripts/explain-pages.sh "$kept" >"$scratch/explain.out" 2>"$scratch/explain.err"
rc=$?
set -e
case $rc in
  0) ;;
  3) echo "SKIPPED: the query-plan smoke cannot read the PostgreSQL server's log (set PG_LOG)" >&2; exit 0 ;;
  *) cat "$scratch/explain.err" >&2; exit 1 ;;
esac
# Every page answered 200 and plans were read.
if ! grep -E '^\| `' "$scratch/explain.out" | awk -F'|' '$3 + 0 != 200 {bad = 1} END {exit bad}'; then
  echo "a page did not answer 200 in the query-plan smoke:" >&2; cat "$scratch/explain.out" >&2; exit 1
fi
grep -q 'distinct statements' "$scratch/explain.out" && [ -s "$scratch/plans/plans.txt" ] ||
  { echo "the query-plan smoke wrote no plans" >&2; cat "$scratch/explain.out" "$scratch/explain.err" >&2; exit 1; }
echo "query-plan smoke: $(grep -c '^=== ' "$scratch/plans/plans.txt") distinct statements explained" >&2
