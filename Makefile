# Backoff Lab. Two commands do everything on a fresh machine:
#   make serve   install what is missing, then serve the page at http://127.0.0.1:8080
#   make test    install what is missing, then run every test
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: setup serve test test-host build bench lint

setup:
	@bash scripts/setup.sh

serve: setup
	trunk serve --release --offline

# Every test: the engine's unit, scenario and property tests on the host, then the release
# bundle must build (the page's browser tests run from tests/ against it).
test: setup
	cargo test --all-targets --locked
	trunk build --release --offline

test-host:
	cargo test --all-targets

build: setup
	trunk build --release --offline

bench:
	cargo bench --bench engine

lint:
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --bin backoff-lab -- -D warnings
