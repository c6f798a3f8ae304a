#!/usr/bin/env bash
# Scorecard benchmark: a phase with a history of 1,000 reports × 2,000 checks (2 million
# checks) in SQLite, then wrk on loopback against /healthz, the status endpoint, a trivial
# SSR page (/login) and the phase scorecard page, all on the same server in the same run.
#   scripts/bench-scorecard.sh [REPORTS] [CHECKS]   (defaults 1000 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
reports=${1:-1000}
checks=${2:-2000}
# shellcheck source=scripts/harness-lib.sh
. scripts/harness-lib.sh
need_wrk
scripts/build.sh >/dev/null
bin=target/release/readyboard
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

bench_db
READYBOARD_PASSWORD=bench-password-1 "$bin" user add bench --role viewer >/dev/null
port=$(free_port)
"$bin" serve --addr "127.0.0.1:$port" --log-format json >"$work/server.log" 2>&1 &
pid=$!
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.1; done
base="http://127.0.0.1:$port"

echo "generating and uploading $reports reports × $checks checks…" >&2
for s in $(seq 0 9); do python3 scripts/gen-junit.py --tests "$checks" --seed "$((500 + s))" --out "$work/base-$s.xml"; done
start=$(date +%s)
for i in $(seq 1 "$reports"); do
  s=$((i % 10))
  # A trailing comment makes every upload distinct without changing its checks.
  { cat "$work/base-$s.xml"; echo "<!-- run $i -->"; } | curl -fsS -o "$work/last.json" -H "Authorization: Bearer $token" \
    --data-binary @- "$base/api/v1/reports?project=bench&phase=history&suite=suite-$s"
done
echo "ingest of the history: $(( $(date +%s) - start )) s" >&2

curl -fsS -c "$work/cookies" -o /dev/null -d "username=bench&password=bench-password-1&next=/" "$base/login"
cookie=$(awk '$6 == "readyboard_session" {print $7}' "$work/cookies")
page="$base/p/bench/history"
curl -fsS -H "Cookie: readyboard_session=$cookie" "$page" | grep -q "How is this computed" || { echo "scorecard page did not render" >&2; exit 1; }

rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '$1 == "99%" {print $2}'; }
run() { wrk -t2 -d10s --latency "$@"; }

echo "machine: $(nproc) cores, $(uname -m); date: $(date -u +%F); history: $reports reports × $checks checks"
h=$(run -c100 "$base/healthz" | rps)
s=$(run -c100 -H "Authorization: Bearer $token" "$base/api/v1/projects/bench/phases/history/status" | rps)
echo "healthz: $h req/s; status: $s req/s; ratio $(awk -v a="$s" -v b="$h" 'BEGIN {printf "%.2f", a / b}') (target ≥ 0.3)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
t=$(run -c100 "$base/login" | rps)
# As a browser reading the dashboard: the page rendered for this user is reused while
# nothing changes (two seconds at most), with a fresh nonce per response.
c=$(run -c100 -H "Cookie: readyboard_session=$cookie" "$page" | rps)
# As a hard reload: every response rendered afresh from the memoized view.
f=$(run -c100 -H "Cookie: readyboard_session=$cookie" -H "Cache-Control: no-cache" "$page" | rps)
echo "trivial SSR page (/login): $t pages/s; scorecard: $c pages/s, ratio $(ratio "$c" "$t") (target ≥ 0.5); rendered afresh every time: $f pages/s, ratio $(ratio "$f" "$t")"
out10=$(run -c10 -H "Cookie: readyboard_session=$cookie" "$page")
echo "scorecard at 10 connections: p99 $(echo "$out10" | p99), $(echo "$out10" | rps) pages/s (target p99 ≤ 50 ms)"
out10=$(run -c10 -H "Cookie: readyboard_session=$cookie" -H "Cache-Control: no-cache" "$page")
echo "scorecard rendered afresh at 10 connections: p99 $(echo "$out10" | p99), $(echo "$out10" | rps) pages/s"

# Trends over the whole history: every chart width renders afresh (a new entity tag), so the
# Server-Timing render figure is a real render; the median of 15 is quoted.
trends="$base/p/bench/history/trends?range=all"
curl -fsS -H "Cookie: readyboard_session=$cookie" "$trends" | grep -q "Flaky checks" || { echo "trends page did not render" >&2; exit 1; }
api="$base/api/v1/projects/bench/phases/history/trends"
for chart in "score.svg?range=all" "categories.svg?range=all" "blockers.svg?range=all" "suite.svg?range=all&suite=suite-0"; do
  times=()
  for i in $(seq 1 15); do
    hdr=$(curl -fsS -D - -o "$work/chart.svg" -H "Authorization: Bearer $token" "$api/$chart&width=$((800 + i))")
    times+=("$(echo "$hdr" | tr -d '\r' | awk -F'dur=' 'tolower($0) ~ /^server-timing:/ {print $2}')")
  done
  med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "chart ${chart%%\?*} ($(curl -fsS -H "Authorization: Bearer $token" "$api?range=all" | python3 -c 'import json,sys; t=json.load(sys.stdin); print(len(t["score"]))') phase runs): render median ${med} ms, $(stat -c %s "$work/chart.svg") bytes (target ≤ 20 ms, ≤ 60 KB)"
done
out10=$(run -c10 -H "Cookie: readyboard_session=$cookie" -H "Cache-Control: no-cache" "$trends")
echo "trends page rendered afresh at 10 connections: p99 $(echo "$out10" | p99), $(echo "$out10" | rps) pages/s (target p99 ≤ 100 ms)"

# The latest report of one suite (2,000 checks, compared with the suite's previous run), and
# the phase's blockers, both rendered afresh.
rid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/last.json")
report="$base/reports/$rid"
curl -fsS -H "Cookie: readyboard_session=$cookie" "$report" | grep -q "Compared with the previous run" || { echo "report page did not render" >&2; exit 1; }
out10=$(run -c10 -H "Cookie: readyboard_session=$cookie" -H "Cache-Control: no-cache" "$report")
echo "report page ($checks checks, compared with the previous run) rendered afresh at 10 connections: p99 $(echo "$out10" | p99), $(echo "$out10" | rps) pages/s (target p99 ≤ 50 ms)"
blockers="$base/p/bench/history/blockers"
out10=$(run -c10 -H "Cookie: readyboard_session=$cookie" -H "Cache-Control: no-cache" "$blockers")
echo "blockers page rendered afresh at 10 connections: p99 $(echo "$out10" | p99), $(echo "$out10" | rps) pages/s (target p99 ≤ 50 ms)"
