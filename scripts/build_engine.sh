#!/usr/bin/env bash
# Builds the Wasmi engine bridge (crates/wasmi-wasm) for wasm32-unknown-unknown
# and regenerates the bundled engine under src/executor/wasmi/.
# Usage: scripts/build_engine.sh [--check]   (--check: fail if the committed files differ)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_rust_wasm_env.sh

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-16
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$RUST_WASM_REMAP"
cargo $RUST_WASM_TOOLCHAIN build --quiet --release -p wasmi-wasm \
  --target wasm32-unknown-unknown --target-dir "$RUST_WASM_TARGET_DIR" \
  -Zbuild-std=std,panic_abort

built="$RUST_WASM_TARGET_DIR/wasm32-unknown-unknown/release/wasmi_wasm.wasm"
out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT
cp "$built" "$out_dir/engine.wasm"
# The build record: toolchain, Wasmi's features, and the dispatch they select
# (embedded in _engine_wasm.ts too, where engineBuild() and inspect read it).
wasmi=$(rust_wasm_wasmi_features)
dispatch=$(tr ' ,' '\n\n' <<<"${wasmi##* }" | grep -- '-dispatch$' | paste -sd+ | sed 's/+/ + /g')
{
  rust_wasm_toolchain_version
  echo "${wasmi% *} features: ${wasmi##* }"
  echo "dispatch: ${dispatch:-none}"
} > "$out_dir/engine.toolchain.txt"
deno run --quiet --allow-read="$out_dir" --allow-write="$out_dir" scripts/embed_engine.ts \
  "$out_dir/engine.wasm" "$out_dir/_engine_wasm.ts" "$out_dir/engine.toolchain.txt"

if [ "${1:-}" = "--check" ]; then
  status=0
  for file in engine.wasm engine.toolchain.txt; do
    if ! cmp -s "$out_dir/$file" "src/executor/wasmi/$file"; then
      echo "src/executor/wasmi/$file differs from a fresh build (run: deno task build:engine)" >&2
      status=1
    fi
  done
  # gzip output may vary with the zlib version; the decoded bytes may not.
  deno run --quiet --allow-read scripts/embed_engine.ts --verify \
    src/executor/wasmi/engine.wasm src/executor/wasmi/_engine_wasm.ts src/executor/wasmi/engine.toolchain.txt ||
    status=1
  [ $status -eq 0 ] && echo "engine bundle matches a fresh build"
  exit $status
fi
cp "$out_dir"/{engine.wasm,engine.toolchain.txt,_engine_wasm.ts} src/executor/wasmi/
ls -l src/executor/wasmi/engine.wasm | awk '{print "engine.wasm: " $5 " bytes"}'
