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

# Content-hashed names: a build's files never change under their name, so browsers keep
# them for good (the server says `immutable`), and a new build is fetched under new names.
# The server reads the name from pkg/bundle-name when it starts.
hash=$(cat "$pkg/readyboard.js" "$pkg/readyboard.wasm" "$pkg/readyboard.css" | sha256sum | cut -c1-16)
name="readyboard.$hash"
rm -f "$pkg"/readyboard.*.js* "$pkg"/readyboard.*.wasm* "$pkg"/readyboard.*.css*
for ext in js wasm css; do mv "$pkg/readyboard.$ext" "$pkg/$name.$ext"; done
echo "$name" > "$pkg/bundle-name"
# Compressed once here, at the strongest settings, instead of on every request.
node scripts/precompress.mjs "$pkg/$name.js" "$pkg/$name.wasm" "$pkg/$name.css"

echo "==> building the server ($profile)" >&2
cargo build --locked -p readyboard-server --profile "$profile"
