#!/usr/bin/env bash
# Fetches and builds the real programs of the conformance suite
# (tests/conformance/cases.json, run by tests/wasi_conformance_test.ts on
# both engines) into target/conformance/, outside git:
#   gojq v0.12.17 (Go, from the Go module proxy) -> target/conformance/gojq.wasm
#   the SQLite 3.44.2 shell (C, the amalgamation inside the npm package
#   sqlite3@5.1.7, built with clang-16 on wasi-libc) -> target/conformance/sqlite3.wasm
# With --record, then records the reference outputs with wasmtime (the PyPI
# package: pip install wasmtime) into tests/conformance/cases.json.
# Usage: scripts/fetch_conformance.sh [--record]
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  "" | --record) ;;
  *) echo "usage: scripts/fetch_conformance.sh [--record]" >&2; exit 2 ;;
esac
command -v go > /dev/null || PATH="$PATH:/usr/local/go/bin"
for tool in go npm clang-16; do
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

build_go gojq github.com/itchyny/gojq v0.12.17 github.com/itchyny/gojq/cmd/gojq
build_sqlite 5.1.7 sqlite-autoconf-3440200
ls -l "$cache"/*.wasm | awk '{print $NF ": " $5 " bytes"}'

if [ "${1:-}" = "--record" ]; then
  python3 scripts/_record_conformance.py "$cache"
fi
