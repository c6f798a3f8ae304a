#!/usr/bin/env bash
# Runs every test: unit and integration tests (SQLite, and PostgreSQL when reachable),
# then the browser tests in Chromium against a freshly started server with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh --debug
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

echo "==> cargo test" >&2
cargo test --locked 2>&1 | tee target/cargo-test.log

echo "==> browser tests" >&2
work=$(mktemp -d)
server_pid=""
pg_pids=""
oidc_pids=""
pg_db=""
pg_admin=${READYBOARD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  for pid in $pg_pids $oidc_pids; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  [ -n "$pg_db" ] && psql "$pg_admin" -X -q -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
bin=target/debug/readyboard
db="sqlite://$work/e2e.db"
export READYBOARD_DATABASE_URL="$db"
export READYBOARD_PASSWORD="e2e-password-123"
"$bin" migrate >/dev/null
"$bin" user add admin --role admin >/dev/null
"$bin" user add editor --role editor >/dev/null
"$bin" user add viewer --role viewer >/dev/null
"$bin" demo >/dev/null
ci_token=$("$bin" token create --project prompt-studio --name ci-snippets | tail -n1)
unset READYBOARD_PASSWORD

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Waits until the server of pid $1 on port $2 is ready (its log in $3).
wait_ready() {
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$1" 2>/dev/null || { cat "$3"; echo "server exited" >&2; exit 1; }
    sleep 0.1
  done
  echo "server on port $2 did not become ready" >&2
  exit 1
}

# Pick a free port, start the server, wait for /readyz.
port=$(free_port)
"$bin" serve --addr "127.0.0.1:$port" --log-format json >"$work/server.log" 2>&1 &
server_pid=$!
wait_ready "$server_pid" "$port" "$work/server.log"

# Two more instances sharing one PostgreSQL database, for the live-pages test that uploads
# through one and watches a page served by the other.
if command -v psql >/dev/null && psql "$pg_admin" -X -q -c 'SELECT 1' >/dev/null 2>&1; then
  pg_db="rb_e2e_$$_${RANDOM}"
  psql "$pg_admin" -X -q -c "CREATE DATABASE $pg_db" >/dev/null
  pg_url="${pg_admin%/*}/$pg_db"
  READYBOARD_DATABASE_URL="$pg_url" "$bin" migrate >/dev/null
  READYBOARD_DATABASE_URL="$pg_url" READYBOARD_PASSWORD="e2e-password-123" "$bin" user add viewer --role viewer >/dev/null
  READYBOARD_DATABASE_URL="$pg_url" "$bin" demo >/dev/null
  pg_token=$(READYBOARD_DATABASE_URL="$pg_url" "$bin" token create --project prompt-studio --name live | tail -n1)
  for instance in a b; do
    p=$(free_port)
    READYBOARD_DATABASE_URL="$pg_url" "$bin" serve --addr "127.0.0.1:$p" --log-format json >"$work/pg-$instance.log" 2>&1 &
    pg_pids="$pg_pids $!"
    wait_ready "$!" "$p" "$work/pg-$instance.log"
    export "READYBOARD_E2E_PG_$(echo "$instance" | tr a-z A-Z)=http://127.0.0.1:$p"
  done
  export READYBOARD_E2E_PG_TOKEN="$pg_token"
else
  echo "SKIPPED: the two-instance live-pages test (PostgreSQL not reachable at $pg_admin)" >&2
fi
# Company sign-in: a real OpenID Connect provider (end2end/oidc/provider.mjs) and an instance
# of its own that signs people in through it, groups mapped to roles.
idp_port=$(free_port)
oidc_port=$(free_port)
OIDC_PORT="$idp_port" OIDC_REDIRECT_URI="http://127.0.0.1:$oidc_port/auth/oidc/callback" \
  node end2end/oidc/provider.mjs >"$work/idp.log" 2>&1 &
oidc_pids="$!"
for _ in $(seq 1 100); do
  grep -q "oidc provider ready" "$work/idp.log" && break
  kill -0 "$oidc_pids" 2>/dev/null || { cat "$work/idp.log"; echo "the OpenID Connect provider exited" >&2; exit 1; }
  sleep 0.1
done
oidc_db="sqlite://$work/oidc.db"
READYBOARD_DATABASE_URL="$oidc_db" "$bin" migrate >/dev/null
READYBOARD_DATABASE_URL="$oidc_db" READYBOARD_PASSWORD="e2e-password-123" "$bin" user add admin --role admin >/dev/null
READYBOARD_DATABASE_URL="$oidc_db" \
  READYBOARD_OIDC_ISSUER="http://127.0.0.1:$idp_port" READYBOARD_OIDC_CLIENT_ID=readyboard \
  READYBOARD_OIDC_CLIENT_SECRET=readyboard-e2e-secret READYBOARD_OIDC_NAME="Test IdP" \
  READYBOARD_OIDC_ROLES="readyboard-admins=admin,readyboard-editors=editor,staff=viewer" \
  READYBOARD_OIDC_DEFAULT_ROLE=none \
  "$bin" serve --addr "127.0.0.1:$oidc_port" --base-url "http://127.0.0.1:$oidc_port" --log-format json \
  >"$work/oidc.log" 2>&1 &
oidc_pids="$oidc_pids $!"
wait_ready "$!" "$oidc_port" "$work/oidc.log"
export READYBOARD_E2E_OIDC_URL="http://127.0.0.1:$oidc_port"

mkdir -p end2end/test-results/screens
status=0
(cd end2end && READYBOARD_E2E_URL="http://127.0.0.1:$port" READYBOARD_E2E_CI_TOKEN="$ci_token" npx playwright test) || status=$?
echo "==> CI snippets" >&2
scripts/ci-snippets.sh "http://127.0.0.1:$port" "$ci_token" prompt-studio phase-4 || status=1
if [ $status -ne 0 ]; then
  echo "--- server log (last 50 lines) ---" >&2
  tail -n 50 "$work/server.log" >&2
fi
exit $status
