#!/usr/bin/env bash
# The query plans behind every page, on a PostgreSQL database (issue 17's index review):
# starts a release server on the database with PostgreSQL's `auto_explain` logging every
# statement's plan with `ANALYZE` and `BUFFERS`, visits each page once on a fresh server (so
# every read reaches the database, no view is cached yet), and summarises the plans per
# distinct statement: calls, slowest time, the scans it used, buffers, and the full plan of
# each statement's slowest run.
#
#   KEEP_DB=1 scripts/bench-scale.sh postgres     # builds a kept 10 M-check database first
#   scripts/explain-pages.sh postgres://postgres@127.0.0.1:5432/readyboard_scale_1234
#
# Settings (environment): PROJECT and PHASE (default: the phase with the most reports),
# REPORT (default: that phase's latest report of at most 10,000 checks), OUT (directory for
# summary.md and plans.txt; default explain-out), PG_LOG (the PostgreSQL server's log file,
# when the server cannot tell: Debian's clusters log to a file the script finds with
# `pg_lsclusters`), NO_BUILD=1 and READYBOARD_BIN as in the other harnesses. The script adds
# an admin `explain-reader` (the audit log is for admins) and a token named `explain` to the
# database; the plan-logging settings it adds are removed on exit. Needs a superuser
# connection (to load auto_explain).
#
# Exit status: 0 with the summary written, 2 on a harness failure, 3 when the PostgreSQL log
# cannot be read (nothing was changed).
set -euo pipefail
cd "$(dirname "$0")/.."

url=${1:-}
case "$url" in
  postgres://* | postgresql://*) ;;
  *) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
OUT=${OUT:-explain-out}

