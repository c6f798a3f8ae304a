#!/usr/bin/env bash
# Bytes moved for a first and a repeat visit to a scorecard, in Chromium, against a fresh
# server with the demo data (built by scripts/build.sh; debug with --debug), and the size of
# the WebAssembly bundle raw, gzip and brotli.
#   scripts/transfer.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
[ "${1:-}" = "--debug" ] && profile=debug
bin=target/$profile/readyboard
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

export READYBOARD_DATABASE_URL="sqlite://$work/transfer.db"
export READYBOARD_PASSWORD="transfer-password-1"
"$bin" migrate >/dev/null
"$bin" user add admin --role admin >/dev/null
"$bin" demo >/dev/null
unset READYBOARD_PASSWORD
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

name=$(cat target/site/pkg/bundle-name 2>/dev/null || echo readyboard)
wasm=target/site/pkg/$name.wasm
echo "bundle $name"
echo "wasm: $(stat -c %s "$wasm") bytes raw, $(gzip -9c "$wasm" | wc -c) gzip -9, $(stat -c %s "$wasm.br" 2>/dev/null || echo '?') brotli (as served)"
echo "== compressed (as browsers ask)"
node scripts/transfer.mjs "http://127.0.0.1:$port" /p/prompt-studio/phase-4 admin transfer-password-1
echo "== uncompressed (Accept-Encoding: identity)"
node scripts/transfer.mjs "http://127.0.0.1:$port" /p/prompt-studio/phase-4 admin transfer-password-1 --uncompressed
