# Backoff Lab. Two commands do everything on a fresh machine:
#   make serve   install what is missing, then serve the page at http://127.0.0.1:8080
#   make test    install what is missing, then run every test
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# The page's wasm names the dependencies' files (in its panic messages) by their path in the
# registry: without this machine's prefix, about 190 bytes less of the start-up download.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS := --remap-path-prefix=$(or $(CARGO_HOME),$(HOME)/.cargo)/registry/src/index.crates.io-1949cf8c6b5b557f/=

.PHONY: setup serve test test-host build bench bench-browser lint

setup:
	@bash scripts/setup.sh

serve: setup
	trunk serve --release --offline

# Every test: build the release bundle, then the engine's unit, scenario, property and CLI
# tests plus the end-to-end browser suite against that bundle in Chromium (host), the same
# suite in Firefox ESR and in WebKitGTK (under a virtual display), then the component tests
# inside headless Chromium (wasm32).
test: setup
	cargo fmt --check
	trunk build --release --offline
	BACKOFF_LAB_E2E=1 cargo test --all-targets --locked
	BACKOFF_LAB_E2E=1 BACKOFF_LAB_BROWSER=firefox cargo test --locked --test e2e
	BACKOFF_LAB_E2E=1 BACKOFF_LAB_BROWSER=webkit xvfb-run -a cargo test --locked --test e2e
	CHROMEDRIVER=/usr/bin/chromedriver cargo test --locked --target wasm32-unknown-unknown --test browser

test-host:
	cargo test --all-targets

build: setup
	trunk build --release --offline

bench:
	cargo bench --bench engine

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --bin backoff-lab -- -D warnings

# In-browser measurements: engine speed in wasm, run-to-end time, p95 frame time.
bench-browser: setup
	trunk build --release --offline
	BACKOFF_LAB_E2E=1 cargo test --release --test e2e -- --ignored --nocapture browser_benchmarks
