#!/usr/bin/env bash
# Short, bounded runs of the release-day load harness and of the fault harness (kill -9
# during uploads and decisions, backup during load and restore): each checks that nothing
# fails and every acknowledged upload is stored exactly once. The full runs, with their
# speed targets, are `scripts/load.sh` and `scripts/faults.sh`; see docs/RELIABILITY.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SMOKE=1 scripts/load.sh
SMOKE=1 NO_BUILD=1 scripts/faults.sh kill backup
