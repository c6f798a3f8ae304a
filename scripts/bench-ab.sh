#!/usr/bin/env bash
# Two builds of readyboard against each other on one existing SQLite database (e.g. the one
# `KEEP_DB=/tmp/scale.db scripts/bench-scale.sh` leaves): each serves in turn, A B A B, and
# wrk loads each page rendered afresh (`Cache-Control: no-cache`) at 10 connections, `/login`
# first (the trivial page issue 17's scorecard ratio is taken against). The ratios of one run
# are what to quote; the machine's noise moves both alike. Loopback only.
#
#   scripts/bench-ab.sh BIN_A BIN_B DB_FILE [PROJECT/PHASE] [REPORT_ID]
#
# Settings (environment): DURATION (s per page, default 8), ROUNDS (default 2),
# CONNECTIONS (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
bin_a=$1 bin_b=$2 db=$3 place=${4:-atlas/alpha}
duration=${DURATION:-8} rounds=${ROUNDS:-2} conns=${CONNECTIONS:-10}
command -v wrk >/dev/null || { echo "bench-ab: wrk is needed (apt-get install wrk)" >&2; exit 2; }
export READYBOARD_DATABASE_URL="sqlite://$db"
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
user="bench-ab-$$"
READYBOARD_PASSWORD=bench-ab-password "$bin_a" user add "$user" --role viewer >/dev/null
report=${5:-$(python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("SELECT max(report_id) FROM check_sets").fetchone()[0])' "$db")}
pages=("/login" "/p/$place" "/reports/$report" "/p/$place/trends?range=all" "/p/$place/trends?range=90d" "/p/$place/blockers")

serve() {
  "$1" serve --addr "127.0.0.1:$port" --log-format json >"$work/server.log" 2>&1 &
  pid=$!
  until curl -fsS "$base/readyz" >/dev/null 2>&1; do sleep 0.2; done
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

echo "machine: $(nproc) cores, $(uname -m); date: $(date -u +%F); database: $(du -h "$db" | cut -f1)"
echo "| round | build | page | bytes | pages/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$rounds"); do
  for side in A B; do
    bin=$bin_a; [ "$side" = B ] && bin=$bin_b
    serve "$bin"
    curl -fsS -c "$work/cookies" -o /dev/null -d "username=$user&password=bench-ab-password&next=/" "$base/login"
    cookie=$(awk '$6 == "readyboard_session" {print $7}' "$work/cookies")
    for page in "${pages[@]}"; do
      hdr=(-H "Cookie: readyboard_session=$cookie" -H "Cache-Control: no-cache")
      size=$(curl -fsS "${hdr[@]}" "$base$page" | wc -c)
      out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency "${hdr[@]}" "$base$page")
      rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
      p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
      p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
      bad=$(echo "$out" | awk '/Non-2xx/ {print $4}')
      echo "| $round | $side | \`$page\` | $size | $rps | $p50 | $p99 | ${bad:-0} |"
    done
    stop
  done
done
