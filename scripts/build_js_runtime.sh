#!/usr/bin/env bash
# Builds the JavaScript plugin runtime (crates/js-guest: QuickJS through
# rquickjs) for wasm32-wasip1 and regenerates its bundle under src/build/
# (js_runtime.wasm, js_runtime.toolchain.txt and _js_runtime_wasm.ts, which
# `cli.ts build` and buildPlugin() read).
# Usage: scripts/build_js_runtime.sh [--check]   (--check: fail if the committed files differ)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_rust_wasm_env.sh
. scripts/_bundle.sh

case "${1:-}" in
  "" | --check) ;;
  *) echo "usage: scripts/build_js_runtime.sh [--check]" >&2; exit 2 ;;
esac
for tool in cargo clang-16 llvm-ar-16 wasm-ld-16 wasm-strip; do
  command -v "$tool" > /dev/null || { echo "build_js_runtime: $tool not found (see README)" >&2; exit 1; }
done

out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT
# Symbols Debian's wasi-libc lacks (see crates/js-guest/c/stubs.c). At a
# fixed path: the path is part of RUSTFLAGS, which cargo's cache keys on.
stubs="$RUST_WASM_TARGET_DIR/js-guest-stubs.o"
mkdir -p "$RUST_WASM_TARGET_DIR"
clang-16 --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra \
  -ffile-prefix-map="$PWD"=/src -c crates/js-guest/c/stubs.c -o "$stubs"
# QuickJS's C sources: rquickjs-sys compiles them with the CC given here
# (clang-16 on Debian's wasi-libc) instead of downloading a WASI SDK.
export RQUICKJS_SYS_NO_WASI_SDK=1 CC_wasm32_wasip1=clang-16 AR_wasm32_wasip1=llvm-ar-16
export CFLAGS_wasm32_wasip1="--target=wasm32-wasi --sysroot=/usr -ffile-prefix-map=$PWD=/src -ffile-prefix-map=${CARGO_HOME:-$HOME/.cargo}=/cargo"
export CARGO_TARGET_WASM32_WASIP1_LINKER=wasm-ld-16
export CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS="-C link-self-contained=no -L /usr/lib/wasm32-wasi -C link-arg=/usr/lib/wasm32-wasi/crt1-command.o -C link-arg=$stubs $RUST_WASM_REMAP"
cargo $RUST_WASM_TOOLCHAIN build --quiet --locked --release -p js-guest \
  --target wasm32-wasip1 --target-dir "$RUST_WASM_TARGET_DIR" \
  -Zbuild-std=std,panic_abort
cp "$RUST_WASM_TARGET_DIR/wasm32-wasip1/release/js_runtime.wasm" "$out_dir/js_runtime.wasm"
wasm-strip "$out_dir/js_runtime.wasm"
{
  rust_wasm_toolchain_version
  clang-16 --version | head -n 1
  echo "wasi-libc $(dpkg-query -W -f='${Version}' wasi-libc 2> /dev/null || echo unknown)"
  cargo $RUST_WASM_TOOLCHAIN tree --quiet --offline -p js-guest -e normal \
    --target wasm32-wasip1 --prefix none -f '{p}' | grep -E '^rquickjs-sys v' | sed 's/ (\*)//' | sort -u
} > "$out_dir/js_runtime.toolchain.txt"
finish_bundle "$out_dir" js_runtime src/build build:js-runtime "${1:-}"
