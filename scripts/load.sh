#!/usr/bin/env bash
# Release-day load: logged-in readers on every page kind, status polling and concurrent CI
# uploads against one release server, on loopback, bounded in time.
#
#   scripts/load.sh                      1,000 readers + 20 uploaders, 60 s, SQLite
#   BACKEND=postgres scripts/load.sh     the same on a throwaway PostgreSQL database
#   BACKEND=both scripts/load.sh         both, one after the other
#   SMOKE=1 scripts/load.sh              ~10 s, 50 readers, 2 uploaders (for CI)
#
# Settings (environment): DURATION (s, with uploaders; default 60), BASELINE (s, the same
# readers without uploaders first; default DURATION/2), READERS (connections, split evenly
# over overview, scorecard, report and trends pages; default 1000), KINDS (which of
# "overview scorecard report trends status" to load; default all), POLLERS (connections on
# the status gate; default 100), UPLOADERS (default 20), CASES (per upload; default 2000),
# HISTORY (reports stored before the run; default 200), PG_URL (server to create the
# throwaway database on; default postgres://postgres@127.0.0.1:5432), NO_BUILD=1 (use the
# existing target/release/readyboard), READYBOARD_BIN (run another binary, e.g. a debug build).
#
# Readers log in through the /login form and send the session cookie; the scorecard is
# requested with `Cache-Control: no-cache` (rendered afresh every time). Every page kind is
# measured first without uploaders, then with them, on the same server. Each uploader sends
# distinct 2,000-case JUnit reports with an Idempotency-Key, and re-sends every fifth one
# (expecting 200). Afterwards every acknowledged upload must be stored exactly once.
#
# Exit status: 0 when every target is met, 1 when one is missed, 2 on a harness failure.
# Targets: zero errors (non-2xx answers, socket errors, failed uploads); every 201 stored
# exactly once; scorecard p99 ≤ 250 ms with uploaders; each page kind's throughput with
# uploaders ≥ 0.5 × without.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${SMOKE:-0}" = 1 ]; then
  : "${DURATION:=10}" "${READERS:=50}" "${UPLOADERS:=2}" "${POLLERS:=10}" "${HISTORY:=20}" "${BASELINE:=5}"
  # A smoke run is too short and too small to judge speed: it checks that nothing fails
  # and every acknowledged upload is stored once; the figures are printed all the same.
  : "${SPEED_TARGETS:=0}"
fi
export SPEED_TARGETS=${SPEED_TARGETS:-1}
DURATION=${DURATION:-60}
BASELINE=${BASELINE:-$((DURATION / 2))}
READERS=${READERS:-1000}
POLLERS=${POLLERS:-100}
UPLOADERS=${UPLOADERS:-20}
CASES=${CASES:-2000}
HISTORY=${HISTORY:-200}
BACKEND=${BACKEND:-sqlite}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
SCORECARD_P99_MS=250
RATIO_MIN=0.5

