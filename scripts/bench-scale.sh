#!/usr/bin/env bash
# Scale benchmark (issue 17): a year of evidence — by default 5,000 reports × 2,000 checks
# (10 million checks) over 3 projects × 3 phases × 10 suites — stored through the real upload
# API of a release server while readers browse, then the pages and the status API measured
# at 10 and 100 connections, the database size per stored check, the server's RSS, and the
# upload of one 100,000-case report with readers running. Loopback only, one server.
#
#   scripts/bench-scale.sh                 SQLite, full size
#   scripts/bench-scale.sh postgres        a throwaway PostgreSQL database (created, dropped)
#   SCALE=smoke scripts/bench-scale.sh     50 × 200, 1 s per measurement (CI; < 1 minute)
#   SCALE=0.4 scripts/bench-scale.sh       2,000 × 2,000: a fraction of the reports
#
# Settings (environment): BACKEND (sqlite|postgres; or the first argument), SCALE (full,
# smoke or a factor on REPORTS), REPORTS (default 5000), CHECKS (per report, default 2000),
# WORKERS (concurrent uploaders, default 2), READERS (reader connections during the ingest,
# default 4), INGEST_LIMIT (s; the ingest stops there and the figures say how many reports
# were stored; default 2400), DURATION (s per measurement, default 10), RATIO_ROUNDS (pairs
# of /login and scorecard measured back to back for their ratio, default 5), BIG_CASES (default
# 100000), BIG_RUNS (default 3), PG_URL (default postgres://postgres@127.0.0.1:5432),
# NO_BUILD=1 (use the existing target/release/readyboard), READYBOARD_BIN (run another binary,
# e.g. a debug build), KEEP_DB=PATH (keep the SQLite file there, or the PostgreSQL database,
# for EXPLAIN afterwards), OUT=FILE (also write the table).
#
# How the history gets its dates: every report is uploaded now, and the server stamps
# `received_at` itself on arrival (the artifact's `run.finished_at` / `started_at` are kept
# as given: here back-dated along one year, which is what freshness is judged by). Pages and
# trends place reports by `received_at`, so after the ingest the harness moves each report's
# `received_at` (and the phase history, suite, phase and blocker times derived from it) to
# its run's finish time, then restarts the server so no cache holds the old times.
#
# Exit status: 0 when every target is met, 1 when one is missed (a smoke run judges no
# speed: 0 unless something failed), 2 on a harness failure.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; }
case "${1:-}" in -h | --help) usage; exit 0 ;; sqlite | postgres) BACKEND=$1 ;; "") ;; *) usage >&2; exit 2 ;; esac
BACKEND=${BACKEND:-sqlite}
SCALE=${SCALE:-full}
case "$SCALE" in
  smoke) : "${REPORTS:=50}" "${CHECKS:=200}" "${DURATION:=1}" "${RATIO_ROUNDS:=1}" "${BIG_CASES:=5000}" "${BIG_RUNS:=1}" "${READERS:=2}" ;;
  full) ;;
  *) REPORTS=${REPORTS:-$(awk -v f="$SCALE" 'BEGIN {printf "%d", 5000 * f}')} ;;
esac
REPORTS=${REPORTS:-5000}
CHECKS=${CHECKS:-2000}
WORKERS=${WORKERS:-2}
READERS=${READERS:-4}
INGEST_LIMIT=${INGEST_LIMIT:-2400}
DURATION=${DURATION:-10}
RATIO_ROUNDS=${RATIO_ROUNDS:-5}
BIG_CASES=${BIG_CASES:-100000}
BIG_RUNS=${BIG_RUNS:-3}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
SPEED=1; [ "$SCALE" = smoke ] && SPEED=0

# shellcheck source=scripts/harness-lib.sh
. scripts/harness-lib.sh
harness_setup
pg_db=""
bg_pids=()
cleanup() {
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$work"/*.pid; do [ -e "$f" ] && stop_server "$(basename "$f" .pid)"; done
  if [ -n "$pg_db" ] && [ -z "${KEEP_DB:-}" ]; then
    psql "$PG_URL/postgres" -X -q -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ -n "${KEEP_DB:-}" ] && [ "$BACKEND" = sqlite ] && [ -e "$work/scale.db" ]; then
    mv "$work/scale.db" "$KEEP_DB"; rm -f "$work/scale.db-wal" "$work/scale.db-shm"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

