#!/usr/bin/env bash
# Builds the fuel instrumenter of the V8 engine (crates/fuel-instrument) for
# wasm32-unknown-unknown and regenerates its bundle under src/executor/v8/.
# Usage: scripts/build_instrumenter.sh [--check]   (--check: fail if the committed files differ)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_rust_wasm_env.sh
. scripts/_bundle.sh

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-16
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$RUST_WASM_REMAP"
cargo $RUST_WASM_TOOLCHAIN build --quiet --release -p fuel-instrument \
  --target wasm32-unknown-unknown --target-dir "$RUST_WASM_TARGET_DIR" \
  -Zbuild-std=std,panic_abort

built="$RUST_WASM_TARGET_DIR/wasm32-unknown-unknown/release/fuel_instrument.wasm"
dest=src/executor/v8
out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT
cp "$built" "$out_dir/instrumenter.wasm"
# The build record: toolchain and the crates that parse and re-encode.
{
  rust_wasm_toolchain_version
  cargo $RUST_WASM_TOOLCHAIN tree --quiet --offline -p fuel-instrument -e normal \
    --target wasm32-unknown-unknown --prefix none -f '{p}' | grep -E '^wasm(parser|-encoder) v' | sed 's/ (\*)//' | sort -u
} > "$out_dir/instrumenter.toolchain.txt"
finish_bundle "$out_dir" instrumenter "$dest" build:instrumenter "${1:-}"
