#!/usr/bin/env bash
# Builds the example plugins under examples/ from their sources, one per
# language, all serving the same methods (see examples/README.md):
#   examples/rust/           -> examples/rust/plugin.wasm           (Rust on crates/pdk, std built from source)
#   examples/c/              -> examples/c/plugin.wasm              (C on Debian's wasi-libc, clang-16)
#   examples/go/             -> examples/go/plugin.wasm             (Go, GOOS=wasip1 GOARCH=wasm)
#   examples/assemblyscript/ -> examples/assemblyscript/plugin.wasm (asc + @assemblyscript/wasi-shim, from npm ci)
# and records the toolchain versions in examples/toolchain.txt.
# Usage: scripts/build_examples.sh [--check]
#   --check: fail if a committed plugin.wasm differs from a fresh build
#   (a differing toolchain.txt alone is reported, not a failure: the
#   versions it lists may change without changing the bytes).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_rust_wasm_env.sh

case "${1:-}" in
  "" | --check) ;;
  *) echo "usage: scripts/build_examples.sh [--check]" >&2; exit 2 ;;
esac

# Go's official tarball installs to /usr/local/go (see README).
command -v go > /dev/null || PATH="$PATH:/usr/local/go/bin"
for tool in cargo clang-16 wasm-ld-16 wasm-strip go node npm; do
  command -v "$tool" > /dev/null || { echo "build_examples: $tool not found (see README)" >&2; exit 1; }
done

out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT
langs=(rust c go assemblyscript)
for lang in "${langs[@]}"; do mkdir "$out_dir/$lang"; done

# Rust: the recipe of scripts/build_guests.sh (std for wasm32-wasip1 built
# from source, linked against wasi-libc; --locked: the versions in Cargo.lock).
export CARGO_TARGET_WASM32_WASIP1_LINKER=wasm-ld-16
export CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS="-C link-self-contained=no -L /usr/lib/wasm32-wasi -C link-arg=/usr/lib/wasm32-wasi/crt1-command.o $RUST_WASM_REMAP"
cargo $RUST_WASM_TOOLCHAIN build --quiet --locked --release -p rust_example \
  --target wasm32-wasip1 --target-dir "$RUST_WASM_TARGET_DIR" \
  -Zbuild-std=std,panic_abort
cp "$RUST_WASM_TARGET_DIR/wasm32-wasip1/release/rust_example.wasm" "$out_dir/rust/plugin.wasm"

# C: compile and link in separate steps (a clang link step given -O runs
# whatever wasm-opt is on PATH, which would make the output depend on it).
clang-16 --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror \
  -ffile-prefix-map="$PWD"=/src -c examples/c/main.c -o "$out_dir/c/main.o"
clang-16 --target=wasm32-wasi --sysroot=/usr -Wl,--strip-all \
  "$out_dir/c/main.o" -o "$out_dir/c/plugin.wasm"
rm "$out_dir/c/main.o"

# Go: the local toolchain only (no toolchain download), no workspace, no
# ambient flags; -trimpath and an empty build id keep paths and ids out.
(
  cd examples/go
  env -u GOFLAGS -u GOEXPERIMENT -u GOWASM GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 \
    GOOS=wasip1 GOARCH=wasm \
    go build -trimpath -buildvcs=false -ldflags=-buildid= -o "$out_dir/go/plugin.wasm" .
)

# AssemblyScript: the compiler and the WASI shim at the versions in
# package-lock.json; npm ci only when node_modules is missing or was
# installed from another package-lock.json.
(
  cd examples/assemblyscript
  lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
  stamp=node_modules/.build_examples.package-lock.sha256
  if [ ! -x node_modules/.bin/asc ] || [ "$(cat "$stamp" 2> /dev/null)" != "$lock_sum" ]; then
    npm ci --silent --no-audit --no-fund > /dev/null
    echo "$lock_sum" > "$stamp"
  fi
  node_modules/.bin/asc assembly/index.ts --config asconfig.json \
    --outFile "$out_dir/assemblyscript/plugin.wasm"
)

# Drop all custom sections (name, producers, target_features, Go's build
# info notes): they carry only names and toolchain versions (recorded in
# toolchain.txt instead).
for lang in "${langs[@]}"; do
  wasm-strip "$out_dir/$lang/plugin.wasm"
done
chmod 644 "$out_dir"/*/plugin.wasm

asc_version=$(cd examples/assemblyscript && node_modules/.bin/asc --version)
shim_version=$(cd examples/assemblyscript && node -p 'require("@assemblyscript/wasi-shim/package.json").version')
{
  rust_wasm_toolchain_version
  clang-16 --version | head -n 1
  wasm-ld-16 --version
  echo "wasi-libc $(dpkg-query -W -f='${Version}' wasi-libc 2> /dev/null || echo unknown)"
  GOTOOLCHAIN=local go version
  echo "node $(node --version)"
  echo "asc ${asc_version#Version }"
  echo "@assemblyscript/wasi-shim $shim_version"
  echo "wasm-strip $(wasm-strip --version)"
} > "$out_dir/toolchain.txt"

status=0
for lang in "${langs[@]}"; do
  file=examples/$lang/plugin.wasm
  if [ "${1:-}" = "--check" ]; then
    if ! cmp -s "$out_dir/$lang/plugin.wasm" "$file"; then
      echo "$file differs from a fresh build (run: scripts/build_examples.sh)" >&2
      status=1
    fi
  else
    cp "$out_dir/$lang/plugin.wasm" "$file"
  fi
done
if [ "${1:-}" = "--check" ]; then
  if ! cmp -s "$out_dir/toolchain.txt" examples/toolchain.txt; then
    echo "note: examples/toolchain.txt differs from the toolchain used now:" >&2
    diff examples/toolchain.txt "$out_dir/toolchain.txt" >&2 || true
  fi
  [ $status -eq 0 ] && echo "example plugins match a fresh build"
else
  cp "$out_dir/toolchain.txt" examples/toolchain.txt
fi
for lang in "${langs[@]}"; do
  file=examples/$lang/plugin.wasm
  [ -e "$file" ] && echo "$file: $(wc -c < "$file") bytes"
done
exit $status