case "$BACKEND" in
  sqlite) url="sqlite://$work/scale.db" ;;
  postgres)
    pg_db="readyboard_scale_$$"
    psql "$PG_URL/postgres" -X -q -c "CREATE DATABASE \"$pg_db\"" >/dev/null
    url="$PG_URL/$pg_db"
    [ -n "${KEEP_DB:-}" ] && echo "keeping the database $url" >&2 ;;
  *) echo "BACKEND must be sqlite or postgres" >&2; exit 2 ;;
esac
export READYBOARD_DATABASE_URL="$url"

# dbw URL SQL: runs one statement that writes (committed).
dbw() {
  case "$1" in
    postgres*) psql "$1" -X -q -v ON_ERROR_STOP=1 -c "$2" >/dev/null ;;
    sqlite*) python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1].split("?")[0], timeout=60, isolation_level=None); c.execute(sys.argv[2])' "${1#sqlite://}" "$2" ;;
  esac
}

# One line per figure: name | value | target | met (yes, no or empty when there is no target).
results="$work/results"
: >"$results"
record() { printf '%s|%s|%s|%s\n' "$1" "$2" "$3" "$4" >>"$results"; echo "  $1: $2${3:+ (target $3)}" >&2; }
check() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == "<=") ? v <= t : v >= t; print ok ? "yes" : "no" }'; }

cat >"$work/count.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status < 200 or status > 299 then bad = bad + 1 end end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format('RESULT %d %d %d %d %d %d\n', summary.requests, summary.duration,
    b + e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
LUA

echo "machine: $(nproc) vCPU, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg); date: $(date -u +%F)"
echo "backend: $BACKEND; history: $REPORTS reports × $CHECKS checks over 3 projects × 3 phases × 10 suites; commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

