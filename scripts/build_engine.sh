#!/usr/bin/env bash
# Builds the Wasmi engine bridge (crates/wasmi-wasm) for wasm32-unknown-unknown
# and regenerates the bundled engine under src/executor/wasmi/.
# Usage: scripts/build_engine.sh [--check]   (--check: fail if the committed files differ)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_rust_wasm_env.sh
. scripts/_bundle.sh

out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT
build_bundle_crate wasmi-wasm "$out_dir/engine.wasm"
# The build record: toolchain, Wasmi's features, and the dispatch they select
# (embedded in _engine_wasm.ts too, where engineBuild() and inspect read it).
wasmi=$(rust_wasm_wasmi_features)
dispatch=$(tr ' ,' '\n\n' <<<"${wasmi##* }" | grep -- '-dispatch$' | paste -sd+ | sed 's/+/ + /g')
{
  rust_wasm_toolchain_version
  echo "${wasmi% *} features: ${wasmi##* }"
  echo "dispatch: ${dispatch:-none}"
} > "$out_dir/engine.toolchain.txt"
finish_bundle "$out_dir" engine src/executor/wasmi build:engine "${1:-}"
