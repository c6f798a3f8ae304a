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
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
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

# Pick a free port, start the server, wait for /readyz.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --addr "127.0.0.1:$port" --log-format json >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; echo "server exited" >&2; exit 1; }
  sleep 0.1
done
mkdir -p end2end/test-results/screens
status=0
(cd end2end && READYBOARD_E2E_URL="http://127.0.0.1:$port" npx playwright test) || status=$?
echo "==> CI snippets" >&2
scripts/ci-snippets.sh "http://127.0.0.1:$port" "$ci_token" prompt-studio phase-4 || status=1
if [ $status -ne 0 ]; then
  echo "--- server log (last 50 lines) ---" >&2
  tail -n 50 "$work/server.log" >&2
fi
exit $status
