# Shared helpers of the load, fault, scale, transfer and benchmark scripts (sourced, not run).
# Most expect `work` (a scratch directory) and `bin` (the readyboard binary) to be set.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

need_wrk() {
  if ! command -v wrk >/dev/null; then
    echo "installing wrk from Debian" >&2
    local SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get install -y -qq wrk >/dev/null
  fi
}

# The server binary the harnesses run: READYBOARD_BIN when set (e.g. the debug build the
# tests just made, for CI's short runs), else the release build.
harness_bin() { echo "${READYBOARD_BIN:-$PWD/target/release/readyboard}"; }

# Builds the release binary unless READYBOARD_BIN names another one, or NO_BUILD=1 and it
# exists already.
build_release() {
  if [ -n "${READYBOARD_BIN:-}" ]; then
    [ -x "$READYBOARD_BIN" ] || { echo "READYBOARD_BIN=$READYBOARD_BIN is not an executable" >&2; exit 2; }
    return
  fi
  if [ "${NO_BUILD:-0}" = 1 ] && [ -x target/release/readyboard ]; then return; fi
  scripts/build.sh >/dev/null
}

# Seconds since the epoch with milliseconds.
# Sets up a load run: wrk, the release binary in `bin`, the open-file limit, a scratch `work`.
harness_setup() {
  need_wrk
  build_release
  bin=$(harness_bin)
  [ -z "${READYBOARD_BIN:-}" ] || echo "server binary: $bin (speed figures of a debug build mean nothing)" >&2
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  work=$(mktemp -d)
}

# A fresh SQLite database in `work` with a project `bench`, whose upload token goes in `token`.
bench_db() {
  export READYBOARD_DATABASE_URL="sqlite://$work/bench.db"
  "$bin" migrate >/dev/null
  token=$("$bin" token create --project bench --name bench | tail -n 1)
}

now() { date +%s.%3N; }
elapsed_ms() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.0f", (b - a) * 1000}'; }

# start_server NAME URL PORT [extra serve flags…]: starts `readyboard serve` in the
# background, records its pid in $work/NAME.pid and waits (≤ 30 s) for /readyz.
start_server() {
  local name=$1 url=$2 port=$3; shift 3
  READYBOARD_DATABASE_URL="$url" "$bin" serve --addr "127.0.0.1:$port" --log-format json "$@" \
    >>"$work/$name.log" 2>&1 &
  echo $! >"$work/$name.pid"
  local i
  for i in $(seq 1 300); do
    curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/readyz" 2>/dev/null && return 0
    kill -0 "$(cat "$work/$name.pid")" 2>/dev/null || { echo "server $name exited; log:" >&2; tail -20 "$work/$name.log" >&2; return 1; }
    sleep 0.1
  done
  echo "server $name did not become ready" >&2
  return 1
}

# stop_server NAME [SIGNAL]: stops the server started under NAME and waits for it.
stop_server() {
  local name=$1 sig=${2:-TERM} pid
  [ -f "$work/$name.pid" ] || return 0
  pid=$(cat "$work/$name.pid")
  kill "-$sig" "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  { wait "$pid"; } 2>/dev/null || true
  rm -f "$work/$name.pid"
}

# login BASE USER PASSWORD: prints the session cookie value (empty when login failed).
login() {
  local jar
  jar=$(mktemp -p "$work")
  curl -sS -o /dev/null -c "$jar" --max-time 30 -d "username=$2&password=$3&next=/" "$1/login" || true
  awk '$6 == "readyboard_session" {print $7}' "$jar"
  rm -f "$jar"
}

# admin_account URL NAME PASSWORD: an admin account NAME with PASSWORD in the database at URL,
# made on the first run and its password and role set again on later ones (uses `bin`).
admin_account() {
  if ! READYBOARD_DATABASE_URL="$1" READYBOARD_PASSWORD="$3" "$bin" user add "$2" --role admin >/dev/null 2>&1; then
    READYBOARD_DATABASE_URL="$1" READYBOARD_PASSWORD="$3" "$bin" user passwd "$2" >/dev/null
    dbq "$1" "UPDATE users SET role = 'admin' WHERE username = '$2'" >/dev/null
  fi
}

# dbq URL SQL: prints the result rows, columns separated by '|'.
dbq() {
  local url=$1 sql=$2
  case "$url" in
    postgres*) psql "$url" -X -q -A -t -F '|' -v ON_ERROR_STOP=1 -c "$sql" ;;
    sqlite*)
      python3 - "${url#sqlite://}" "$sql" <<'PY'
import sqlite3, sys
path = sys.argv[1].split("?")[0]
c = sqlite3.connect(path, timeout=30)
for row in c.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
PY
      ;;
  esac
}

# sqlite_integrity FILE: prints `ok` or the problems PRAGMA integrity_check finds.
sqlite_integrity() {
  python3 - "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30)
rows = [r[0] for r in c.execute("PRAGMA integrity_check")]
fk = c.execute("PRAGMA foreign_key_check").fetchall()
out = "ok" if rows == ["ok"] else "; ".join(rows[:5])
if fk:
    out = (out + "; " if out != "ok" else "") + f"{len(fk)} foreign-key violations"
print(out)
PY
}

# Reports whose stored checks do not match their own count (half-written reports); pruned
# reports keep their counts without their checks. Prints the number of such reports.
torn_reports() {
  dbq "$1" "SELECT count(*) FROM reports r WHERE r.pruned_at IS NULL AND r.tests <> COALESCE((SELECT cs.checks FROM check_sets cs WHERE cs.report_id = r.id), 0)"
}

# Row count of every table, one `table count` per line, sorted (SQLite file).
sqlite_counts() {
  python3 - "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30)
for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
    print(t, c.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
PY
}
