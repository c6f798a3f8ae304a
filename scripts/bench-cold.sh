#!/usr/bin/env bash
# The first render of a page after a restart, two builds against each other on one existing
# database (SQLite file or PostgreSQL, e.g. one `KEEP_DB=… scripts/bench-scale.sh` kept):
# each round starts build A, signs in, times the page once (nothing cached in the server yet)
# and once more, stops it, then does the same with build B; A B A B… Loopback only.
#
#   scripts/bench-cold.sh BIN_A BIN_B DATABASE_URL [PAGE]
#
# PAGE defaults to /p/atlas/alpha (the scale benchmark's scorecard). Settings (environment):
# ROUNDS (default 3). The database keeps one admin account the script adds (`bench-cold`).
# Prints one line per run and the median first render of each build.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
bin_a=$1 bin_b=$2 url=$3 page=${4:-/p/atlas/alpha}
rounds=${ROUNDS:-3}

# shellcheck source=scripts/harness-lib.sh
. scripts/harness-lib.sh
bin=$bin_a
work=$(mktemp -d)
trap 'for f in "$work"/*.pid; do [ -e "$f" ] && stop_server "$(basename "$f" .pid)"; done; rm -rf "$work"' EXIT

admin_account "$url" bench-cold bench-cold-password

ms() { awk -v s="$1" 'BEGIN {printf "%.0f", s * 1000}'; }
echo "machine: $(nproc) vCPU, $(uname -m); date: $(date -u +%F); page: $page"
for r in $(seq 1 "$rounds"); do
  for label in A B; do
    if [ "$label" = A ]; then bin=$bin_a; else bin=$bin_b; fi
    port=$(free_port)
    start_server server "$url" "$port"
    cookie=$(login "http://127.0.0.1:$port" bench-cold bench-cold-password)
    [ -n "$cookie" ] || { echo "login failed" >&2; exit 2; }
    first=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' -H "Cookie: readyboard_session=$cookie" "http://127.0.0.1:$port$page")
    again=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' -H "Cookie: readyboard_session=$cookie" \
      -H "Cache-Control: no-cache" "http://127.0.0.1:$port$page")
    stop_server server
    [ "${first% *}" = 200 ] && [ "${again% *}" = 200 ] || { echo "$label: HTTP ${first% *} then ${again% *}" >&2; exit 2; }
    echo "$label round $r: first render $(ms "${first#* }") ms, then $(ms "${again#* }") ms" | tee -a "$work/runs"
  done
done
for label in A B; do
  awk -v l="$label" '$1 == l {print $6}' "$work/runs" | sort -n |
    awk -v l="$label" '{v[NR] = $1} END {printf "%s: median first render %s ms over %d runs\n", l, v[int((NR + 1) / 2)], NR}'
done
