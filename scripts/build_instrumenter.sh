#!/usr/bin/env bash
# Builds the fuel instrumenter of the V8 engine (crates/fuel-instrument) for
# wasm32-unknown-unknown and regenerates its bundle under src/executor/v8/.
# Usage: scripts/build_instrumenter.sh [--check]   (--check: fail if the committed files differ)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_rust_wasm_env.sh

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
deno run --quiet --allow-read="$out_dir" --allow-write="$out_dir" scripts/embed_engine.ts \
  "$out_dir/instrumenter.wasm" "$out_dir/_instrumenter_wasm.ts" "$out_dir/instrumenter.toolchain.txt"

if [ "${1:-}" = "--check" ]; then
  status=0
  for file in instrumenter.wasm instrumenter.toolchain.txt; do
    if ! cmp -s "$out_dir/$file" "$dest/$file"; then
      echo "$dest/$file differs from a fresh build (run: deno task build:instrumenter)" >&2
      status=1
    fi
  done
  # gzip output may vary with the zlib version; the decoded bytes may not.
  deno run --quiet --allow-read scripts/embed_engine.ts --verify \
    "$dest/instrumenter.wasm" "$dest/_instrumenter_wasm.ts" "$dest/instrumenter.toolchain.txt" ||
    status=1
  [ $status -eq 0 ] && echo "instrumenter bundle matches a fresh build"
  exit $status
fi
mkdir -p "$dest"
cp "$out_dir"/{instrumenter.wasm,instrumenter.toolchain.txt,_instrumenter_wasm.ts} "$dest/"
ls -l "$dest/instrumenter.wasm" | awk '{print "instrumenter.wasm: " $5 " bytes"}'
