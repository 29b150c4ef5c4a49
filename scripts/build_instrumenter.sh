#!/usr/bin/env bash
# Builds the fuel instrumenter of the V8 engine (crates/fuel-instrument) for
# wasm32-unknown-unknown and regenerates its bundle under src/executor/v8/.
# Usage: scripts/build_instrumenter.sh [--check]   (--check: fail if the committed files differ)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_rust_wasm_env.sh
. scripts/_bundle.sh

dest=src/executor/v8
out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT
build_bundle_crate fuel-instrument "$out_dir/instrumenter.wasm"
# The build record: toolchain and the crates that parse and re-encode.
{
  rust_wasm_toolchain_version
  cargo $RUST_WASM_TOOLCHAIN tree --quiet --offline -p fuel-instrument -e normal \
    --target wasm32-unknown-unknown --prefix none -f '{p}' | grep -E '^wasm(parser|-encoder) v' | sed 's/ (\*)//' | sort -u
} > "$out_dir/instrumenter.toolchain.txt"
finish_bundle "$out_dir" instrumenter "$dest" build:instrumenter "${1:-}"
