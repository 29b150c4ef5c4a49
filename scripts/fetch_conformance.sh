#!/usr/bin/env bash
# Fetches and builds the real programs of the conformance suite
# (tests/conformance/cases.json, run by tests/wasi_conformance_test.ts on
# both engines) into target/conformance/, outside git:
#   gojq v0.12.17 (Go, from the Go module proxy) -> target/conformance/gojq.wasm
#   the SQLite 3.44.2 shell (C, the amalgamation inside the npm package
#   sqlite3@5.1.7, built with clang-16 on wasi-libc) -> target/conformance/sqlite3.wasm
#   hexyl 0.16.0 (Rust, from the crate registry, std built from source with
#   rustc-web) -> target/conformance/hexyl.wasm
#   jsonpp (C++ with WebAssembly exceptions: tests/conformance/jsonpp/ on
#   nlohmann/json 3.12.0 from the PyPI package nlohmann-json)
#   -> target/conformance/jsonpp.wasm
# With --record, then records the reference outputs with wasmtime (the PyPI
# package: pip install wasmtime) into tests/conformance/cases.json. wasmtime
# runs only the standardized exceptions (exnref), not the legacy encoding
# clang 16 emits, so it records jsonpp from a copy that binaryen's wasm-opt
# (the npm package binaryen) translated: jsonpp.exnref.wasm.
# Usage: scripts/fetch_conformance.sh [--record]
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  "" | --record) ;;
  *) echo "usage: scripts/fetch_conformance.sh [--record]" >&2; exit 2 ;;
esac
command -v go > /dev/null || PATH="$PATH:/usr/local/go/bin"
for tool in go npm clang++-16 cargo pip3; do
  command -v "$tool" > /dev/null || { echo "fetch_conformance: $tool not found (see README)" >&2; exit 1; }
done

cache=target/conformance
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# Go: a throwaway module that requires the tool at a pinned version (the
# checksum database verifies what the proxy serves); the local toolchain only.
build_go() { # NAME MODULE VERSION PACKAGE
  local name=$1 module=$2 version=$3 package=$4
  if [ -s "$cache/$name.wasm" ] && [ "$(cat "$cache/$name.version" 2> /dev/null)" = "$module@$version" ]; then
    return
  fi
  local dir
  dir=$(mktemp -d)
  (
    cd "$dir"
    export GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0
    go mod init conformance.local/"$name" > /dev/null 2>&1
    go get "$package@$version" > /dev/null 2>&1
    GOOS=wasip1 GOARCH=wasm go build -trimpath -buildvcs=false -ldflags=-buildid= \
      -o "$cache/$name.wasm" "$package"
  )
  rm -rf "$dir"
  echo "$module@$version" > "$cache/$name.version"
}

# C: the SQLite shell from the amalgamation the npm package sqlite3 ships
# (npm verifies the tarball's integrity). Debian's 2022 wasi-libc has no
# chmod (the shell's .output mode bits: an error) and emulates getpid and
# signals; threads, extensions, WAL and popen are left out.
build_sqlite() { # NPM_VERSION SQLITE_AUTOCONF
  local npm_version=$1 autoconf=$2
  if [ -s "$cache/sqlite3.wasm" ] && [ "$(cat "$cache/sqlite3.version" 2> /dev/null)" = "sqlite3@$npm_version" ]; then
    return
  fi
  local dir
  dir=$(mktemp -d)
  (
    cd "$dir"
    npm pack --silent "sqlite3@$npm_version" > /dev/null
    tar xzf "sqlite3-$npm_version.tgz" "package/deps/$autoconf.tar.gz"
    tar xzf "package/deps/$autoconf.tar.gz"
    cd "$autoconf"
    local flags=(--target=wasm32-wasi --sysroot=/usr -O2 -w
      -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_GETPID
      -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL
      -DSQLITE_NOHAVE_SYSTEM -DSQLITE_OMIT_POPEN)
    clang-16 "${flags[@]}" -c sqlite3.c -o sqlite3.o
    clang-16 "${flags[@]}" '-Dchmod(p,m)=((void)(p),(void)(m),-1)' -c shell.c -o shell.o
    clang-16 --target=wasm32-wasi --sysroot=/usr shell.o sqlite3.o -lwasi-emulated-signal \
      -lwasi-emulated-process-clocks -lwasi-emulated-getpid -o "$cache/sqlite3.wasm"
  )
  rm -rf "$dir"
  echo "sqlite3@$npm_version" > "$cache/sqlite3.version"
}

