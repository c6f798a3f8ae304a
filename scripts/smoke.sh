#!/usr/bin/env bash
# Short, bounded runs of the release-day load harness and of the fault harness (kill -9
# during uploads and decisions, backup during load and restore): each checks that nothing
# fails and every acknowledged upload is stored exactly once. Then the scale benchmark at
# 50 reports × 200 checks (every page and the status API answer without errors over a
# back-dated history; speed is not judged). The full runs, with their speed targets, are
# `scripts/load.sh`, `scripts/faults.sh` and `scripts/bench-scale.sh`; see docs/RELIABILITY.md
# and docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SMOKE=1 scripts/load.sh
SMOKE=1 NO_BUILD=1 scripts/faults.sh kill backup
SCALE=smoke NO_BUILD=1 scripts/bench-scale.sh
