#!/usr/bin/env bash
# Fetches and builds the real programs of the conformance suite
# (tests/conformance/cases.json, run by tests/wasi_conformance_test.ts on
# both engines) into target/conformance/, outside git:
#   gojq v0.12.17 (Go, from the Go module proxy) -> target/conformance/gojq.wasm
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
command -v go > /dev/null || { echo "fetch_conformance: go not found (see README)" >&2; exit 1; }

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

build_go gojq github.com/itchyny/gojq v0.12.17 github.com/itchyny/gojq/cmd/gojq
ls -l "$cache"/*.wasm | awk '{print $NF ": " $5 " bytes"}'

if [ "${1:-}" = "--record" ]; then
  python3 scripts/_record_conformance.py "$cache"
fi
