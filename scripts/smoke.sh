#!/usr/bin/env bash
# Short, bounded runs of the release-day load harness and of the fault harness (kill -9
# during uploads and decisions, backup during load and restore): each checks that nothing
# fails and every acknowledged upload is stored exactly once. Then the scale benchmark at
# 50 reports × 200 checks (every page and the status API answer without errors over a
# back-dated history; speed is not judged). The full runs, with their speed targets, are
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
