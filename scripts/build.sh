#!/usr/bin/env bash
# Builds the browser bundle into target/site and the `readyboard` server binary.
#   scripts/build.sh            release server (for running)
#   scripts/build.sh --debug    debug server (for tests)
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
[ "${1:-}" = "--debug" ] && profile=dev

scripts/setup.sh
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

site=target/site
pkg=$site/pkg
mkdir -p "$pkg"

echo "==> building the browser bundle (wasm)" >&2
cargo build --locked -p readyboard-frontend --target wasm32-unknown-unknown --profile wasm-release
wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name readyboard \
  target/wasm32-unknown-unknown/wasm-release/readyboard_frontend.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals -o "$pkg/readyboard.wasm" "$pkg/readyboard_bg.wasm"
rm -f "$pkg/readyboard_bg.wasm"
cp style/main.css "$pkg/readyboard.css"
cp -R public/. "$site/"

echo "==> building the server ($profile)" >&2
cargo build --locked -p readyboard-server --profile "$profile"
