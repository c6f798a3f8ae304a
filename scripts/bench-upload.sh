#!/usr/bin/env bash
# Upload benchmark: JUnit reports of 10,000 and 100,000 cases sent over HTTP to a release
# server on a fresh SQLite database; compared in the same run with a bare quick-xml + SQLite
# insert of the same file (examples/bare_ingest.rs). Then 50 concurrent uploaders of
# 2,000-case reports. Prints medians and the ratio; paste them into docs/BENCHMARKS.md.
#   scripts/bench-upload.sh [RUNS]   (default 5 runs per size)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
# shellcheck source=scripts/harness-lib.sh
. scripts/harness-lib.sh
scripts/build.sh >/dev/null
cargo build --locked --release -p readyboard-server --example bare_ingest >/dev/null 2>&1
bin=target/release/readyboard
bare=target/release/examples/bare_ingest

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

bench_db
port=$(free_port)
"$bin" serve --addr "127.0.0.1:$port" --max-upload-mb 256 --log-format json >"$work/server.log" 2>&1 &
pid=$!
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.1; done
url="http://127.0.0.1:$port/api/v1/reports?project=bench&phase=bench"

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$pid/status"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m); date: $(date -u +%F)"
base_rss=$(rss_kb)
for n in 10000 100000; do
  up=(); bl=(); pa=(); st=()
  for i in $(seq 1 "$runs"); do
    f="$work/j$n-$i.xml"
    python3 scripts/gen-junit.py --tests "$n" --seed "$((n + i))" --out "$f"
    t=$(curl -sS -o "$work/resp.json" -D "$work/headers.txt" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $token" \
        --data-binary "@$f" "$url&suite=junit-$n")
    code=${t%% *}
    [ "$code" = 201 ] || { echo "upload failed: $t $(cat "$work/resp.json")" >&2; exit 1; }
    up+=("$(awk -v s="${t##* }" 'BEGIN {print s * 1000}')")
    # The server's own split: parsing (with compression alongside) and the database write.
    pa+=("$(grep -io 'parse;[^,]*dur=[0-9.]*' "$work/headers.txt" | sed 's/.*dur=//')")
    st+=("$(grep -io 'store;dur=[0-9.]*' "$work/headers.txt" | sed 's/.*dur=//')")
    bl+=("$("$bare" "$f" | awk '{print $4}')")
    rm -f "$f"
  done
  mu=$(printf '%s\n' "${up[@]}" | median)
  mb=$(printf '%s\n' "${bl[@]}" | median)
  echo "junit $n cases: upload median ${mu} ms (runs: ${up[*]}); bare parse+insert median ${mb} ms; ratio $(awk -v a="$mu" -v b="$mb" 'BEGIN {printf "%.2f", a / b}')"
  echo "  server split: parse+compress median $(printf '%s\n' "${pa[@]}" | median) ms, store median $(printf '%s\n' "${st[@]}" | median) ms"
done
echo "server RSS: ${base_rss} kB before, peak $(hwm_kb) kB → growth $(( ($(hwm_kb) - base_rss) / 1024 )) MiB"

# 50 concurrent uploaders, each a distinct 2,000-case report, plus 10 exact re-sends.
mkdir -p "$work/c"
for i in $(seq 1 50); do python3 scripts/gen-junit.py --tests 2000 --seed "$((900 + i))" --out "$work/c/$i.xml"; done
start=$(date +%s.%N)
(for i in $(seq 1 50); do echo "$i"; done; for i in $(seq 1 10); do echo "$i"; done) | \
  xargs -P 60 -I{} curl -sS -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $token" \
    --data-binary "@$work/c/{}.xml" "$url&suite=concurrent" > "$work/codes.txt"
end=$(date +%s.%N)
created=$(grep -c '^201$' "$work/codes.txt" || true)
dupes=$(grep -c '^200$' "$work/codes.txt" || true)
stored=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(\"select count(*) from reports r join suites s on s.id=r.suite_id where s.name='concurrent'\").fetchone()[0])" "$work/bench.db")
echo "50 concurrent uploaders (+10 re-sends): ${created} × 201, ${dupes} × 200, ${stored} reports stored, $(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.1f", e - s}') s wall"
