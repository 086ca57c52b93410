#!/usr/bin/env bash
# Installs what building and testing Backoff Lab needs on a fresh machine, following
# ../shared/TOOLCHAIN.md. Every step is skipped when its tool is already there at the right
# version, so a second run costs seconds. `make serve` and `make test` call it.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pin in Cargo.toml
TERSER_VERSION=5.51.4          # minifies the JS glue of release builds
BINARYEN_VERSION=132           # wasm-opt; Debian's binaryen 108 cannot read Rust 1.95's wasm
TOOLS_DIR="$PWD/.tools"
export PATH="$TOOLS_DIR/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf '[setup] %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! (command -v trunk >/dev/null && trunk --version | grep -q ' 0\.21\.'); then
  say "installing Trunk 0.21 (about 15 minutes on 2 cores, once per machine)"
  cargo install trunk --version '^0.21' --locked
fi

if ! (command -v wasm-bindgen >/dev/null && wasm-bindgen --version | grep -q " $WASM_BINDGEN_VERSION\b"); then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once per machine)"
  # No --locked: its lock file names a crate version the registry does not serve.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! [ -x "$TOOLS_DIR/node_modules/.bin/wasm-opt" ]; then
  say "installing wasm-opt (binaryen@$BINARYEN_VERSION from npm) into .tools/"
  mkdir -p "$TOOLS_DIR"
  [ -f "$TOOLS_DIR/package.json" ] || echo '{"private": true}' > "$TOOLS_DIR/package.json"
  npm install --prefix "$TOOLS_DIR" --no-audit --no-fund "binaryen@$BINARYEN_VERSION"
fi

# terser minifies the start-up JS glue of release builds (Trunk's post_build hook,
# scripts/minify-glue.mjs): about 1.9 KB of the first load, gzipped.
if ! [ -f "$TOOLS_DIR/node_modules/terser/package.json" ] || ! grep -q "\"version\": \"$TERSER_VERSION\"" "$TOOLS_DIR/node_modules/terser/package.json"; then
  say "installing terser@$TERSER_VERSION from npm into .tools/"
  mkdir -p "$TOOLS_DIR"
  [ -f "$TOOLS_DIR/package.json" ] || echo '{"private": true}' > "$TOOLS_DIR/package.json"
  npm install --prefix "$TOOLS_DIR" --no-audit --no-fund "terser@$TERSER_VERSION"
fi

# The browser suite runs in the three engines learners use: Chromium, Firefox ESR and
# WebKitGTK (Safari's engine; its MiniBrowser needs a display, so it runs under xvfb-run).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
[ -x /usr/bin/WebKitWebDriver ] || missing+=(webkit2gtk-driver)
[ -x /usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser ] || missing+=(libwebkit2gtk-4.1-0)
command -v xvfb-run >/dev/null || missing+=(xvfb)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian's ${missing[*]} (browser tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi

if ! command -v geckodriver >/dev/null; then
  say "installing geckodriver, Firefox's WebDriver (a few minutes, once per machine)"
  cargo install geckodriver --locked
fi

# Trunk runs cargo with --offline (so it never downloads tools of its own): fetch every crate,
# for the host and wasm32 alike, while the registry is reachable. A no-op when cached.
cargo fetch --locked --quiet

say "toolchain ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(wasm-opt --version | awk '{print $3}')"
