# Shared by build_engine.sh and build_instrumenter.sh: builds a crate for
# wasm32-unknown-unknown, embeds the bundle, then checks it against the
# committed files or installs it. Sourced after _rust_wasm_env.sh; expects to
# run from the repository root.

# build_bundle_crate PACKAGE OUT_WASM
#   Builds PACKAGE (release, std from source) and copies its .wasm to OUT_WASM.
build_bundle_crate() {
  local package=$1 out=$2
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-16 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$RUST_WASM_REMAP" \
    cargo $RUST_WASM_TOOLCHAIN build --quiet --release -p "$package" \
    --target wasm32-unknown-unknown --target-dir "$RUST_WASM_TARGET_DIR" \
    -Zbuild-std=std,panic_abort
  cp "$RUST_WASM_TARGET_DIR/wasm32-unknown-unknown/release/${package//-/_}.wasm" "$out"
}

# finish_bundle OUT_DIR NAME DEST TASK [--check]
#   OUT_DIR holds NAME.wasm and NAME.toolchain.txt from the build; DEST holds
#   the committed NAME.wasm, NAME.toolchain.txt and _NAME_wasm.ts; TASK is
#   the deno task that rebuilds them (named when a check fails).
finish_bundle() {
  local out_dir=$1 name=$2 dest=$3 task=$4 mode=${5:-}
  deno run --quiet --allow-read="$out_dir" --allow-write="$out_dir" scripts/embed_engine.ts \
    "$out_dir/$name.wasm" "$out_dir/_${name}_wasm.ts" "$out_dir/$name.toolchain.txt"
  if [ "$mode" = "--check" ]; then
    local status=0 file
    for file in "$name.wasm" "$name.toolchain.txt"; do
      if ! cmp -s "$out_dir/$file" "$dest/$file"; then
        echo "$dest/$file differs from a fresh build (run: deno task $task)" >&2
        status=1
      fi
    done
    # gzip output may vary with the zlib version; the decoded bytes may not.
    deno run --quiet --allow-read scripts/embed_engine.ts --verify \
      "$dest/$name.wasm" "$dest/_${name}_wasm.ts" "$dest/$name.toolchain.txt" || status=1
    [ $status -eq 0 ] && echo "$name bundle matches a fresh build"
    return $status
  fi
  mkdir -p "$dest"
  cp "$out_dir/$name.wasm" "$out_dir/$name.toolchain.txt" "$out_dir/_${name}_wasm.ts" "$dest/"
  echo "$name.wasm: $(wc -c < "$dest/$name.wasm") bytes"
}