"$bin" migrate >/dev/null
tokens=()
for p in atlas borealis cobalt; do tokens+=(--token "$p=$("$bin" token create --project "$p" --name scale | tail -n 1)"); done
status_token=${tokens[1]#atlas=}
READYBOARD_PASSWORD=scale-password-1 "$bin" user add reader --role viewer >/dev/null
port=$(free_port)
base="http://127.0.0.1:$port"
start_server server "$url" "$port" --max-upload-mb 256
cookie=$(login "$base" reader scale-password-1)
[ -n "$cookie" ] || { echo "login failed" >&2; exit 2; }
pid() { cat "$work/server.pid"; }
rss_mib() { awk -v k="$1" '$1 == k":" {printf "%.0f", $2 / 1024}' "/proc/$(pid)/status"; }

# --- 1. The history, stored through the upload API while readers browse -------------------
ph=/p/atlas/alpha
echo "storing the history (readers on $ph meanwhile; at most ${INGEST_LIMIT} s)…" >&2
# The first report exists before the readers start, so they can read it.
python3 scripts/bench-scale-load.py --base "$base" "${tokens[@]}" --reports 1 --checks "$CHECKS" --seed 1 >/dev/null
set +e
python3 scripts/bench-scale-load.py --base "$base" "${tokens[@]}" --reports "$REPORTS" --checks "$CHECKS" \
  --workers "$WORKERS" --time-limit "$INGEST_LIMIT" --cookie="$cookie" --readers "$READERS" \
  --reader "$ph" --reader "$ph/trends?range=90d" --reader "/reports/1" --reader "$ph/blockers" >"$work/ingest.json"
ingest_rc=$?
set -e
[ -s "$work/ingest.json" ] || { echo "the loader failed" >&2; exit 2; }
ij() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$work/ingest.json" "$1"; }
stored_checks=$(dbq "$url" "SELECT COALESCE(SUM(checks), 0) FROM check_sets")
ingest_hwm=$(rss_mib VmHWM)
record "sustained ingest with $READERS readers ($(ij reports) reports × $CHECKS checks, $WORKERS uploaders)" "$(ij summary_ingest)" "" ""
record "readers during the ingest (closed loop, rendered afresh)" "$(ij summary_readers)" "" ""
[ "$(ij stopped_at_time_limit)" = True ] && echo "NOTE: the ingest stopped at the ${INGEST_LIMIT} s limit" >&2
if [ "$ingest_rc" != 0 ]; then echo "uploads or reads failed: $(ij failures) $(ij reader_error_samples)" >&2; fi

# --- 2. Dates moved to the runs' finish times; database size --------------------------------
stop_server server
dbw "$url" "UPDATE reports SET received_at = COALESCE(finished_at, received_at) + 5000" >/dev/null
dbw "$url" "UPDATE phase_history SET at = (SELECT r.received_at FROM reports r WHERE r.id = phase_history.report_id) WHERE report_id IS NOT NULL" >/dev/null
dbw "$url" "UPDATE suites SET created_at = COALESCE((SELECT MIN(r.received_at) FROM reports r WHERE r.suite_id = suites.id), created_at)" >/dev/null
dbw "$url" "UPDATE phases SET created_at = COALESCE((SELECT MIN(r.received_at) FROM reports r WHERE r.phase_id = phases.id), created_at)" >/dev/null
dbw "$url" "UPDATE blockers SET first_seen_at = COALESCE((SELECT r.received_at FROM reports r WHERE r.id = blockers.first_report_id), first_seen_at), last_seen_at = COALESCE((SELECT r.received_at FROM reports r WHERE r.id = blockers.last_report_id), last_seen_at), resolved_at = COALESCE((SELECT r.received_at FROM reports r WHERE r.id = blockers.resolved_report_id), resolved_at)" >/dev/null
case "$BACKEND" in
  sqlite)
    python3 - "$work/scale.db" >"$work/size.txt" <<'PY'
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
total = os.path.getsize(sys.argv[1])
try:
    rows = c.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    checks = sum(n for name, n in rows if name == "check_sets")
except sqlite3.OperationalError:
    checks = 0
print(total, checks)
PY
    ;;
  postgres)
    dbw "$url" "VACUUM ANALYZE" >/dev/null
    dbq "$url" "SELECT pg_database_size(current_database()), pg_total_relation_size('check_sets')" | tr '|' ' ' >"$work/size.txt" ;;
esac
read -r db_bytes checks_bytes <"$work/size.txt"
per_check=$(awk -v a="$db_bytes" -v n="$stored_checks" 'BEGIN {printf "%.0f", a / n}')
record "database size per stored check ($stored_checks checks, $(awk -v a="$db_bytes" 'BEGIN {printf "%.2f GiB", a / 2^30}') in all)" \
  "$per_check bytes$([ "$checks_bytes" != 0 ] && awk -v a="$checks_bytes" -v n="$stored_checks" 'BEGIN {printf " (the check sets alone: %.0f)", a / n}')" \
  "≤ 80 bytes" "$(check "$per_check" '<=' 80)"