# shellcheck source=scripts/harness-lib.sh
. scripts/harness-lib.sh
harness_setup
db=${url##*/}
db=${db%%\?*}

log_file() {
  [ -n "${PG_LOG:-}" ] && { echo "$PG_LOG"; return; }
  local f dir
  f=$(dbq "$url" "SELECT coalesce(pg_current_logfile(), '')")
  if [ -n "$f" ]; then
    case "$f" in /*) echo "$f" ;; *) dir=$(dbq "$url" "SHOW data_directory"); echo "$dir/$f" ;; esac
    return
  fi
  local port
  port=$(dbq "$url" "SHOW port")
  command -v pg_lsclusters >/dev/null && pg_lsclusters -h | awk -v p="$port" '$3 == p {print $7; exit}'
}
pglog=$(log_file)
[ -n "$pglog" ] && [ -r "$pglog" ] || { echo "cannot read the PostgreSQL log ('$pglog'); set PG_LOG" >&2; exit 3; }

settings=(
  "session_preload_libraries = 'auto_explain'"
  "auto_explain.log_min_duration = 0"
  "auto_explain.log_analyze = on"
  "auto_explain.log_buffers = on"
  "auto_explain.log_timing = on"
  "auto_explain.log_format = json"
)
reset_settings() {
  local s
  for s in "${settings[@]}"; do psql "$url" -X -q -c "ALTER DATABASE \"$db\" RESET ${s%% =*}" >/dev/null 2>&1 || true; done
}
cleanup() {
  for f in "$work"/*.pid; do [ -e "$f" ] && stop_server "$(basename "$f" .pid)"; done
  reset_settings
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# The pages' subjects, read before any setting is added (these reads are not explained).
if [ -z "${PROJECT:-}" ] || [ -z "${PHASE:-}" ]; then
  IFS='|' read -r PROJECT PHASE < <(dbq "$url" "SELECT p.slug, ph.slug FROM phases ph JOIN projects p ON p.id = ph.project_id
    JOIN reports r ON r.phase_id = ph.id GROUP BY p.slug, ph.slug ORDER BY count(*) DESC LIMIT 1")
fi
REPORT=${REPORT:-$(dbq "$url" "SELECT max(r.id) FROM reports r JOIN phases ph ON ph.id = r.phase_id
  JOIN projects p ON p.id = ph.project_id WHERE p.slug = '$PROJECT' AND ph.slug = '$PHASE' AND r.tests <= 10000")}
decision=$(dbq "$url" "SELECT coalesce(max(d.id)::text, '') FROM decisions d JOIN phases ph ON ph.id = d.phase_id
  JOIN projects p ON p.id = ph.project_id WHERE p.slug = '$PROJECT' AND ph.slug = '$PHASE'")
[ -n "$PROJECT" ] && [ -n "$REPORT" ] || { echo "no report in the database" >&2; exit 2; }
reports=$(dbq "$url" "SELECT count(*) FROM reports")
checks=$(dbq "$url" "SELECT coalesce(sum(tests), 0) FROM reports")
echo "database: $reports reports, $checks checks; pages of $PROJECT/$PHASE, report $REPORT" >&2

admin_account "$url" explain-reader explain-password-1
token=$(READYBOARD_DATABASE_URL="$url" "$bin" token create --project "$PROJECT" --name explain | tail -n 1)

for s in "${settings[@]}"; do psql "$url" -X -q -v ON_ERROR_STOP=1 -c "ALTER DATABASE \"$db\" SET $s" >/dev/null; done
start_offset=$(stat -c %s "$pglog")
port=$(free_port)
base="http://127.0.0.1:$port"
start_server server "$url" "$port"
cookie=$(login "$base" explain-reader explain-password-1)
[ -n "$cookie" ] || { echo "login failed" >&2; exit 2; }

ph="/p/$PROJECT/$PHASE"
pages=("/" "/p/$PROJECT" "$ph" "/reports/$REPORT" "/reports/$REPORT?status=failed&page=2" "$ph/trends?range=all"
  "$ph/trends?range=90d" "$ph/blockers" "$ph/checklist" "/blockers" "/audit" "api:/api/v1/projects/$PROJECT/phases/$PHASE/status")
[ -n "$decision" ] && pages+=("$ph/decisions/$decision")
: >"$work/times"
for p in "${pages[@]}"; do
  # A marker statement in the log: what follows it, up to the next marker, is this page's.
  psql "$url" -X -q -c "SELECT 'readyboard-explain-page $p'" >/dev/null
  if [ "${p#api:}" != "$p" ]; then
    t=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $token" "$base${p#api:}")
  else
    t=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' -H "Cookie: readyboard_session=$cookie" "$base$p")
  fi
  echo "$p $t" >>"$work/times"
  echo "  $p: HTTP ${t% *}, $(awk -v s="${t#* }" 'BEGIN {printf "%.0f", s * 1000}') ms" >&2
done
psql "$url" -X -q -c "SELECT 'readyboard-explain-page end'" >/dev/null
stop_server server
tail -c +"$((start_offset + 1))" "$pglog" >"$work/pg.log"

mkdir -p "$OUT"
python3 - "$work/pg.log" "$work/times" "$OUT" "$reports" "$checks" "$PROJECT/$PHASE" <<'PY'
import json, re, sys, statistics
log, times, out, reports, checks, subject = sys.argv[1:]
# Each auto_explain entry: a log line "… LOG:  duration: X ms  plan:" followed by the plan
# as JSON, up to the next line that starts with a timestamp.
head = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
entry = re.compile(r"LOG:  duration: ([\d.]+) ms  plan:$")
entries, cur = [], None
for line in open(log, encoding="utf-8", errors="replace"):
    line = line.rstrip("\n")
    if head.match(line):
        m = entry.search(line)
        cur = {"ms": float(m.group(1)), "text": []} if m else None
        if cur:
            entries.append(cur)
    elif cur is not None:
        cur["text"].append(line)

def walk(node, depth=0):
    yield node, depth
    for child in node.get("Plans", []):
        yield from walk(child, depth + 1)

def render(plan):
    lines = []
    for n, d in walk(plan):
        what = n["Node Type"]
        if n.get("Index Name"):
            what += f" using {n['Index Name']}"
        if n.get("Relation Name"):
            what += f" on {n['Relation Name']}"
        extra = []
        for k in ("Index Cond", "Filter", "Hash Cond", "Sort Key", "Join Filter"):
            if n.get(k):
                extra.append(f"{k}: {n[k] if isinstance(n[k], str) else ', '.join(n[k])}")
        if n.get("Rows Removed by Filter"):
            extra.append(f"removed by filter: {n['Rows Removed by Filter']}")
        buf = f"hit={n.get('Shared Hit Blocks', 0)} read={n.get('Shared Read Blocks', 0)}"
        lines.append("  " * d + f"{what} (actual {n.get('Actual Total Time', 0):.3f} ms, rows={n.get('Actual Rows')}, loops={n.get('Actual Loops')}; buffers {buf})")
        for x in extra:
            lines.append("  " * d + "    " + x)
    return lines

def scans(plan):
    found = []
    for n, _ in walk(plan):
        if "Scan" in n["Node Type"] and n.get("Relation Name"):
            label = f"{n['Node Type']} {n['Relation Name']}" + (f" ({n['Index Name']})" if n.get("Index Name") else "")
            if label not in found:
                found.append(label)
    return found

page, stmts, order, unreadable = "(before the first page)", {}, [], 0
for e in entries:
    try:
        doc = json.loads("\n".join(e["text"]))
    except ValueError:
        unreadable += 1
        continue
    # Lists of ids written into a statement make one statement, whatever the ids.
    q = re.sub(r"IN \(\d+(?:, ?\d+)*\)", "IN (…ids…)", doc.get("Query Text", "").strip())
    m = re.match(r"SELECT 'readyboard-explain-page (.*)'", q)
    if m:
        page = m.group(1)
        continue
    s = stmts.get(q)
    if s is None:
        s = stmts[q] = {"calls": 0, "times": [], "pages": [], "plan": None, "max": -1}
        order.append(q)
    s["calls"] += 1
    s["times"].append(e["ms"])
    if page not in s["pages"]:
        s["pages"].append(page)
    if e["ms"] > s["max"]:
        s["max"], s["plan"] = e["ms"], doc["Plan"]

def short(q, n=90):
    q = " ".join(q.split())
    return q if len(q) <= n else q[: n - 1] + "…"

ranked = sorted(order, key=lambda q: -stmts[q]["max"])
with open(f"{out}/summary.md", "w") as f:
    f.write(f"Database: {int(reports):,} reports, {int(checks):,} checks; pages of {subject}, each visited once on a fresh server.\n\n")
    f.write("| page | HTTP | time (ms) | statements | their time (ms) |\n|---|---|---:|---:|---:|\n")
    for p, code, secs in (l.split() for l in open(times)):
        mine = [t for s in stmts.values() if p in s["pages"] for t in s["times"]]
        f.write(f"| `{p}` | {code} | {float(secs) * 1000:.1f} | {len(mine)} | {sum(mine):.1f} |\n")
    f.write("\n(Statements are counted under the page being visited when they ran; one reached from several pages counts under each.)\n\n")
    f.write("| # | statement | calls | slowest (ms) | median (ms) | scans | buffers of the slowest run |\n|---:|---|---:|---:|---:|---|---|\n")
    for i, q in enumerate(ranked, 1):
        s = stmts[q]
        top = s["plan"]
        buf = f"hit {top.get('Shared Hit Blocks', 0)}, read {top.get('Shared Read Blocks', 0)}"
        f.write(f"| {i} | `{short(q)}` | {s['calls']} | {s['max']:.2f} | {statistics.median(s['times']):.2f} | "
                f"{'; '.join(scans(top)) or '—'} | {buf} |\n")
    seq = [str(i) for i, q in enumerate(ranked, 1) if any(x.startswith(("Seq Scan", "Parallel Seq Scan")) for x in scans(stmts[q]["plan"]))]
    f.write(f"\n{len(ranked)} distinct statements; with a sequential scan: {', '.join(seq) or 'none'}.\n")
with open(f"{out}/plans.txt", "w") as f:
    for i, q in enumerate(ranked, 1):
        s = stmts[q]
        f.write(f"=== {i}. slowest {s['max']:.3f} ms, {s['calls']} calls, pages: {', '.join(s['pages'])}\n{q}\n\n")
        f.write("\n".join(render(s["plan"])) + "\n\n")
print(f"{len(order)} distinct statements in {len(entries)} plans ({unreadable} unreadable); written to {out}/summary.md and {out}/plans.txt", file=sys.stderr)
PY
cat "$OUT/summary.md"
