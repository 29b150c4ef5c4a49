#!/usr/bin/env bash
# Builds the wasm32-wasip1 test guests under testdata/ from their sources:
#   testdata/rust_stdio/  -> testdata/rust_stdio.wasm  (Rust std, std built from source)
#   testdata/rust_files/  -> testdata/rust_files.wasm  (Rust std::fs on the opt-in directory, likewise)
#   testdata/test_plugin/ -> testdata/test_plugin.wasm (Rust JSON-RPC plugin on crates/pdk, likewise)
#   testdata/hello_plugin/ -> testdata/hello_plugin.wasm (README's plugin example, likewise)
#   testdata/bench_guest/ -> testdata/bench_guest.wasm (CPU kernels for bench/, likewise)
#   testdata/compat_plugin/ -> testdata/compat_plugin.wasm (the original framework's wire format, on serde_json)
#   testdata/c_stdio/     -> testdata/c_stdio.wasm     (C on Debian's wasi-libc)
#   testdata/c_files/     -> testdata/c_files.wasm     (C file functions on the opt-in directory, likewise)
#   testdata/go_stdio/    -> testdata/go_stdio.wasm    (Go, GOOS=wasip1 GOARCH=wasm)
#   testdata/wat/*.wat    -> testdata/wat/*.wasm       (hand-written edge cases)
# and records the toolchain versions in testdata/toolchain.txt.
# Usage: scripts/build_guests.sh [--check]   (--check: fail if the committed files differ)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_rust_wasm_env.sh

case "${1:-}" in
  "" | --check) ;;
  *) echo "usage: scripts/build_guests.sh [--check]" >&2; exit 2 ;;
esac

# Go's official tarball installs to /usr/local/go (see README).
command -v go > /dev/null || PATH="$PATH:/usr/local/go/bin"
for tool in cargo clang-16 wasm-ld-16 wat2wasm wasm-strip go; do
  command -v "$tool" > /dev/null || { echo "build_guests: $tool not found (see README)" >&2; exit 1; }
done

out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT
mkdir "$out_dir/wat"

# Rust: std for wasm32-wasip1 built from source, linked against wasi-libc.
export CARGO_TARGET_WASM32_WASIP1_LINKER=wasm-ld-16
export CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS="-C link-self-contained=no -L /usr/lib/wasm32-wasi -C link-arg=/usr/lib/wasm32-wasi/crt1-command.o $RUST_WASM_REMAP"
# One cargo run per guest, so one guest's dependencies cannot change another's
# features; --locked: the versions are the ones in Cargo.lock.
rust_guests=(rust_stdio rust_files test_plugin hello_plugin bench_guest compat_plugin)
for guest in "${rust_guests[@]}"; do
  cargo $RUST_WASM_TOOLCHAIN build --quiet --locked --release -p "$guest" \
    --target wasm32-wasip1 --target-dir "$RUST_WASM_TARGET_DIR" \
    -Zbuild-std=std,panic_abort
  cp "$RUST_WASM_TARGET_DIR/wasm32-wasip1/release/$guest.wasm" "$out_dir/$guest.wasm"
done

# C: compile and link in separate steps. A clang link step given -O runs
# whatever wasm-opt is on PATH, which would make the output depend on it.
for guest in c_stdio c_files; do
  clang-16 --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra \
    -ffile-prefix-map="$PWD"=/src -c "testdata/$guest/main.c" -o "$out_dir/$guest.o"
  clang-16 --target=wasm32-wasi --sysroot=/usr -Wl,--strip-all \
    "$out_dir/$guest.o" -o "$out_dir/$guest.wasm"
  rm "$out_dir/$guest.o"
done

# Go: the local toolchain only (no toolchain download), no workspace, no
# ambient flags; -trimpath and an empty build id keep paths and ids out.
(
  cd testdata/go_stdio
  env -u GOFLAGS -u GOEXPERIMENT -u GOWASM GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 \
    GOOS=wasip1 GOARCH=wasm \
    go build -trimpath -buildvcs=false -ldflags=-buildid= -o "$out_dir/go_stdio.wasm" .
)

# Drop all custom sections (name, producers, target_features): they carry
# only names and toolchain versions (recorded in toolchain.txt instead).
for guest in "${rust_guests[@]}" c_stdio c_files go_stdio; do
  wasm-strip "$out_dir/$guest.wasm"
done

# WAT: wat2wasm writes no name section unless asked (--debug-names). A
# source that uses a proposal wabt does not enable by default names its
# flags on a line `;; wat2wasm: --enable-...`.
for wat in testdata/wat/*.wat; do
  name=$(basename "$wat" .wat)
  # shellcheck disable=SC2046 # the flags are words
  wat2wasm $(sed -n 's/^;; wat2wasm: //p' "$wat") "$wat" -o "$out_dir/wat/$name.wasm"
done

{
  rust_wasm_toolchain_version
  clang-16 --version | head -n 1
  wasm-ld-16 --version
  echo "wasi-libc $(dpkg-query -W -f='${Version}' wasi-libc 2> /dev/null || echo unknown)"
  GOTOOLCHAIN=local go version
  echo "wat2wasm $(wat2wasm --version)"
  echo "wasm-strip $(wasm-strip --version)"
} > "$out_dir/toolchain.txt"
chmod 644 "$out_dir"/*.wasm "$out_dir"/wat/*.wasm

status=0
files=$(cd "$out_dir" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
for file in $files; do
  if [ "${1:-}" = "--check" ]; then
    if ! cmp -s "$out_dir/$file" "testdata/$file"; then
      echo "testdata/$file differs from a fresh build (run: scripts/build_guests.sh)" >&2
      status=1
    fi
  else
    cp "$out_dir/$file" "testdata/$file"
  fi
done
# Built WAT guests whose source is gone.
for wasm in testdata/wat/*.wasm; do
  [ -e "$wasm" ] || continue
  if [ ! -e "${wasm%.wasm}.wat" ]; then
    echo "$wasm has no source ${wasm%.wasm}.wat" >&2
    status=1
  fi
done
[ "${1:-}" = "--check" ] && [ $status -eq 0 ] && echo "test guests match a fresh build"
for guest in "${rust_guests[@]}" c_stdio c_files go_stdio; do
  file=$guest.wasm
  ls -l "testdata/$file" | awk -v f="$file" '{print f ": " $5 " bytes"}'
done
exit $status