# --- 3. Cold pages after a restart, then each page at 10 and 100 connections ---------------
start_server server "$url" "$port" --max-upload-mb 256
cookie=$(login "$base" reader scale-password-1)
rid=$(dbq "$url" "SELECT max(r.id) FROM reports r JOIN suites s ON s.id = r.suite_id JOIN phases p ON p.id = r.phase_id JOIN projects j ON j.id = p.project_id WHERE j.slug = 'atlas' AND p.slug = 'alpha' AND s.name = 'unit'")
phase_reports=$(dbq "$url" "SELECT count(*) FROM reports r JOIN phases p ON p.id = r.phase_id JOIN projects j ON j.id = p.project_id WHERE j.slug = 'atlas' AND p.slug = 'alpha'")
ck="Cookie: readyboard_session=$cookie"
nc="Cache-Control: no-cache"
declare -A page=(
  [scorecard]="$ph" [report]="/reports/$rid" [trends_all]="$ph/trends?range=all" [trends_90d]="$ph/trends?range=90d"
  [blockers]="$ph/blockers"
)
cold=()
for k in scorecard report trends_all trends_90d blockers; do
  t=$(curl -sS -o "$work/page.html" -w '%{http_code} %{time_total}' --max-time 600 -H "$ck" -H "$nc" "$base${page[$k]}")
  [ "${t%% *}" = 200 ] || { echo "$k ${page[$k]} answered ${t%% *}" >&2; exit 2; }
  cold+=("$k $(awk -v s="${t##* }" 'BEGIN {printf "%.0f", s * 1000}') ms")
done
record "first render after a restart (phase of $phase_reports reports; report $rid has $CHECKS checks)" "$(IFS=';'; echo "${cold[*]}" | sed 's/;/; /g')" "" ""

# measure NAME CONNS PATH [curl-style headers…]: wrk for DURATION seconds; sets rps p50 p99 errs.
measure() {
  local name=$1 conns=$2 path=$3; shift 3
  local hdrs=() h
  for h in "$@"; do hdrs+=(-H "$h"); done
  wrk -t2 -c"$conns" -d"${DURATION}s" --timeout 30s -s "$work/count.lua" "${hdrs[@]}" "$base$path" >"$work/wrk.out" 2>&1 || true
  read -r _ n dur errs p50 p99 _ < <(grep '^RESULT' "$work/wrk.out" || echo "RESULT 0 1 1 0 0 0")
  rps=$(awk -v n="$n" -v d="$dur" 'BEGIN {printf "%.0f", n / (d / 1e6)}')
  p50=$(awk -v u="$p50" 'BEGIN {printf "%.1f", u / 1000}')
  p99=$(awk -v u="$p99" 'BEGIN {printf "%.1f", u / 1000}')
  echo "$name c$conns: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $errs" >>"$work/measure.log"
  total_errors=$(( ${total_errors:-0} + errs ))
}
fig() { echo "p50 $p50 ms, p99 $p99 ms, $rps req/s${errs:+, errors $errs}"; }

echo "measuring pages (${DURATION} s each)…" >&2
measure healthz 100 /healthz; healthz_rps=$rps
for c in 10 100; do
  measure status "$c" "/api/v1/projects/atlas/phases/alpha/status" "Authorization: Bearer $status_token"
  [ "$c" = 100 ] && status_rps=$rps
  record "status API, $c connections" "$(fig)" "" ""
  for k in scorecard report trends_all trends_90d blockers; do
    measure "$k" "$c" "${page[$k]}" "$ck" "$nc"
    target="" met=""
    if [ "$c" = 10 ]; then
      case "$k" in
        scorecard | report | blockers) target="p99 ≤ 50 ms"; met=$(check "$p99" '<=' 50) ;;
        trends_all) target="p99 ≤ 150 ms"; met=$(check "$p99" '<=' 150) ;;
      esac
    fi
    record "$k page ${page[$k]}, rendered afresh, $c connections" "$(fig)" "$target" "$met"
  done
done
r=$(awk -v a="$status_rps" -v b="$healthz_rps" 'BEGIN {printf "%.2f", a / b}')
record "status API ÷ /healthz at 100 connections ($status_rps ÷ $healthz_rps req/s)" "$r ×" "≥ 0.3 ×" "$(check "$r" '>=' 0.3)"
# The ratio from pairs measured back to back (/login, then the scorecard), RATIO_ROUNDS times:
# this machine's speed drifts by more than the ratio's margin between two measurements taken
# minutes apart, so each pair gives a ratio and the median of those is the figure.
pairs=() ratios=()
for i in $(seq 1 "$RATIO_ROUNDS"); do
  measure login 100 /login; l=$rps
  measure scorecard 100 "${page[scorecard]}" "$ck" "$nc"; s=$rps
  pairs+=("$s ÷ $l")
  ratios+=("$(awk -v a="$s" -v b="$l" 'BEGIN {printf "%.2f", a / b}')")