# Rust: `cargo install` of the crate at a pinned version with its own
# Cargo.lock, std for wasm32-wasip1 built from source and linked against
# Debian's wasi-libc plus the symbols it lacks (crates/js-guest/c/stubs.c).
build_rust() { # CRATE VERSION
  local crate=$1 version=$2
  if [ -s "$cache/$crate.wasm" ] && [ "$(cat "$cache/$crate.version" 2> /dev/null)" = "$crate@$version" ]; then
    return
  fi
  local dir
  dir=$(mktemp -d)
  (
    . scripts/_rust_wasm_env.sh
    clang-16 --target=wasm32-wasi --sysroot=/usr -O2 -c crates/js-guest/c/stubs.c -o "$dir/stubs.o"
    export CARGO_TARGET_WASM32_WASIP1_LINKER=wasm-ld-16
    export CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS="-C link-self-contained=no -L /usr/lib/wasm32-wasi -C link-arg=/usr/lib/wasm32-wasi/crt1-command.o -C link-arg=$dir/stubs.o"
    cargo $RUST_WASM_TOOLCHAIN install --quiet --locked --target wasm32-wasip1 \
      -Zbuild-std=std,panic_abort --root "$dir/root" --target-dir "$dir/target" "$crate@$version"
    cp "$dir/root/bin/$crate.wasm" "$cache/$crate.wasm"
  )
  rm -rf "$dir"
  echo "$crate@$version" > "$cache/$crate.version"
}

# C++: tests/conformance/jsonpp/ (its main and the exception runtime that
# Debian's libc++abi for wasm32 lacks) on the header-only nlohmann/json from
# the PyPI wheel (pip verifies its hash), with -fwasm-exceptions.
build_jsonpp() { # NLOHMANN_JSON_VERSION BINARYEN_VERSION
  local json_version=$1 binaryen_version=$2 sources=tests/conformance/jsonpp
  local stamp
  stamp="nlohmann-json@$json_version $(cat "$sources"/*.cpp | sha256sum | cut -c1-16)"
  if [ -s "$cache/jsonpp.wasm" ] && [ "$(cat "$cache/jsonpp.version" 2> /dev/null)" = "$stamp" ]; then
    return
  fi
  local dir
  dir=$(mktemp -d)
  pip3 download --quiet --no-deps --dest "$dir" "nlohmann-json==$json_version"
  (cd "$dir" && python3 -m zipfile -e nlohmann_json-"$json_version"-py3-none-any.whl wheel)
  local flags=(--target=wasm32-wasi --sysroot=/usr -isystem /usr/include/wasm32-wasi/c++/v1
    -fwasm-exceptions -O2 -std=c++17 -Wall -Wextra)
  clang++-16 "${flags[@]}" -I "$dir/wheel/nlohmann_json/include" \
    -DJSON_HAS_FILESYSTEM=0 -DJSON_HAS_EXPERIMENTAL_FILESYSTEM=0 -c "$sources/main.cpp" -o "$dir/main.o"
  clang++-16 "${flags[@]}" -c "$sources/eh.cpp" -o "$dir/eh.o"
  clang++-16 --target=wasm32-wasi --sysroot=/usr -fwasm-exceptions -Wl,--strip-all \
    "$dir/main.o" "$dir/eh.o" -o "$cache/jsonpp.wasm"
  if [ "${record:-}" = 1 ]; then
    (cd "$dir" && npm pack --silent "binaryen@$binaryen_version" > /dev/null && tar xzf binaryen-*.tgz)
    node "$dir/package/bin/wasm-opt" --all-features --translate-to-exnref \
      "$cache/jsonpp.wasm" -o "$cache/jsonpp.exnref.wasm"
  fi
  rm -rf "$dir"
  echo "$stamp" > "$cache/jsonpp.version"
}

record=$([ "${1:-}" = "--record" ] && echo 1 || true)
build_go gojq github.com/itchyny/gojq v0.12.17 github.com/itchyny/gojq/cmd/gojq
build_sqlite 5.1.7 sqlite-autoconf-3440200
build_rust hexyl 0.16.0
if [ "$record" = 1 ]; then rm -f "$cache/jsonpp.version"; fi
build_jsonpp 3.12.0 123.0.0
ls -l "$cache"/*.wasm | awk '{print $NF ": " $5 " bytes"}'

if [ "${1:-}" = "--record" ]; then
  python3 scripts/_record_conformance.py "$cache"
fi
