#!/usr/bin/env bash
# Fault harness: what readyboard does when its process, its database or its disk fails, and
# whether backups restore. Loopback only, bounded in time, release build.
#
#   scripts/faults.sh                 every case
#   scripts/faults.sh kill pg         only some cases: kill, pg, disk, backup
#   SMOKE=1 scripts/faults.sh         a short version of every case (for CI)
#
# Cases:
#   kill    kill -9 of the server during uploads and go/no-go decisions (SQLite), restart,
#           PRAGMA integrity_check, every acknowledged upload and decision stored exactly
#           once; unanswered uploads re-sent with their Idempotency-Key afterwards.
#   pg      a throwaway PostgreSQL cluster (started here, never the machine's own) stopped
#           and restarted under load: time to 503 on /readyz and uploads (≤ 1 s, with
#           Retry-After), a logged-in session not mistaken for a logout, recovery ≤ 5 s.
#           Needs root (initdb runs as the postgres user).
#   disk    SQLite on an 8 MiB tmpfs filled by uploads: a clear problem+json error (no hang,
#           no crash), nothing half-written, and recovery once space returns. Needs root.
#   backup  `readyboard backup` during uploads, restore into a fresh path, identical counts;
#           restore refused while a server holds the database.
#
# Settings: ROUNDS (kill rounds, default 8), UPLOADERS (default 4), OUTAGE (s, default 5),
# NO_BUILD=1, READYBOARD_BIN (another binary to run, e.g. a debug build). Each case prints
# PASS or FAIL with its figures; exit status 1 when any fails.
set -euo pipefail
cd "$(dirname "$0")/.."

SMOKE=${SMOKE:-0}
if [ "$SMOKE" = 1 ]; then : "${ROUNDS:=2}" "${OUTAGE:=3}" "${UPLOADERS:=2}"; fi
ROUNDS=${ROUNDS:-8}
UPLOADERS=${UPLOADERS:-4}
OUTAGE=${OUTAGE:-5}
CASES=("$@")
[ "${#CASES[@]}" -gt 0 ] || CASES=(kill pg disk backup)

# shellcheck source=scripts/harness-lib.sh
. scripts/harness-lib.sh
build_release
bin=$(harness_bin)