done
r=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
record "scorecard rendered afresh ÷ /login at 100 connections, median of $RATIO_ROUNDS pairs back to back (${ratios[*]}; pages/s $(IFS=';'; echo "${pairs[*]}" | sed 's/;/; /g'))" "$r ×" "≥ 0.5 ×" "$(check "$r" '>=' 0.5)"

# --- 4. One 100,000-case report with readers running ---------------------------------------
echo "uploading $BIG_RUNS report(s) of $BIG_CASES cases with readers running…" >&2
for i in $(seq 1 "$BIG_RUNS"); do python3 scripts/gen-junit.py --tests "$BIG_CASES" --seed "$((1700 + i))" --out "$work/big-$i.xml"; done
for k in scorecard trends_90d; do
  wrk -t1 -c5 -d600s --timeout 30s -H "$ck" -H "$nc" "$base${page[$k]}" >/dev/null 2>&1 &
  bg_pids+=($!)
done
sleep 2
big=() split=()
for i in $(seq 1 "$BIG_RUNS"); do
  t=$(curl -sS -o "$work/resp.json" -D "$work/headers.txt" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $status_token" \
    --data-binary "@$work/big-$i.xml" "$base/api/v1/reports?project=atlas&phase=alpha&suite=big")
  [ "${t%% *}" = 201 ] || { echo "big upload answered: $t $(head -c 300 "$work/resp.json")" >&2; exit 2; }
  big+=("$(awk -v s="${t##* }" 'BEGIN {printf "%.0f", s * 1000}')")
  # The server's own split (Server-Timing): reading the body, waiting for a turn, parsing
  # with compression alongside, the store's tally and the database write.
  split+=("$(tr -d '\r' <"$work/headers.txt" | awk -F': ' 'tolower($1) == "server-timing" {print $2}' | tr -d ' ')")
  # Each upload is measured on its own: while pages are read, a report's turn is followed by
  # a pause (at most 2 s) that the next report would otherwise wait out.
  sleep 2.5
done
for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
bg_pids=()
big_med=$(printf '%s\n' "${big[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
limit=1000; [ "$BACKEND" = postgres ] && limit=2000
record "upload of a $BIG_CASES-case JUnit report, time to 201, 10 readers running (median of $BIG_RUNS: ${big[*]} ms)" \
  "$big_med ms (Server-Timing: ${split[*]})" "≤ $limit ms" "$(check "$big_med" '<=' "$limit")"
record "server RSS" "$(rss_mib VmRSS) MiB now; peak $ingest_hwm MiB during the ingest, $(rss_mib VmHWM) MiB during the measurements" "" ""
slow=$(grep -c 'slow statement' "$work/server.log" || true)
record "server log" "$(grep -c '"level":"ERROR"' "$work/server.log" || true) ERROR lines, $slow slow statements, $(grep -c 'time to acquire exceeded' "$work/server.log" || true) waits for a pool connection; socket errors and non-2xx in the measurements: ${total_errors:-0}" "" ""
[ "$slow" = 0 ] || { grep 'slow statement' "$work/server.log" | cut -c1-400 | head -3 >&2 || true; }

# --- The table ----------------------------------------------------------------------------
python3 - "$results" "$SPEED" <<'PY' | tee "${OUT:-/dev/null}"
import sys
rows = [l.rstrip("\n").split("|") for l in open(sys.argv[1]) if l.strip()]
print()
print("| figure | measured | target | met |")
print("|---|---|---|---|")
for name, value, target, met in rows:
    mark = {"yes": "met ✓", "no": "**not met** ✗"}.get(met, "")
    if sys.argv[2] != "1" and met:
        mark = "(smoke: not judged)"
    print(f"| {name} | {value} | {target} | {mark} |")
PY
missed=$(awk -F'|' '$4 == "no"' "$results" | wc -l)
[ "$ingest_rc" = 0 ] || { echo "uploads or reads failed during the ingest" >&2; exit 2; }
[ "${total_errors:-0}" = 0 ] || { echo "errors in the measurements: ${total_errors}" >&2; exit 2; }
if [ "$SPEED" = 1 ] && [ "$missed" != 0 ]; then echo "$missed target(s) not met" >&2; exit 1; fi
exit 0
