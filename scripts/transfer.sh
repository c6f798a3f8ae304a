#!/usr/bin/env bash
# Bytes moved for a first and a repeat visit to a scorecard, in Chromium, against a fresh
# server with the demo data (built by scripts/build.sh; debug with --debug), and the size of
# the WebAssembly bundle raw, gzip and brotli.
#   scripts/transfer.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
[ "${1:-}" = "--debug" ] && profile=debug
# shellcheck source=scripts/harness-lib.sh
. scripts/harness-lib.sh
bin=$PWD/target/$profile/readyboard
work=$(mktemp -d)
trap 'stop_server transfer; rm -rf "$work"' EXIT

url="sqlite://$work/transfer.db"
export READYBOARD_DATABASE_URL="$url"
export READYBOARD_PASSWORD="transfer-password-1"
"$bin" migrate >/dev/null
"$bin" user add admin --role admin >/dev/null
"$bin" demo >/dev/null
unset READYBOARD_PASSWORD
port=$(free_port)
start_server transfer "$url" "$port"

name=$(cat target/site/pkg/bundle-name 2>/dev/null || echo readyboard)
wasm=target/site/pkg/$name.wasm
echo "bundle $name"
echo "wasm: $(stat -c %s "$wasm") bytes raw, $(gzip -9c "$wasm" | wc -c) gzip -9, $(stat -c %s "$wasm.br" 2>/dev/null || echo '?') brotli (as served)"
echo "== compressed (as browsers ask)"
node scripts/transfer.mjs "http://127.0.0.1:$port" /p/prompt-studio/phase-4 admin transfer-password-1
echo "== uncompressed (Accept-Encoding: identity)"
node scripts/transfer.mjs "http://127.0.0.1:$port" /p/prompt-studio/phase-4 admin transfer-password-1 --uncompressed