work=$(mktemp -d)
pgwork=""
pgbin=""
mnt=""
bg_pids=()
cleanup() {
  touch "$work/stop" 2>/dev/null || true
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$work"/*.pid; do [ -e "$f" ] && stop_server "$(basename "$f" .pid)"; done
  if [ -n "$pgwork" ] && [ -f "$pgwork/data/postmaster.pid" ]; then
    su postgres -c "$pgbin/pg_ctl -D $pgwork/data -m immediate -w stop" >/dev/null 2>&1 || true
  fi
  [ -n "$pgwork" ] && rm -rf "$pgwork"
  [ -n "$mnt" ] && umount "$mnt" 2>/dev/null || true
  if [ -n "${KEEP_LOGS:-}" ]; then mkdir -p "$KEEP_LOGS"; cp "$work"/*.log "$KEEP_LOGS"/ 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

echo "machine: $(nproc) vCPU, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m); date: $(date -u +%F)"
for s in $(seq 0 9); do python3 scripts/gen-junit.py --tests 2000 --seed "$((800 + s))" --out "$work/base-$s.xml"; done

failed=0
verdict() { # verdict CASE OK(0/1) SUMMARY
  if [ "$2" = 0 ]; then echo "PASS  $1: $3"; else echo "FAIL  $1: $3"; failed=1; fi
}

# body KEY-NUMBER: a distinct 2,000-case report (deterministic for a number).
body() { cat "$work/base-$(($1 % 10)).xml"; echo "<!-- upload $1 -->"; }

# upload_loop NAME BASE TOKEN FIRST: distinct uploads numbered FIRST, FIRST+1… until
# $work/stop exists; logs `n key code seconds` per upload to $work/NAME.log.
upload_loop() {
  local name=$1 base=$2 token=$3 n=$4 out
  while [ ! -e "$work/stop" ]; do
    body "$n" >"$work/$name.xml"
    out=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' --max-time 60 -H "Authorization: Bearer $token" \
      -H "Idempotency-Key: fault-$n" --data-binary "@$work/$name.xml" \
      "$base/api/v1/reports?project=faults&phase=release&suite=$name" 2>/dev/null) || true
    echo "$n fault-$n ${out:-000 0}" >>"$work/$name.log"
    n=$((n + 1))
    case "${out%% *}" in 000 | 5*) sleep 0.2 ;; esac
  done
}

# exactly_once URL: compares acknowledged uploads ($work/acked.txt, one key a line) with the
# reports stored under Idempotency-Key fault-*; prints "stored lost duplicated unacked".
exactly_once() {
  dbq "$1" "SELECT idempotency_key FROM reports WHERE idempotency_key LIKE 'fault-%'" >"$work/stored.txt"
  python3 - "$work/acked.txt" "$work/stored.txt" <<'PY'
import sys
from collections import Counter
acked = set(l.strip() for l in open(sys.argv[1]) if l.strip())
stored = Counter(l.strip() for l in open(sys.argv[2]) if l.strip())
lost = sum(1 for k in acked if stored[k] == 0)
dup = sum(1 for k, n in stored.items() if n > 1)
unacked = sum(1 for k in stored if k not in acked)
print(sum(stored.values()), lost, dup, unacked)
PY
}

# ---------------------------------------------------------------------------------------
case_kill() {
  echo "== kill: kill -9 during uploads and decisions, $ROUNDS rounds" >&2
  local url="sqlite://$work/kill.db" db="$work/kill.db" port base token cookie action
  export READYBOARD_DATABASE_URL="$url"
  "$bin" migrate >/dev/null
  token=$("$bin" token create --project faults --name ci | tail -n 1)
  READYBOARD_PASSWORD=approver-password-1 "$bin" user add approver --role approver >/dev/null
  port=$(free_port); base="http://127.0.0.1:$port"
  start_server kill "$url" "$port"
  body 0 | curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H "Idempotency-Key: seed-0" --data-binary @- \
    "$base/api/v1/reports?project=faults&phase=release&suite=seed"
  cookie=$(login "$base" approver approver-password-1)
  # The decision form posts to the RecordDecision server function; its path is in the page.
  action=$(curl -fsS -H "Cookie: readyboard_session=$cookie" "$base/p/faults/release" |
    grep -o 'action="/api/record_decision[^"]*"' | head -1 | sed 's/action="//; s/"$//')
  if [ -z "$action" ]; then
    echo "  (the decision form was not found on the scorecard: decisions are left out)" >&2
  fi
  : >"$work/kill-restarts.txt"
  local r n=1 integrity_bad=0 restart_ms=()
  for r in $(seq 1 "$ROUNDS"); do
    rm -f "$work/stop"
    local pids=() k
    for k in $(seq 1 "$UPLOADERS"); do
      upload_loop "up-$k" "$base" "$token" "$((r * 100000 + k * 10000))" & pids+=($!)
    done
    if [ -n "$action" ]; then
      (
        i=0
        while [ ! -e "$work/stop" ]; do
          i=$((i + 1)); rationale="Fault-round-$r-decision-$i"
          out=$(curl -sS -w '\n%{http_code}' --max-time 30 -H "Cookie: readyboard_session=$cookie" \
            -H "sec-fetch-site: same-origin" -H "Accept: application/json" \
            -d "project=faults&phase=release&decision=no_go&rationale=$rationale&conditions=&override_reason=" \
            "$base$action" 2>/dev/null) || true
          code=$(echo "$out" | tail -n 1)
          id=$(echo "$out" | grep -o 'decision #[0-9]*' | tr -dc 0-9 || true)
          echo "$rationale ${code:-000} ${id:-none}" >>"$work/decisions.log"
          case "$code" in 200) ;; *) sleep 0.2 ;; esac
        done
      ) & pids+=($!)
    fi
    bg_pids+=("${pids[@]}")
    # Let some work land, then kill the server in the middle of it.
    sleep "$(awk -v r="$RANDOM" 'BEGIN {printf "%.2f", 1 + 2 * r / 32767}')"
    stop_server kill KILL
    touch "$work/stop"
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    local ic; ic=$(sqlite_integrity "$db")
    [ "$ic" = ok ] || { integrity_bad=$((integrity_bad + 1)); echo "  round $r: integrity: $ic" >&2; }
    local t0; t0=$(now)
    start_server kill "$url" "$port"
    restart_ms+=("$(elapsed_ms "$t0")")
  done
  # A CI client re-sends what got no answer, with the same key: stored once either way.
  cat "$work"/up-*.log | awk '$3 == "201" || $3 == "200" {print $2}' >"$work/acked.txt"
  local resent=0 resent_201=0 resent_200=0 resent_bad=0 line num key code
  while read -r num key code _; do
    case "$code" in 201 | 200) continue ;; esac
    resent=$((resent + 1))
    code=$(body "$num" | curl -sS -o /dev/null -w '%{http_code}' --max-time 60 -H "Authorization: Bearer $token" \
      -H "Idempotency-Key: $key" --data-binary @- "$base/api/v1/reports?project=faults&phase=release&suite=resent" || true)
    case "$code" in 201) resent_201=$((resent_201 + 1)); echo "$key" >>"$work/acked.txt" ;;
      200) resent_200=$((resent_200 + 1)); echo "$key" >>"$work/acked.txt" ;;
      *) resent_bad=$((resent_bad + 1)) ;; esac
  done < <(cat "$work"/up-*.log)
  local first_total first_ok
  first_total=$(cat "$work"/up-*.log | wc -l)
  first_ok=$(cat "$work"/up-*.log | awk '$3 == "201" || $3 == "200"' | wc -l)
  read -r stored lost dup unacked < <(exactly_once "$url")
  local torn; torn=$(torn_reports "$url")
  # Decisions: every acknowledged one is there, once.
  local dec_ok=0 dec_acked=0 dec_stored=0 dec_missing=0 dec_unacked=0
  if [ -n "$action" ]; then
    dec_acked=$(awk '$2 == "200" && $3 != "none"' "$work/decisions.log" | wc -l)
    dbq "$url" "SELECT id, rationale FROM decisions WHERE rationale LIKE 'Fault-round-%'" >"$work/dec-stored.txt"
    dec_stored=$(wc -l <"$work/dec-stored.txt")
    dec_missing=$(awk 'NR == FNR {have[$0] = 1; next} $2 == "200" && $3 != "none" && !(($3 "|" $1) in have)' \
      "$work/dec-stored.txt" "$work/decisions.log" | wc -l)
    dec_unacked=$((dec_stored - dec_acked + dec_missing))
  fi
  local cookie_after
  cookie_after=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: readyboard_session=$cookie" "$base/p/faults/release")
  stop_server kill
  local ic_final; ic_final=$(sqlite_integrity "$db")
  local ok=0
  [ "$integrity_bad" = 0 ] && [ "$ic_final" = ok ] && [ "$lost" = 0 ] && [ "$dup" = 0 ] && [ "$unacked" = 0 ] &&
    [ "$torn" = 0 ] && [ "$resent_bad" = 0 ] && [ "$dec_missing" = 0 ] || ok=1
  verdict "kill -9 during uploads$([ -n "$action" ] && echo " and decisions")" "$ok" \
    "$ROUNDS kills; uploads answered before the kill: $first_ok of $first_total; re-sent afterwards $resent ($resent_201 × 201 not stored before, $resent_200 × 200 already stored, $resent_bad failed); stored $stored for $(sort -u "$work/acked.txt" | wc -l) acknowledged: lost $lost, duplicated $dup, unacknowledged $unacked; half-written reports $torn; integrity_check failures $integrity_bad/$ROUNDS (final: $ic_final); decisions acknowledged $dec_acked, stored $dec_stored, missing $dec_missing, stored without an answer $dec_unacked; restart to ready ${restart_ms[*]} ms; session cookie after $ROUNDS restarts: HTTP $cookie_after"
  rm -f "$work"/up-*.log "$work"/up-*.xml "$work/acked.txt"
  unset READYBOARD_DATABASE_URL
}

# ---------------------------------------------------------------------------------------
case_pg() {
  echo "== pg: PostgreSQL stopped and restarted under load (throwaway cluster)" >&2
  if [ "$(id -u)" != 0 ]; then verdict "postgres outage" 1 "needs root (initdb runs as the postgres user)"; return; fi
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$pgbin/pg_ctl" ] || { verdict "postgres outage" 1 "no PostgreSQL binaries under /usr/lib/postgresql"; return; }
  pgwork=$(mktemp -d /tmp/rb-faults-pg.XXXXXX)
  chmod 755 "$pgwork"; chown postgres "$pgwork"
  local pgport; pgport=$(free_port)
  su postgres -c "$pgbin/initdb -D $pgwork/data -A trust -U postgres" >"$work/initdb.log" 2>&1
  pgctl() { su postgres -c "$pgbin/pg_ctl -D $pgwork/data -l $pgwork/pg.log -o '-p $pgport -k $pgwork -c listen_addresses=127.0.0.1' -w $*" >/dev/null; }
  pgctl start
  psql "postgres://postgres@127.0.0.1:$pgport/postgres" -X -q -c "CREATE DATABASE rb" >/dev/null
  local url="postgres://postgres@127.0.0.1:$pgport/rb" port base token cookie
  export READYBOARD_DATABASE_URL="$url"
  "$bin" migrate >/dev/null
  token=$("$bin" token create --project faults --name ci | tail -n 1)
  READYBOARD_PASSWORD=viewer-password-1 "$bin" user add viewer --role viewer >/dev/null
  port=$(free_port); base="http://127.0.0.1:$port"
  start_server pg "$url" "$port"
  body 0 | curl -fsS -o /dev/null -H "Authorization: Bearer $token" --data-binary @- \
    "$base/api/v1/reports?project=faults&phase=release&suite=seed"
  cookie=$(login "$base" viewer viewer-password-1)
  local page="$base/p/faults/release"

  # Load for the whole case: uploaders and status polling.
  rm -f "$work/stop"
  local pids=() k
  for k in $(seq 1 "$UPLOADERS"); do upload_loop "pgup-$k" "$base" "$token" "$((k * 10000))" & pids+=($!); done
  wrk -t1 -c20 -d"$((OUTAGE * 2 + 40))s" --timeout 10s -H "Authorization: Bearer $token" \
    "$base/api/v1/projects/faults/phases/release/status" >"$work/pg-wrk.out" 2>&1 & pids+=($!)
  bg_pids+=("${pids[@]}")
  sleep 3

  local mode all_ok=0 lines=()
  for mode in fast immediate; do
    local t0 to503="" ra="" probes=0 first_ms="" up_code up_ms up_ra up_ct page_code page_loc login_loc login_code
    pgctl stop -m "$mode"
    t0=$(now)
    # /readyz until it says 503 (≤ 20 s).
    while [ "$(elapsed_ms "$t0")" -lt 20000 ]; do
      probes=$((probes + 1))
      local out; out=$(curl -sS -D "$work/h.txt" -o /dev/null -w '%{http_code} %{time_total}' --max-time 30 "$base/readyz" || true)
      [ -n "$first_ms" ] || first_ms=$(awk -v s="${out##* }" 'BEGIN {printf "%.0f", s * 1000}')
      if [ "${out%% *}" = 503 ]; then
        to503=$(elapsed_ms "$t0")
        ra=$(tr -d '\r' <"$work/h.txt" | awk -F': ' 'tolower($1) == "retry-after" {print $2}')
        break
      fi
      sleep 0.05
    done
    # An upload, the scorecard with the session cookie, and a login with the right password.
    local out
    out=$(body 1 | curl -sS -D "$work/h.txt" -o "$work/b.txt" -w '%{http_code} %{time_total}' --max-time 60 \
      -H "Authorization: Bearer $token" --data-binary @- "$base/api/v1/reports?project=faults&phase=release&suite=probe" || true)
    up_code=${out%% *}; up_ms=$(awk -v s="${out##* }" 'BEGIN {printf "%.0f", s * 1000}')
    up_ra=$(tr -d '\r' <"$work/h.txt" | awk -F': ' 'tolower($1) == "retry-after" {print $2}')
    up_ct=$(tr -d '\r' <"$work/h.txt" | awk -F': ' 'tolower($1) == "content-type" {print $2}')
    out=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url} %{time_total}' --max-time 60 -H "Cookie: readyboard_session=$cookie" "$page" || true)
    page_code=$(echo "$out" | awk '{print $1}'); page_loc=$(echo "$out" | awk 'NF == 3 {print $2}')
    local page_ms; page_ms=$(awk -v s="$(echo "$out" | awk '{print $NF}')" 'BEGIN {printf "%.0f", s * 1000}')
    out=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 60 -d "username=viewer&password=viewer-password-1&next=/" "$base/login" || true)
    login_code=${out%% *}; login_loc=$(echo "$out" | awk '{print $2}')
    # Keep it down a while, then bring it back.
    sleep "$OUTAGE"
    pgctl start
    t0=$(now)
    local ready_ms="" up_back_ms="" page_back
    while [ "$(elapsed_ms "$t0")" -lt 30000 ]; do
      if [ -z "$ready_ms" ] && curl -fsS -o /dev/null --max-time 2 "$base/readyz" 2>/dev/null; then ready_ms=$(elapsed_ms "$t0"); fi
      if [ -z "$up_back_ms" ]; then
        local c; c=$(body "$((RANDOM + 900000))" | curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $token" \
          --data-binary @- "$base/api/v1/reports?project=faults&phase=release&suite=probe" || true)
        [ "$c" = 201 ] && up_back_ms=$(elapsed_ms "$t0")
      fi
      [ -n "$ready_ms" ] && [ -n "$up_back_ms" ] && break
      sleep 0.1
    done
    page_back=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 30 -H "Cookie: readyboard_session=$cookie" "$page" || true)
    local ok=0 why=()
    [ -n "$to503" ] && [ "$to503" -le 1000 ] || why+=("readyz 503 after ${to503:-never} ms")
    [ -n "$ra" ] || why+=("readyz without Retry-After")
    [ "$up_code" = 503 ] && [ "$up_ms" -le 1000 ] && [ -n "$up_ra" ] || why+=("upload answered $up_code in $up_ms ms (Retry-After: ${up_ra:-none})")
    case "$page_loc" in *"/login"*) why+=("the logged-in page redirected to the login form") ;; esac
    case "$login_loc" in *"error=1"*) why+=("the right password was answered as a wrong one") ;; esac
    [ -n "$ready_ms" ] && [ "$ready_ms" -le 5000 ] || why+=("readyz back after ${ready_ms:-never} ms")
    [ -n "$up_back_ms" ] && [ "$up_back_ms" -le 5000 ] || why+=("uploads back after ${up_back_ms:-never} ms")
    [ "$page_back" = 200 ] || why+=("session after recovery: HTTP $page_back")
    [ "${#why[@]}" = 0 ] || { ok=1; all_ok=1; }
    verdict "postgres stop -m $mode under load" "$ok" \
      "readyz 503 after ${to503:-never} ms (first probe took $first_ms ms, $probes probes), Retry-After ${ra:-none}; upload during the outage: $up_code in $up_ms ms, Retry-After ${up_ra:-none}, ${up_ct:-no content type}; logged-in scorecard: $page_code${page_loc:+ → $page_loc} in $page_ms ms; login with the right password: $login_code${login_loc:+ → $login_loc}; after restart: readyz 200 in ${ready_ms:-never} ms, first upload 201 in ${up_back_ms:-never} ms, same session cookie → HTTP $page_back${why:+ — ${why[*]}}"
  done
  touch "$work/stop"
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  cat "$work"/pgup-*.log | awk '$3 == "201" || $3 == "200" {print $2}' >"$work/acked.txt"
  local total codes
  total=$(cat "$work"/pgup-*.log | wc -l)
  codes=$(cat "$work"/pgup-*.log | awk '{c[$3]++} END {for (k in c) printf "%s×%s ", c[k], k}')
  read -r stored lost dup unacked < <(exactly_once "$url")
  local ok=0
  [ "$lost" = 0 ] && [ "$dup" = 0 ] || ok=1
  verdict "postgres outage: uploads exactly once" "$ok" \
    "$total uploads under load ($codes); stored $stored for $(wc -l <"$work/acked.txt") acknowledged: lost $lost, duplicated $dup, stored without a 201 $unacked; status polling: $(grep -E 'Requests/sec|Non-2xx|Socket errors' "$work/pg-wrk.out" | tr -s ' ' | tr '\n' ';')"
  stop_server pg
  pgctl stop -m fast || true
  rm -rf "$pgwork"; pgwork=""
  rm -f "$work"/pgup-*.log "$work/acked.txt"
  unset READYBOARD_DATABASE_URL
}

# ---------------------------------------------------------------------------------------
case_disk() {
  echo "== disk: SQLite on an 8 MiB tmpfs, uploads until full" >&2
  if [ "$(id -u)" != 0 ]; then verdict "disk full" 1 "needs root (mount -t tmpfs)"; return; fi
  mnt="$work/full"; mkdir -p "$mnt"
  mount -t tmpfs -o size=8m tmpfs "$mnt"
  local url="sqlite://$mnt/full.db" port base token
  export READYBOARD_DATABASE_URL="$url"
  "$bin" migrate >/dev/null
  token=$("$bin" token create --project faults --name ci | tail -n 1)
  port=$(free_port); base="http://127.0.0.1:$port"
  start_server disk "$url" "$port"
  local n created=0 first_err="" err_line="" after_err=0 max_ms=0 codes=()
  : >"$work/acked.txt"
  for n in $(seq 1 200); do
    local out code ms ct
    out=$(body "$n" | curl -sS -D "$work/h.txt" -o "$work/b.txt" -w '%{http_code} %{time_total}' --max-time 60 \
      -H "Authorization: Bearer $token" -H "Idempotency-Key: fault-$n" --data-binary @- \
      "$base/api/v1/reports?project=faults&phase=release&suite=fill" || true)
    code=${out%% *}; ms=$(awk -v s="${out##* }" 'BEGIN {printf "%.0f", s * 1000}')
    [ "$ms" -gt "$max_ms" ] && max_ms=$ms
    if [ "$code" = 201 ]; then
      created=$((created + 1)); echo "fault-$n" >>"$work/acked.txt"
      [ -z "$first_err" ] || codes+=(201)
    else
      ct=$(tr -d '\r' <"$work/h.txt" | awk -F': ' 'tolower($1) == "content-type" {print $2}')
      if [ -z "$first_err" ]; then
        first_err=$n
        err_line="HTTP $code in $ms ms, ${ct:-no content type}: $(head -c 300 "$work/b.txt" | tr '\n' ' ')"
      fi
      codes+=("$code")
    fi
    if [ -n "$first_err" ]; then
      after_err=$((after_err + 1)); [ "$after_err" -ge 5 ] && break
    fi
  done
  local alive ready
  alive=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$base/healthz" || true)
  ready=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$base/readyz" || true)
  local ic torn
  ic=$(sqlite_integrity "$mnt/full.db"); torn=$(torn_reports "$url")
  read -r stored lost dup unacked < <(exactly_once "$url")
  # Space comes back: the same server takes uploads again.
  mount -o remount,size=64m "$mnt"
  local back back_ms t0
  t0=$(now)
  back=$(body 99999 | curl -sS -o /dev/null -w '%{http_code}' --max-time 60 -H "Authorization: Bearer $token" \
    -H "Idempotency-Key: fault-99999" --data-binary @- "$base/api/v1/reports?project=faults&phase=release&suite=fill" || true)
  back_ms=$(elapsed_ms "$t0")
  [ "$back" = 201 ] && echo "fault-99999" >>"$work/acked.txt"
  local running=yes; kill -0 "$(cat "$work/disk.pid")" 2>/dev/null || running=no
  local panics; panics=$(grep -c 'panicked' "$work/disk.log" || true)
  stop_server disk
  local ic2; ic2=$(sqlite_integrity "$mnt/full.db")
  read -r stored2 lost2 dup2 unacked2 < <(exactly_once "$url")
  local ok=0 why=()
  [ -n "$first_err" ] || why+=("the disk never filled")
  case "$err_line" in "HTTP 4"*application/problem+json* | "HTTP 5"*application/problem+json*) ;; *) why+=("unclear error") ;; esac
  [ "$max_ms" -le 30000 ] || why+=("an upload took $max_ms ms")
  [ "$alive" = 200 ] && [ "$running" = yes ] && [ "$panics" = 0 ] || why+=("server alive=$alive running=$running panics=$panics")
  [ "$ic" = ok ] && [ "$ic2" = ok ] && [ "$torn" = 0 ] || why+=("integrity $ic / $ic2, half-written $torn")
  [ "$lost" = 0 ] && [ "$dup" = 0 ] && [ "$unacked" = 0 ] && [ "$lost2" = 0 ] && [ "$dup2" = 0 ] || why+=("counts: lost $lost/$lost2 dup $dup/$dup2 unacked $unacked/$unacked2")
  [ "$back" = 201 ] || why+=("after space returned the upload answered $back")
  [ "${#why[@]}" = 0 ] || ok=1
  verdict "disk full (SQLite, 8 MiB tmpfs)" "$ok" \
    "$created uploads stored, then upload $first_err: $err_line; next answers: ${codes[*]:1}; slowest answer $max_ms ms; while full: healthz $alive, readyz $ready, $panics panics; integrity_check $ic (after stop: $ic2), half-written reports $torn; stored $stored for $created × 201 (lost $lost, duplicated $dup, stored without a 201 $unacked); after growing the file system to 64 MiB the same server answered $back in $back_ms ms${why:+ — ${why[*]}}"
  umount "$mnt"; mnt=""
  rm -f "$work/acked.txt"
  unset READYBOARD_DATABASE_URL
}

# ---------------------------------------------------------------------------------------
case_backup() {
  echo "== backup: backup during uploads, restore into a fresh path, restore refused under a server" >&2
  local url="sqlite://$work/live.db" port base token
  export READYBOARD_DATABASE_URL="$url"
  "$bin" migrate >/dev/null
  token=$("$bin" token create --project faults --name ci | tail -n 1)
  port=$(free_port); base="http://127.0.0.1:$port"
  start_server live "$url" "$port"
  rm -f "$work/stop"
  local pids=() k
  for k in $(seq 1 "$UPLOADERS"); do upload_loop "bk-$k" "$base" "$token" "$((k * 10000))" & pids+=($!); done
  bg_pids+=("${pids[@]}")
  sleep 3
  local before t0 backup_ms backup_rc=0
  before=$(cat "$work"/bk-*.log | awk '$3 == "201"' | wc -l)
  t0=$(now)
  "$bin" backup "$work/backup.db" >"$work/backup.out" 2>&1 || backup_rc=$?
  backup_ms=$(elapsed_ms "$t0")
  local after; after=$(cat "$work"/bk-*.log | awk '$3 == "201"' | wc -l)
  sleep 2
  # Restore onto the live database while its server runs: must be refused.
  local refuse_rc=0
  "$bin" restore "$work/backup.db" >"$work/refuse.out" 2>&1 || refuse_rc=$?
  local live_up
  live_up=$(body 777777 | curl -sS -o /dev/null -w '%{http_code}' --max-time 60 -H "Authorization: Bearer $token" \
    --data-binary @- "$base/api/v1/reports?project=faults&phase=release&suite=after-refused-restore" || true)
  touch "$work/stop"
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  cat "$work"/bk-*.log | awk '$3 == "201" || $3 == "200" {print $2}' >"$work/acked.txt"
  local upload_errors; upload_errors=$(cat "$work"/bk-*.log | awk '$3 != "201" && $3 != "200"' | wc -l)
  local live_reports; live_reports=$(dbq "$url" "SELECT count(*) FROM reports")
  read -r stored lost dup unacked < <(exactly_once "$url")
  stop_server live
  # Restore into a fresh path and compare every table.
  mkdir -p "$work/fresh"
  local restore_rc=0
  READYBOARD_DATABASE_URL="sqlite://$work/fresh/restored.db" "$bin" restore "$work/backup.db" >"$work/restore.out" 2>&1 || restore_rc=$?
  local same=no bk_reports="?" fresh_ic="?" torn="?" serves="?"
  if [ "$restore_rc" = 0 ]; then
    sqlite_counts "$work/backup.db" >"$work/c1.txt"; sqlite_counts "$work/fresh/restored.db" >"$work/c2.txt"
    cmp -s "$work/c1.txt" "$work/c2.txt" && same=yes
    bk_reports=$(dbq "sqlite://$work/fresh/restored.db" "SELECT count(*) FROM reports")
    fresh_ic=$(sqlite_integrity "$work/fresh/restored.db")
    torn=$(torn_reports "sqlite://$work/fresh/restored.db")
    local p2; p2=$(free_port)
    if start_server fresh "sqlite://$work/fresh/restored.db" "$p2"; then
      serves=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$p2/api/v1/projects/faults/phases/release" || true)
      stop_server fresh
    fi
  fi
  # Once the server is gone the live database may be restored.
  local restore_live_rc=0
  "$bin" restore "$work/backup.db" >"$work/restore-live.out" 2>&1 || restore_live_rc=$?
  local live_after; live_after=$(dbq "$url" "SELECT count(*) FROM reports" 2>/dev/null || echo "?")
  local ok=0 why=()
  [ "$backup_rc" = 0 ] || why+=("backup failed: $(tail -n 2 "$work/backup.out" | tr '\n' ' ')")
  [ "$restore_rc" = 0 ] || why+=("restore into a fresh path failed: $(tail -n 2 "$work/restore.out" | tr '\n' ' ')")
  [ "$same" = yes ] || why+=("counts differ between the backup and the restored database")
  [ "$fresh_ic" = ok ] && [ "$torn" = 0 ] || why+=("restored integrity $fresh_ic, half-written $torn")
  [ "$serves" = 200 ] || why+=("a server on the restored database answered $serves")
  [ "$refuse_rc" != 0 ] && grep -q "in use" "$work/refuse.out" || why+=("restore under a running server was not refused (exit $refuse_rc)")
  [ "$live_up" = 201 ] && [ "$lost" = 0 ] && [ "$dup" = 0 ] && [ "$upload_errors" = 0 ] || why+=("live uploads: after refusal $live_up, lost $lost, dup $dup, errors $upload_errors")
  [ "$restore_live_rc" = 0 ] && [ "$live_after" = "$bk_reports" ] || why+=("restore once stopped: exit $restore_live_rc, $live_after reports")
  [ "${#why[@]}" = 0 ] || ok=1
  verdict "backup during load → restore" "$ok" \
    "backup in $backup_ms ms while $UPLOADERS uploaders ran (acknowledged before it started: $before, when it ended: $after); backup holds $bk_reports reports, the live database $live_reports at the end (stored $stored for $(wc -l <"$work/acked.txt") acknowledged, lost $lost, duplicated $dup); restored into a fresh path: every table's count identical: $same, integrity $fresh_ic, half-written $torn, served by a new server: HTTP $serves; restore onto the running server's database: exit $refuse_rc ($(head -n 1 "$work/refuse.out" | cut -c1-120)), the server still took an upload: HTTP $live_up; restore after the server stopped: exit $restore_live_rc, $live_after reports${why:+ — ${why[*]}}"
  rm -f "$work/acked.txt"
  unset READYBOARD_DATABASE_URL
}

for c in "${CASES[@]}"; do
  case "$c" in
    kill) case_kill ;; pg) case_pg ;; disk) case_disk ;; backup) case_backup ;;
    *) echo "unknown case $c (kill, pg, disk, backup)" >&2; exit 2 ;;
  esac
done
exit "$failed"
