# readyboard — the two commands of the quick start, plus helpers.
.PHONY: run test build lint bench clean

# Build (release) and serve on the embedded SQLite database with the demo dataset.
run:
	scripts/build.sh
	target/release/readyboard serve --demo

# Every test: Rust unit/integration (SQLite + PostgreSQL when reachable) and Chromium.
test:
	scripts/test.sh

build:
	scripts/build.sh

lint:
	cargo fmt --all --check
	cargo clippy --locked --all-targets -- -D warnings

bench:
	scripts/bench-upload.sh
	scripts/bench-scorecard.sh

clean:
	cargo clean
	rm -rf end2end/node_modules end2end/test-results