# shellcheck source=scripts/harness-lib.sh
. scripts/harness-lib.sh
harness_setup
pg_db=""
bg_pids=()
cleanup() {
  touch "$work/stop" 2>/dev/null || true
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$work"/*.pid; do [ -e "$f" ] && stop_server "$(basename "$f" .pid)"; done
  if [ -n "$pg_db" ]; then
    psql "$PG_URL/postgres" -X -q -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ -n "${KEEP_LOGS:-}" ]; then mkdir -p "$KEEP_LOGS"; cp "$work"/*.log "$KEEP_LOGS"/ 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# The wrk script: counts answers outside 2xx (wrk itself counts only ≥ 400) and prints one
# JSON line with the figures.
cat >"$work/count.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; last_bad = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1; last_bad = status end
end
function done(summary, latency, requests)
  local b, lb = 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
    if t:get("last_bad") ~= 0 then lb = t:get("last_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"non2xx":%d,"last_non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, b, lb, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
LUA

echo "machine: $(nproc) vCPU, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m); date: $(date -u +%F)"
echo "settings: readers $READERS + status pollers $POLLERS connections, $UPLOADERS uploaders of $CASES-case reports; ${BASELINE} s without uploaders, then ${DURATION} s with; history $HISTORY reports"

echo "generating reports…" >&2
for s in $(seq 0 9); do python3 scripts/gen-junit.py --tests "$CASES" --seed "$((700 + s))" --out "$work/base-$s.xml"; done

overall=0

# run_backend sqlite|postgres
run_backend() {
  local backend=$1 url port base token cookie rid
  rm -f "$work/stop" "$work"/up-*.log "$work"/wrk-*.out
  case "$backend" in
    sqlite) url="sqlite://$work/load.db" ;;
    postgres)
      pg_db="readyboard_load_$$"
      psql "$PG_URL/postgres" -X -q -c "CREATE DATABASE \"$pg_db\"" >/dev/null
      url="$PG_URL/$pg_db" ;;
  esac
  export READYBOARD_DATABASE_URL="$url"
  "$bin" migrate >/dev/null
  token=$("$bin" token create --project load --name load | tail -n 1)
  READYBOARD_PASSWORD=load-password-1 "$bin" user add reader --role viewer >/dev/null
  port=$(free_port)
  base="http://127.0.0.1:$port"
  start_server "server-$backend" "$url" "$port"

  echo "[$backend] storing a history of $HISTORY reports…" >&2
  local i s
  for i in $(seq 1 "$HISTORY"); do
    s=$((i % 10))
    { cat "$work/base-$s.xml"; echo "<!-- history $i -->"; } | curl -fsS -o /dev/null -H "Authorization: Bearer $token" \
      --data-binary @- "$base/api/v1/reports?project=load&phase=release&suite=history-$s"
  done
  rid=$(dbq "$url" "SELECT max(id) FROM reports")
  cookie=$(login "$base" reader load-password-1)
  [ -n "$cookie" ] || { echo "[$backend] login failed" >&2; exit 2; }

  # Page kinds: name, path, extra header.
  local kinds
  read -r -a kinds <<<"${KINDS:-overview scorecard report trends status}"
  declare -A path hdr conns
  path[overview]="/"; path[scorecard]="/p/load/release"; path[report]="/reports/$rid"
  path[trends]="/p/load/release/trends"; path[status]="/api/v1/projects/load/phases/release/status"
  local npages=0 k
  for k in "${kinds[@]}"; do [ "$k" = status ] || npages=$((npages + 1)); done
  local per=$((READERS / (npages > 0 ? npages : 1))); [ "$per" -ge 1 ] || per=1
  for k in overview scorecard report trends; do hdr[$k]="Cookie: readyboard_session=$cookie"; conns[$k]=$per; done
  hdr[status]="Authorization: Bearer $token"; conns[status]=$POLLERS
  for k in "${kinds[@]}"; do
    local code
    code=$(curl -sS -o "$work/page.html" -w '%{http_code}' -H "${hdr[$k]}" "$base${path[$k]}")
    [ "$code" = 200 ] || { echo "[$backend] $k ${path[$k]} answered $code before the run" >&2; exit 2; }
  done

  # run_readers PHASE SECONDS: one wrk per page kind, all at once.
  run_readers() {
    local phase=$1 secs=$2 k pids=()
    for k in "${kinds[@]}"; do
      local extra=()
      [ "$k" = scorecard ] && extra=(-H "Cache-Control: no-cache")
      wrk -t1 -c"${conns[$k]}" -d"${secs}s" --timeout 30s -s "$work/count.lua" -H "${hdr[$k]}" "${extra[@]}" \
        "$base${path[$k]}" >"$work/wrk-$phase-$k.out" 2>&1 &
      pids+=($!)
    done
    bg_pids+=("${pids[@]}")
    for p in "${pids[@]}"; do wait "$p" || true; done
  }

  # uploader K: distinct reports until $work/stop exists; every fifth one is sent twice.
  uploader() {
    local k=$1 n=0 key f out
    f="$work/u$k.xml"
    while [ ! -e "$work/stop" ]; do
      n=$((n + 1)); key="load-$backend-$k-$n"
      { cat "$work/base-$(((k + n) % 10)).xml"; echo "<!-- uploader $k upload $n -->"; } >"$f"
      out=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' --max-time 120 -H "Authorization: Bearer $token" \
        -H "Idempotency-Key: $key" --data-binary "@$f" "$base/api/v1/reports?project=load&phase=release&suite=up-$k" 2>/dev/null) || true
      echo "first $key ${out:-000 0}" >>"$work/up-$k.log"
      if [ $((n % 5)) = 0 ]; then
        out=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' --max-time 120 -H "Authorization: Bearer $token" \
          -H "Idempotency-Key: $key" --data-binary "@$f" "$base/api/v1/reports?project=load&phase=release&suite=up-$k" 2>/dev/null) || true
        echo "again $key ${out:-000 0}" >>"$work/up-$k.log"
      fi
    done
  }

  echo "[$backend] readers without uploaders, ${BASELINE} s…" >&2
  run_readers base "$BASELINE"
  echo "[$backend] readers with $UPLOADERS uploaders, ${DURATION} s…" >&2
  local upids=()
  for k in $(seq 1 "$UPLOADERS"); do uploader "$k" & upids+=($!); done
  bg_pids+=("${upids[@]}")
  local t0; t0=$(now)
  run_readers load "$DURATION"
  touch "$work/stop"
  for p in "${upids[@]}"; do wait "$p" || true; done
  local upload_secs; upload_secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}')
  local rss_peak; rss_peak=$(awk '/^VmHWM/ {printf "%.0f", $2/1024}' "/proc/$(cat "$work/server-$backend.pid")/status")
  # What the database holds for the uploaders' suites: one line per stored report.
  dbq "$url" "SELECT s.name, coalesce(r.idempotency_key, '') FROM reports r JOIN suites s ON s.id = r.suite_id WHERE s.name LIKE 'up-%'" >"$work/stored.txt"
  local errors_logged
  errors_logged="$(grep -c '"level":"ERROR"' "$work/server-$backend.log" || true) ERROR lines in its log, $(grep -c 'time to acquire exceeded' "$work/server-$backend.log" || true) waits over 2 s for a database connection, $(grep -c 'slow statement' "$work/server-$backend.log" || true) slow statements"
  stop_server "server-$backend"

  set +e
  python3 - "$work" "$backend" "$SCORECARD_P99_MS" "$RATIO_MIN" "$upload_secs" "$rss_peak" "$errors_logged" \
    "$per" "$POLLERS" "${kinds[*]}" <<'PY'
import glob, json, os, sys
work, backend, p99_max, ratio_min, upload_secs, rss, errlog, per, pollers, kinds = sys.argv[1:11]
p99_max, ratio_min, upload_secs = float(p99_max), float(ratio_min), float(upload_secs)
missed = []

def wrk(phase, kind):
    text = open(f"{work}/wrk-{phase}-{kind}.out").read()
    for line in text.splitlines():
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
            r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
            r["errors"] = r["non2xx"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
            return r
    raise SystemExit(f"wrk {phase} {kind}: no result:\n{text}")

ms = lambda us: f"{us / 1000:.1f}"
rate = lambda r: f"{r:,.0f}" if r >= 10 else f"{r:.2f}"
print()
kinds = kinds.split()
pages = [k for k in kinds if k != "status"]
print(f"### {backend}: readers {int(per) * len(pages)} connections" + (f" (+ {pollers} on the status gate)" if "status" in kinds else ""))
print()
print("| page kind | conns | without uploaders: req/s | p50 ms | p99 ms | with uploaders: req/s (requests) | p50 ms | p99 ms | max ms | ratio | errors (non-2xx / socket) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for kind in kinds:
    a, b = wrk("base", kind), wrk("load", kind)
    ratio = b["rps"] / a["rps"] if a["rps"] else 0.0
    sock = lambda r: r["connect"] + r["read"] + r["write"] + r["timeout"]
    err = f'{a["non2xx"]}/{sock(a)} · {b["non2xx"]}/{sock(b)}'
    if a["last_non2xx"] or b["last_non2xx"]:
        err += f' (last status {b["last_non2xx"] or a["last_non2xx"]})'
    conns = pollers if kind == "status" else per
    label = kind + (" (no-cache)" if kind == "scorecard" else "")
    print(f'| {label} | {conns} | {rate(a["rps"])} | {ms(a["p50_us"])} | {ms(a["p99_us"])} | {rate(b["rps"])} ({b["requests"]}) | {ms(b["p50_us"])} | {ms(b["p99_us"])} | {ms(b["max_us"])} | {ratio:.2f} | {err} |')
    if a["errors"] or b["errors"]:
        missed.append(f"{kind}: {a['errors'] + b['errors']} errors")
    speed = os.environ.get("SPEED_TARGETS", "1") == "1"
    if speed and ratio < ratio_min:
        missed.append(f"{kind}: throughput with uploaders {ratio:.2f} × without (target ≥ {ratio_min})")
    if speed and kind == "scorecard" and b["p99_us"] / 1000 > p99_max:
        missed.append(f"scorecard p99 {ms(b['p99_us'])} ms with uploaders (target ≤ {p99_max:.0f} ms)")

# Uploads: every 201 must be stored exactly once.
acked, codes, times, again = [], {}, [], {}
for path in glob.glob(f"{work}/up-*.log"):
    for line in open(path):
        kind, key, code, t = line.split()
        if kind == "first":
            codes[code] = codes.get(code, 0) + 1
            times.append(float(t))
            if code == "201":
                acked.append(key)
        else:
            again[code] = again.get(code, 0) + 1
stored = [l.rstrip("\n").split("|", 1)[1] for l in open(f"{work}/stored.txt") if l.strip()]
from collections import Counter
sc = Counter(stored)
dup = sum(1 for k, n in sc.items() if n > 1)
lost = sum(1 for k in acked if sc.get(k, 0) == 0)
extra = sum(1 for k in sc if k not in set(acked))
times.sort()
pct = lambda p: times[min(len(times) - 1, int(len(times) * p))] * 1000 if times else 0
n_first = sum(codes.values())
fails = n_first - codes.get("201", 0)
again_fail = sum(n for c, n in again.items() if c != "200")
print()
print(f"uploads: {n_first} distinct in {upload_secs:.0f} s ({n_first / upload_secs:.1f}/s), answers {dict(sorted(codes.items()))}; "
      f"p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms; re-sent with the same key: {dict(sorted(again.items()))}")
print(f"stored: {len(stored)} reports for {len(acked)} × 201; lost {lost}, duplicated {dup}, stored without a 201 {extra}")
print(f"server: peak RSS {rss} MiB; {errlog}")
if fails or again_fail:
    missed.append(f"uploads: {fails} first sends and {again_fail} re-sends not answered 201/200")
if lost or dup or len(stored) != len(acked):
    missed.append(f"exactly-once: {len(acked)} acknowledged, {len(stored)} stored, {lost} lost, {dup} duplicated")
print()
if missed:
    print(f"[{backend}] TARGETS MISSED:")
    for m in missed:
        print(f"  ✗ {m}")
    sys.exit(1)
if os.environ.get("SPEED_TARGETS", "1") != "1":
    print(f"[{backend}] zero errors and exactly-once ✓ (a smoke run does not judge speed)")
    sys.exit(0)
print(f"[{backend}] every target met ✓ (zero errors, exactly-once, scorecard p99 ≤ {p99_max:.0f} ms, ratios ≥ {ratio_min})")
PY
  local rc=$?
  set -e
  [ "$rc" -le 1 ] || exit 2
  [ "$rc" = 0 ] || overall=1
  if [ "$backend" = postgres ]; then
    psql "$PG_URL/postgres" -X -q -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null 2>&1 || true
    pg_db=""
  fi
}

case "$BACKEND" in
  sqlite | postgres) run_backend "$BACKEND" ;;
  both) run_backend sqlite; run_backend postgres ;;
  *) echo "BACKEND must be sqlite, postgres or both" >&2; exit 2 ;;
esac
exit "$overall"
